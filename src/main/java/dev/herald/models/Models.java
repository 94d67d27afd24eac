package dev.herald.models;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The validated set of models with the relationships derived from their associations. */
public final class Models {
    private final Map<String, Model> byIdentity;
    private final List<ForeignKey> foreignKeys = new ArrayList<>();
    private final List<Junction> junctions = new ArrayList<>();

    Models(Map<String, Model> byIdentity) {
        this.byIdentity = Collections.unmodifiableMap(new LinkedHashMap<>(byIdentity));
        for (Model model : byIdentity.values()) {
            for (Attribute a : model.singulars()) {
                foreignKeys.add(foreignKeyOf(model, a));
            }
            for (Attribute c : model.collections()) {
                junctionOf(model, c).ifPresent(junctions::add);
            }
        }
    }

    public Optional<Model> find(String identity) {
        return Optional.ofNullable(byIdentity.get(identity));
    }

    public Model get(String identity) {
        return find(identity).orElseThrow(() -> new IllegalArgumentException("no model " + identity));
    }

    public Collection<Model> all() {
        return byIdentity.values();
    }

    public List<ForeignKey> foreignKeys() {
        return foreignKeys;
    }

    public List<Junction> junctions() {
        return junctions;
    }

    /** Foreign keys whose column lives on other tables and points at {@code parent}. */
    public List<ForeignKey> childrenOf(String parent) {
        return foreignKeys.stream().filter(fk -> fk.parent().equals(parent)).toList();
    }

    /** The foreign key behind a one-to-many collection, if {@code collection} is one. */
    public Optional<ForeignKey> oneToMany(String model, String collection) {
        return foreignKeys.stream()
                .filter(fk -> fk.parent().equals(model) && collection.equals(fk.collection()))
                .findFirst();
    }

    /** The foreign key behind a singular attribute. */
    public ForeignKey singular(String model, String attribute) {
        return foreignKeys.stream()
                .filter(fk -> fk.child().equals(model) && fk.fk().equals(attribute))
                .findFirst().orElseThrow();
    }

    /** The junction behind a many-to-many or one-way collection, seen from {@code model.attr}. */
    public Optional<Junction> junction(String model, String attr) {
        return junctions.stream()
                .filter(j -> (j.modelA().equals(model) && j.attrA().equals(attr))
                        || (j.modelB().equals(model) && attr.equals(j.attrB())))
                .findFirst();
    }

    public List<Junction> junctionsOf(String model) {
        return junctions.stream().filter(j -> j.modelA().equals(model) || j.modelB().equals(model)).toList();
    }

    private ForeignKey foreignKeyOf(Model child, Attribute singular) {
        Model parent = byIdentity.get(singular.target());
        return parent.collections().stream()
                .filter(c -> c.target().equals(child.identity()) && singular.name().equals(c.via()))
                .findFirst()
                .map(c -> new ForeignKey(parent.identity(), c.name(), child.identity(), singular.name(),
                        c.onDestroy() == null ? OnDestroy.SET_NULL : c.onDestroy()))
                .orElse(new ForeignKey(parent.identity(), null, child.identity(), singular.name(),
                        OnDestroy.SET_NULL));
    }

    /** One junction per many-to-many pair, created from the side that sorts first; one per one-way collection. */
    private Optional<Junction> junctionOf(Model model, Attribute collection) {
        Model other = byIdentity.get(collection.target());
        if (collection.via() == null) {
            return Optional.of(junction(model.identity(), collection.name(), other.identity(), null));
        }
        Attribute back = other.attributes().get(collection.via());
        if (!back.isCollection()) {
            return Optional.empty();
        }
        String mine = model.identity() + "." + collection.name();
        String theirs = other.identity() + "." + back.name();
        if (mine.compareTo(theirs) > 0) {
            return Optional.empty();
        }
        return Optional.of(junction(model.identity(), collection.name(), other.identity(), back.name()));
    }

    private static Junction junction(String modelA, String attrA, String modelB, String attrB) {
        String columnA = modelA + "_" + attrA;
        String columnB = attrB == null ? modelB : modelB + "_" + attrB;
        if (columnB.equals(columnA)) {
            columnB = columnB + "_other";
        }
        String table = Identifiers.fit(columnA + "__" + (attrB == null ? modelB : modelB + "_" + attrB));
        return new Junction(table, modelA, attrA, Identifiers.fit(columnA), modelB, attrB, Identifiers.fit(columnB));
    }
}
