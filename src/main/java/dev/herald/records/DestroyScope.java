package dev.herald.records;

import dev.herald.models.Attribute;
import dev.herald.models.ForeignKey;
import dev.herald.models.Junction;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.OnDestroy;
import dev.herald.notifications.Notification;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What destroying a record of a model reaches besides its own row, the same for one destroy
 * ({@link Destroyer}) and for a batch ({@link BatchDestroyer}): its children under each
 * {@code onDestroy} policy, the junction rows it occupies, and the parents that list it.
 */
final class DestroyScope {
    private final Models models;

    DestroyScope(Models models) {
        this.models = models;
    }

    /** The foreign keys of the model's children whose {@code onDestroy} is {@code policy}. */
    List<ForeignKey> children(Model model, OnDestroy policy) {
        return models.childrenOf(model.identity()).stream().filter(fk -> fk.policy() == policy).toList();
    }

    /**
     * The junction columns a destroyed record occupies: the first column of a symmetric junction (its
     * statements match both columns), else each side that is this model (a junction from the model to
     * itself has two).
     */
    List<JunctionSide> junctionSides(Model model) {
        List<JunctionSide> sides = new ArrayList<>();
        for (Junction j : models.junctionsOf(model.identity())) {
            if (j.symmetric()) {
                sides.add(JunctionSide.ofA(j));
                continue;
            }
            if (j.modelA().equals(model.identity())) {
                sides.add(JunctionSide.ofA(j));
            }
            if (j.modelB().equals(model.identity())) {
                sides.add(JunctionSide.ofB(j));
            }
        }
        return sides;
    }

    /**
     * The {@code removedFrom} the parents hear that list the destroyed record ({@code raw}, private
     * attributes included) in a collection.
     */
    List<Notification> parentsListing(Model model, JsonObject raw) {
        List<Notification> removals = new ArrayList<>();
        for (Attribute a : model.singulars()) {
            ForeignKey fk = models.singular(model.identity(), a.name());
            Object parentId = raw.getValue(a.name());
            if (fk.collection() != null && parentId != null) {
                removals.add(Notification.removedFrom(fk.parent(), parentId, fk.collection(), raw.getValue(Model.ID)));
            }
        }
        return removals;
    }
}
