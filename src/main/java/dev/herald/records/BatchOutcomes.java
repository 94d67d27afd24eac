package dev.herald.records;

import dev.herald.models.Attribute;
import dev.herald.models.ForeignKey;
import dev.herald.models.Model;
import dev.herald.notifications.Notification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Attributes what one batch's statements changed to the records it destroyed: each found record gets
 * its {@code previous} and its own notifications, in the order {@link Destroyer} gives them alone.
 * When two records of the batch turn out to be entangled (a message from one to the other, a child
 * row that refers to both, a {@code previous} that shows a row another one nulls), it throws
 * {@link BatchDestroyer.Unbatchable}.
 */
final class BatchOutcomes {
    private final DestroyScope scope;
    private final Model model;
    private final Map<Object, Row> found;
    private final Map<Object, List<Notification>> sideEffects = new HashMap<>();
    /** Per nulled child ({@code "<model>\0<id>"}), the destroyed record that nulled it. */
    private final Map<String, Object> nulledBy = new HashMap<>();

    /** {@code found}: the locked rows of the batch, by id as in JSON, in id order. */
    BatchOutcomes(DestroyScope scope, Model model, Map<Object, Row> found) {
        this.scope = scope;
        this.model = model;
        this.found = found;
    }

    /** Each found record's outcome, from the answers of {@code sent}. */
    Map<Object, BatchDestroyer.Outcome> of(BatchDestroyer.Sent sent) {
        found.keySet().forEach(id -> sideEffects.put(id, new ArrayList<>()));
        for (int i = 0; i < sent.nulled().size(); i++) {
            collectUpdated(sent.nulled().get(i), sent.updates().get(i).result());
        }
        for (int i = 0; i < sent.unlinked().size(); i++) {
            collectRemoved(sent.unlinked().get(i), sent.removals().get(i).result());
        }
        found.forEach((id, row) -> parents(id, Columns.toJson(model, row, true)));
        List<JsonObject> records = sent.previous()
                .fill(found.values().stream().map(r -> Columns.toJson(model, r, false)).toList())
                .result();
        List<Object> order = new ArrayList<>(found.keySet());
        for (int i = 0; i < order.size(); i++) {
            shownUnchanged(order.get(i), records.get(i));
        }
        Map<Object, BatchDestroyer.Outcome> outcomes = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            Object id = order.get(i);
            JsonObject record = records.get(i);
            Notification own = Notification.destroyed(model.identity(), id, record);
            List<Notification> notifications = new ArrayList<>();
            notifications.add(own);
            sideEffects.get(id).stream().filter(n -> !n.key().equals(own.key())).forEach(notifications::add);
            outcomes.put(id, new BatchDestroyer.Outcome(record, notifications, null));
        }
        return outcomes;
    }

    /** Each nulled child tells the record that had it; a child that had two of them entangles them. */
    private void collectUpdated(ForeignKey fk, RowSet<Row> changed) {
        for (Row r : changed) {
            Object child = Columns.idToJson(r.getValue(0));
            Object parent = Columns.idToJson(r.getValue(1));
            untangled(fk.child(), child, parent);
            Object earlier = nulledBy.putIfAbsent(fk.child() + "\u0000" + child, parent);
            if (earlier != null && !earlier.equals(parent)) {
                throw new BatchDestroyer.Unbatchable(fk.child() + " " + child + " refers to both " + earlier + " and " + parent);
            }
            sideEffects.get(parent).add(Notification.updated(fk.child(), child, new JsonObject().putNull(fk.fk())));
        }
    }

    /** Each removed link tells the other side, once per pair, if the other side lists it. */
    private void collectRemoved(JunctionSide side, RowSet<Row> removed) {
        Map<Object, Set<Object>> othersByRoot = new LinkedHashMap<>();
        for (Row r : removed) {
            Object mine = Columns.idToJson(r.getValue(0));
            Object other = Columns.idToJson(r.getValue(1));
            if (side.junction().symmetric() && !found.containsKey(mine)) {
                Object swap = mine;
                mine = other;
                other = swap;
            }
            untangled(side.otherModel(), other, mine);
            othersByRoot.computeIfAbsent(mine, k -> new LinkedHashSet<>()).add(other);
        }
        if (side.otherAttr() == null) {
            return;
        }
        othersByRoot.forEach((root, others) -> others.forEach(o -> sideEffects.get(root)
                .add(Notification.removedFrom(side.otherModel(), o, side.otherAttr(), root))));
    }

    private void parents(Object id, JsonObject raw) {
        for (Notification removal : scope.parentsListing(model, raw)) {
            untangled(removal.model(), removal.id(), id);
            sideEffects.get(id).add(removal);
        }
    }

    /**
     * A record's {@code previous} must not show a row that another record of the batch nulls: alone,
     * one of them would go first and the other would show that row changed.
     */
    private void shownUnchanged(Object id, JsonObject record) {
        for (Attribute a : model.attributes().values()) {
            Object value = record.getValue(a.name());
            List<Object> shown = new ArrayList<>();
            if (a.isSingular() && value instanceof JsonObject target) {
                shown.add(target.getValue(Model.ID));
            } else if (a.isCollection() && value instanceof JsonArray list) {
                list.forEach(c -> shown.add(((JsonObject) c).getValue(Model.ID)));
            }
            for (Object other : shown) {
                Object nulledFor = nulledBy.get(a.target() + "\u0000" + other);
                if (nulledFor != null && !nulledFor.equals(id)) {
                    throw new BatchDestroyer.Unbatchable(model.identity() + " " + id + " shows " + a.target() + " " + other
                            + ", which destroying " + nulledFor + " changes");
                }
            }
        }
    }

    /** A message from one destroyed record to another means their order matters: not for a batch. */
    private void untangled(String otherModel, Object other, Object root) {
        if (otherModel.equals(model.identity()) && !other.equals(root) && found.containsKey(other)) {
            throw new BatchDestroyer.Unbatchable(model.identity() + " " + root + " and " + other + " are associated");
        }
    }
}
