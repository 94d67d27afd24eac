package dev.herald.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the contract (models.md, blueprint.md "Destroy, precisely" and "Notifications", realtime.md) says a destroy does,
 * in memory and in plain Java: no Herald code. It reads the models file itself, keeps records, links and
 * the sockets' rooms, and for one {@code DELETE /:model/:id} gives every outcome the contract allows (one,
 * except where it is silent: see {@link #destroy}) with its answer, its notifications per socket and the
 * state after it.
 */
final class DestroyReference {
    static final int COLLECTION_LIMIT = 30;

    enum Kind { SCALAR, SINGULAR, COLLECTION }

    record Attr(String name, Kind kind, String type, boolean hidden, String target, String via, String onDestroy) {
    }

    /** A foreign key {@code child.attr} to {@code parent}; {@code collection}: the parent's list of them, or null (one-way). */
    record Fk(String child, String attr, String parent, String collection, String policy) {
    }

    /** Links of a collection without a foreign key: {@code modelA.attrA} lists modelB records; {@code attrB} lists back, or null. */
    record Linkage(String modelA, String attrA, String modelB, String attrB) {
        boolean symmetric() {
            return modelA.equals(modelB) && attrA.equals(attrB);
        }
    }

    record Key(String model, long id) {
        @Override
        public String toString() {
            return model + " " + id;
        }
    }

    /** A link: {@code a} of modelA, {@code b} of modelB; a symmetric linkage keeps {@code a <= b}. */
    record Pair(long a, long b) implements Comparable<Pair> {
        @Override
        public int compareTo(Pair o) {
            return a != o.a ? Long.compare(a, o.a) : Long.compare(b, o.b);
        }
    }

    final Map<String, List<Attr>> models = new LinkedHashMap<>();
    final List<Fk> fks = new ArrayList<>();
    final List<Linkage> linkages = new ArrayList<>();

    DestroyReference(String yaml) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        root.fields().forEachRemaining(m -> {
            List<Attr> attrs = new ArrayList<>();
            m.getValue().get("attributes").fields().forEachRemaining(a -> {
                JsonNode n = a.getValue();
                Kind kind = n.has("model") ? Kind.SINGULAR : n.has("collection") ? Kind.COLLECTION : Kind.SCALAR;
                attrs.add(new Attr(a.getKey(), kind, text(n, "type"), n.path("private").asBoolean(false),
                        kind == Kind.SINGULAR ? text(n, "model") : text(n, "collection"), text(n, "via"), text(n, "onDestroy")));
            });
            models.put(m.getKey(), attrs);
        });
        models.forEach((model, attrs) -> attrs.forEach(a -> {
            if (a.kind() == Kind.SINGULAR) {
                Attr listing = models.get(a.target()).stream().filter(c -> c.kind() == Kind.COLLECTION
                        && c.target().equals(model) && a.name().equals(c.via())).findFirst().orElse(null);
                fks.add(new Fk(model, a.name(), a.target(), listing == null ? null : listing.name(),
                        listing == null || listing.onDestroy() == null ? "setNull" : listing.onDestroy()));
            } else if (a.kind() == Kind.COLLECTION) {
                Attr back = a.via() == null ? null : attr(a.target(), a.via());
                if (back == null) {
                    linkages.add(new Linkage(model, a.name(), a.target(), null));
                } else if (back.kind() == Kind.COLLECTION && (model + "." + a.name()).compareTo(a.target() + "." + back.name()) <= 0) {
                    linkages.add(new Linkage(model, a.name(), a.target(), back.name()));
                }
            }
        }));
    }

    private static String text(JsonNode n, String field) {
        return n.has(field) ? n.get(field).asText() : null;
    }

    Attr attr(String model, String name) {
        return models.get(model).stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }

    /** The linkage behind {@code model.attr}, and whether that attribute is its side A. */
    record Side(Linkage linkage, boolean isA) {
    }

    Side side(String model, String attr) {
        for (Linkage l : linkages) {
            if (l.modelA().equals(model) && l.attrA().equals(attr)) {
                return new Side(l, true);
            }
            if (l.modelB().equals(model) && attr.equals(l.attrB())) {
                return new Side(l, false);
            }
        }
        return null;
    }

    static final class Rec {
        final long id;
        final long createdAt;
        Long updatedAt;
        final Map<String, Object> values;

        Rec(long id, long createdAt, Long updatedAt, Map<String, Object> values) {
            this.id = id;
            this.createdAt = createdAt;
            this.updatedAt = updatedAt;
            this.values = values;
        }

        Rec copy() {
            return new Rec(id, createdAt, updatedAt, new HashMap<>(values));
        }
    }

    /** Records by model and id, links by linkage, the rooms of each socket; {@code touched}: records whose updatedAt is not known. */
    final class State {
        final Map<String, TreeMap<Long, Rec>> records = new LinkedHashMap<>();
        final Map<Linkage, TreeSet<Pair>> links = new LinkedHashMap<>();
        final List<Set<Key>> rooms = new ArrayList<>();
        final Set<Key> touched = new HashSet<>();

        State(int sockets) {
            models.keySet().forEach(m -> records.put(m, new TreeMap<>()));
            linkages.forEach(l -> links.put(l, new TreeSet<>()));
            for (int i = 0; i < sockets; i++) {
                rooms.add(new HashSet<>());
            }
        }

        State copy() {
            State c = new State(0);
            records.forEach((m, rs) -> rs.forEach((id, r) -> c.records.get(m).put(id, r.copy())));
            links.forEach((l, ps) -> c.links.get(l).addAll(ps));
            rooms.forEach(r -> c.rooms.add(new HashSet<>(r)));
            c.touched.addAll(touched);
            return c;
        }

        Rec get(Key k) {
            return records.get(k.model()).get(k.id());
        }

        void link(String model, long id, String attr, long other) {
            Side s = side(model, attr);
            if (s == null) {
                throw new IllegalArgumentException(model + "." + attr + " is not a collection with a junction");
            }
            long a = s.isA() ? id : other;
            long b = s.isA() ? other : id;
            links.get(s.linkage()).add(s.linkage().symmetric() ? new Pair(Math.min(a, b), Math.max(a, b)) : new Pair(a, b));
        }

        /** The ids {@code model id} lists in collection {@code attr}, in id order. */
        TreeSet<Long> members(String model, long id, Attr attr) {
            TreeSet<Long> ids = new TreeSet<>();
            for (Fk fk : fks) {
                if (fk.parent().equals(model) && attr.name().equals(fk.collection())) {
                    records.get(fk.child()).values().stream().filter(r -> Long.valueOf(id).equals(r.values.get(fk.attr())))
                            .forEach(r -> ids.add(r.id));
                    return ids;
                }
            }
            Side s = side(model, attr.name());
            for (Pair p : links.get(s.linkage())) {
                if (s.linkage().symmetric()) {
                    if (p.a() == id) {
                        ids.add(p.b());
                    }
                    if (p.b() == id) {
                        ids.add(p.a());
                    }
                } else if (s.isA() && p.a() == id) {
                    ids.add(p.b());
                } else if (!s.isA() && p.b() == id) {
                    ids.add(p.a());
                }
            }
            return ids;
        }
    }

    State state(int sockets) {
        return new State(sockets);
    }

    // ---- answers

    sealed interface Answer permits Ok, Missing, Refused {
    }

    /** 200 with the record as it was, populated. */
    record Ok(JsonObject previous) implements Answer {
    }

    /** 404 {@code E_NOT_FOUND}. */
    record Missing() implements Answer {
    }

    /** 409 {@code E_HAS_CHILDREN}; {@code details.children} lists the restrict children of one of the blockers. */
    record Refused(List<Blocker> blockers) implements Answer {
    }

    /**
     * A record of the destroyed tree that has {@code restrict} children: a 409 naming it lists at least
     * {@code required} (its children that the request would not destroy) and at most {@code allowed} (all).
     */
    record Blocker(Key record, Map<String, TreeSet<Long>> required, Map<String, TreeSet<Long>> allowed) {
    }

    /** A message for the sockets in the room of record {@code to}. */
    record Note(Key to, JsonObject message) {
    }

    /** One possible outcome: the answer, what each socket receives, and the state after it. */
    record Outcome(Answer answer, List<List<Note>> delivered, Set<Key> destroyed, State after) {
    }

    /**
     * The outcomes the contract allows for {@code DELETE /model/id} from {@code s}. The tree it would destroy
     * is the record and, recursively, its {@code cascade} children (cycles included). A {@code restrict}
     * child outside that tree refuses the destroy (409, nothing changes). Where the contract is silent,
     * both readings are accepted: a {@code restrict} child that the same request destroys through a
     * cascade (or the record itself) may refuse the destroy or not.
     */
    List<Outcome> destroy(State s, String model, long id) {
        Key root = new Key(model, id);
        if (s.get(root) == null) {
            return List.of(new Outcome(new Missing(), deliveries(s, List.of()), Set.of(), s));
        }
        Set<Key> doomed = tree(s, root);
        List<Blocker> blockers = new ArrayList<>();
        boolean blockedFromOutside = false;
        for (Key k : doomed) {
            Map<String, TreeSet<Long>> all = new TreeMap<>();
            Map<String, TreeSet<Long>> outside = new TreeMap<>();
            for (Fk fk : fks) {
                if (fk.parent().equals(k.model()) && fk.policy().equals("restrict")) {
                    for (Rec c : s.records.get(fk.child()).values()) {
                        if (Long.valueOf(k.id()).equals(c.values.get(fk.attr()))) {
                            all.computeIfAbsent(fk.child(), x -> new TreeSet<>()).add(c.id);
                            if (!doomed.contains(new Key(fk.child(), c.id))) {
                                outside.computeIfAbsent(fk.child(), x -> new TreeSet<>()).add(c.id);
                            }
                        }
                    }
                }
            }
            if (!all.isEmpty()) {
                blockers.add(new Blocker(k, outside, all));
                blockedFromOutside |= !outside.isEmpty();
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        if (!blockers.isEmpty()) {
            outcomes.add(new Outcome(new Refused(blockers), deliveries(s, List.of()), Set.of(), s));
        }
        if (!blockedFromOutside) {
            outcomes.add(destroyed(s, root, doomed));
        }
        return outcomes;
    }

    /** The record and its cascade children, recursively, the record first. */
    private Set<Key> tree(State s, Key root) {
        Set<Key> doomed = new LinkedHashSet<>();
        List<Key> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            Key k = todo.remove(0);
            if (!doomed.add(k)) {
                continue;
            }
            for (Fk fk : fks) {
                if (fk.parent().equals(k.model()) && fk.policy().equals("cascade")) {
                    s.records.get(fk.child()).values().stream().filter(c -> Long.valueOf(k.id()).equals(c.values.get(fk.attr())))
                            .forEach(c -> todo.add(new Key(fk.child(), c.id)));
                }
            }
        }
        return doomed;
    }

    private Outcome destroyed(State s, Key root, Set<Key> doomed) {
        State after = s.copy();
        List<Note> notes = new ArrayList<>();
        for (Key k : doomed) {
            notes.add(new Note(k, new JsonObject().put("verb", "destroyed").put("id", k.id()).put("previous", previous(s, k))));
        }
        for (Key k : doomed) {
            for (Fk fk : fks) {
                if (!fk.parent().equals(k.model())) {
                    continue;
                }
                for (Rec c : s.records.get(fk.child()).values()) {
                    Key child = new Key(fk.child(), c.id);
                    if (Long.valueOf(k.id()).equals(c.values.get(fk.attr())) && !doomed.contains(child)) {
                        after.get(child).values.put(fk.attr(), null);
                        after.touched.add(child);
                        notes.add(new Note(child, new JsonObject().put("verb", "updated").put("id", c.id)
                                .put("data", new JsonObject().putNull(fk.attr()))));
                    }
                }
            }
        }
        for (Linkage l : linkages) {
            for (Pair p : s.links.get(l)) {
                boolean aGone = doomed.contains(new Key(l.modelA(), p.a()));
                boolean bGone = doomed.contains(new Key(l.modelB(), p.b()));
                if (aGone || bGone) {
                    after.links.get(l).remove(p);
                }
                if (aGone && !bGone && l.attrB() != null) {
                    notes.add(removedFrom(new Key(l.modelB(), p.b()), l.attrB(), p.a()));
                }
                if (bGone && !aGone) {
                    notes.add(removedFrom(new Key(l.modelA(), p.a()), l.attrA(), p.b()));
                }
            }
        }
        for (Key k : doomed) {
            for (Fk fk : fks) {
                Object parent = s.get(k).values.get(fk.attr());
                if (fk.child().equals(k.model()) && fk.collection() != null && parent != null
                        && !doomed.contains(new Key(fk.parent(), (Long) parent))) {
                    notes.add(removedFrom(new Key(fk.parent(), (Long) parent), fk.collection(), k.id()));
                }
            }
        }
        doomed.forEach(k -> after.records.get(k.model()).remove(k.id()));
        List<List<Note>> delivered = deliveries(s, notes);
        after.rooms.forEach(r -> r.removeAll(doomed));
        return new Outcome(new Ok(previous(s, root)), delivered, doomed, after);
    }

    private static Note removedFrom(Key to, String attribute, long removedId) {
        return new Note(to, new JsonObject().put("verb", "removedFrom").put("id", to.id()).put("attribute", attribute)
                .put("removedId", removedId));
    }

    /** Every socket receives the messages addressed to the records whose rooms it is in. */
    private static List<List<Note>> deliveries(State s, List<Note> notes) {
        List<List<Note>> delivered = new ArrayList<>();
        for (Set<Key> room : s.rooms) {
            delivered.add(notes.stream().filter(n -> room.contains(n.to())).toList());
        }
        return delivered;
    }

    /**
     * The record populated as the contract says: attributes in the models file's order, then id, createdAt,
     * updatedAt; a singular association as the shallow target (or null); a collection as at most 30 shallow
     * records in id order; private attributes nowhere.
     */
    JsonObject previous(State s, Key k) {
        Rec r = s.get(k);
        JsonObject json = new JsonObject();
        for (Attr a : models.get(k.model())) {
            switch (a.kind()) {
                case SCALAR -> {
                    if (!a.hidden()) {
                        json.put(a.name(), r.values.get(a.name()));
                    }
                }
                case SINGULAR -> {
                    if (!a.hidden()) {
                        Object target = r.values.get(a.name());
                        json.put(a.name(), target == null ? null : shallow(s, new Key(a.target(), (Long) target)));
                    }
                }
                case COLLECTION -> {
                    JsonArray members = new JsonArray();
                    s.members(k.model(), k.id(), a).stream().limit(COLLECTION_LIMIT)
                            .forEach(id -> members.add(shallow(s, new Key(a.target(), id))));
                    json.put(a.name(), members);
                }
            }
        }
        return stamps(json, r);
    }

    /** Own columns only, foreign keys as ids. */
    JsonObject shallow(State s, Key k) {
        Rec r = s.get(k);
        JsonObject json = new JsonObject();
        for (Attr a : models.get(k.model())) {
            if (a.kind() != Kind.COLLECTION && !a.hidden()) {
                json.put(a.name(), r.values.get(a.name()));
            }
        }
        return stamps(json, r);
    }

    private static JsonObject stamps(JsonObject json, Rec r) {
        return json.put("id", r.id).put("createdAt", r.createdAt).put("updatedAt", r.updatedAt);
    }

    /**
     * {@code record} (a populated or shallow record of {@code model}, as sent or expected) with the
     * updatedAt of records in {@code unknown} replaced by "?", at every depth: a record changed earlier in
     * the same group of concurrent destroys has a timestamp the reference cannot know.
     */
    JsonObject masked(String model, JsonObject record, Set<Key> unknown) {
        JsonObject copy = record.copy();
        if (copy.getValue("id") instanceof Number id && unknown.contains(new Key(model, id.longValue()))) {
            copy.put("updatedAt", "?");
        }
        for (Attr a : models.get(model)) {
            Object v = copy.getValue(a.name());
            if (a.kind() == Kind.SINGULAR && v instanceof JsonObject target) {
                copy.put(a.name(), masked(a.target(), target, unknown));
            } else if (a.kind() == Kind.COLLECTION && v instanceof JsonArray members) {
                JsonArray m = new JsonArray();
                members.forEach(x -> m.add(x instanceof JsonObject o ? masked(a.target(), o, unknown) : x));
                copy.put(a.name(), m);
            }
        }
        return copy;
    }

    /** A notification as sent, with {@link #masked} applied to its {@code previous}. */
    JsonObject maskedMessage(String model, JsonObject message, Set<Key> unknown) {
        if (message.getValue("previous") instanceof JsonObject previous && models.containsKey(model)) {
            return message.copy().put("previous", masked(model, previous, unknown));
        }
        return message;
    }

    /** The row the database must hold for {@code r}: every column, private ones included. */
    JsonObject row(String model, Rec r) {
        JsonObject json = new JsonObject().put("id", r.id).put("createdAt", r.createdAt).put("updatedAt", r.updatedAt == null ? "?" : r.updatedAt);
        models.get(model).stream().filter(a -> a.kind() != Kind.COLLECTION).forEach(a -> json.put(a.name(), r.values.get(a.name())));
        return json;
    }
}
