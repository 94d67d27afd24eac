package dev.herald.records;

import dev.herald.records.DestroyReference.Blocker;
import dev.herald.records.DestroyReference.Key;
import dev.herald.records.DestroyReference.Missing;
import dev.herald.records.DestroyReference.Note;
import dev.herald.records.DestroyReference.Ok;
import dev.herald.records.DestroyReference.Outcome;
import dev.herald.records.DestroyReference.Refused;
import dev.herald.records.DestroyReference.State;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Judges one step against the reference: the answers, what every socket received and the database.
 * The destroys of a step that were sent at once may have been committed in any order, so the step passes
 * when some serial order of them (and, where the contract allows two outcomes, some choice) explains
 * everything that was observed; when only one order is possible, that is an exact comparison.
 */
final class DestroyJudge {
    /** Explored serial orders and choices per step, at most (5 destroys at once: 120 orders). */
    private static final int MAX_LEAVES = 20_000;

    record Request(String model, long id) {
        @Override
        public String toString() {
            return "DELETE /" + model + "/" + id;
        }
    }

    /** An HTTP answer: its status and its body, as JSON when it is JSON. */
    record Reply(int status, Object body) {
        @Override
        public String toString() {
            return status + " " + (body instanceof JsonObject o ? o.encode() : String.valueOf(body));
        }
    }

    /**
     * What a step produced: the answers (in request order), per socket the notification bodies per model
     * address in arrival order, and the database (per table, each row as JSON).
     */
    record Observed(List<Reply> replies, List<Map<String, List<JsonObject>>> received, Map<String, List<JsonObject>> tables) {
    }

    /** The state the step leads to, or why no order explains it. */
    record Verdict(State accepted, String report) {
    }

    private record Leaf(List<Integer> order, Outcome[] outcomes, List<Set<Key>> masks, State after, List<List<Note>> delivered) {
    }

    private final DestroyReference ref;
    private final Function<State, Map<String, List<JsonObject>>> database;

    /** {@code database}: the tables, rows as JSON, that a state means (the judge does not know the junction tables' names). */
    DestroyJudge(DestroyReference ref, Function<State, Map<String, List<JsonObject>>> database) {
        this.ref = ref;
        this.database = database;
    }

    Verdict judge(State before, List<Request> requests, Observed observed) {
        List<Leaf> leaves = new ArrayList<>();
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            all.add(i);
        }
        explore(before, requests, all, new ArrayList<>(), new Outcome[requests.size()], new ArrayList<>(requests.stream()
                .map(r -> Set.<Key>of()).toList()), emptyDeliveries(before), leaves);
        List<String> closest = null;
        Leaf closestLeaf = null;
        for (Leaf leaf : leaves) {
            List<String> problems = compare(requests, leaf, observed);
            if (problems.isEmpty()) {
                return new Verdict(leaf.after(), null);
            }
            if (closest == null || problems.size() < closest.size()) {
                closest = problems;
                closestLeaf = leaf;
            }
        }
        StringBuilder report = new StringBuilder();
        if (requests.size() > 1) {
            report.append("no serial order of the ").append(requests.size()).append(" destroys sent at once explains what happened (")
                    .append(leaves.size()).append(" orders and choices tried); the closest, in this order: ")
                    .append(closestLeaf.order().stream().map(i -> "#" + i + " " + requests.get(i)).collect(Collectors.joining(", ")))
                    .append('\n');
        }
        closest.forEach(p -> report.append("  - ").append(p).append('\n'));
        report.append("answers:\n");
        for (int i = 0; i < requests.size(); i++) {
            report.append("  #").append(i).append(' ').append(requests.get(i)).append(" -> ").append(observed.replies().get(i)).append('\n');
        }
        return new Verdict(null, report.toString());
    }

    private List<List<Note>> emptyDeliveries(State s) {
        List<List<Note>> d = new ArrayList<>();
        s.rooms.forEach(r -> d.add(List.of()));
        return d;
    }

    private void explore(State s, List<Request> requests, List<Integer> left, List<Integer> order, Outcome[] outcomes,
                         List<Set<Key>> masks, List<List<Note>> delivered, List<Leaf> leaves) {
        if (leaves.size() >= MAX_LEAVES) {
            return;
        }
        if (left.isEmpty()) {
            leaves.add(new Leaf(List.copyOf(order), outcomes.clone(), List.copyOf(masks), s, delivered));
            return;
        }
        for (Integer next : left) {
            Request r = requests.get(next);
            List<Integer> rest = new ArrayList<>(left);
            rest.remove(next);
            List<Integer> nextOrder = new ArrayList<>(order);
            nextOrder.add(next);
            List<Set<Key>> nextMasks = new ArrayList<>(masks);
            nextMasks.set(next, Set.copyOf(s.touched));
            for (Outcome o : ref.destroy(s, r.model(), r.id())) {
                Outcome[] chosen = outcomes.clone();
                chosen[next] = o;
                List<List<Note>> more = new ArrayList<>();
                for (int socket = 0; socket < delivered.size(); socket++) {
                    List<Note> notes = new ArrayList<>(delivered.get(socket));
                    notes.addAll(o.delivered().get(socket));
                    more.add(notes);
                }
                explore(o.after(), requests, rest, nextOrder, chosen, nextMasks, more, leaves);
            }
        }
    }

    private List<String> compare(List<Request> requests, Leaf leaf, Observed observed) {
        List<String> problems = new ArrayList<>();
        Set<Key> notificationMask = new HashSet<>();
        leaf.masks().forEach(notificationMask::addAll);
        for (int i = 0; i < requests.size(); i++) {
            answer(requests.get(i), leaf.outcomes()[i], observed.replies().get(i), leaf.masks().get(i), problems);
        }
        for (int socket = 0; socket < leaf.delivered().size(); socket++) {
            notifications(socket, leaf.delivered().get(socket), observed.received().get(socket), notificationMask, problems);
        }
        if (requests.size() == 1 && leaf.outcomes()[0].answer() instanceof Ok) {
            destroyedFirst(requests.get(0), leaf, observed, problems);
        }
        tables(leaf.after(), observed.tables(), problems);
        return problems;
    }

    private void answer(Request r, Outcome expected, Reply actual, Set<Key> mask, List<String> problems) {
        String what = "answer to " + r + ": ";
        JsonObject body = actual.body() instanceof JsonObject o ? o : null;
        if (expected.answer() instanceof Ok ok) {
            String want = canonical(ref.masked(r.model(), ok.previous(), mask));
            if (actual.status() != 200 || body == null) {
                problems.add(what + "expected 200 " + want + "\n      actual   " + actual);
            } else if (!want.equals(canonical(ref.masked(r.model(), body, mask)))) {
                problems.add(what + "expected 200 " + want + "\n      actual   200 " + canonical(ref.masked(r.model(), body, mask)));
            } else if (!List.copyOf(ok.previous().fieldNames()).equals(List.copyOf(body.fieldNames()))) {
                problems.add(what + "attributes not in the models file's order: expected " + ok.previous().fieldNames()
                        + ", actual " + body.fieldNames());
            }
        } else if (expected.answer() instanceof Missing) {
            if (actual.status() != 404 || body == null || !"E_NOT_FOUND".equals(body.getValue("code"))) {
                problems.add(what + "expected 404 E_NOT_FOUND\n      actual   " + actual);
            }
        } else {
            Refused refused = (Refused) expected.answer();
            JsonObject children = body != null && body.getValue("details") instanceof JsonObject d
                    && d.getValue("children") instanceof JsonObject c ? c : null;
            boolean ok = actual.status() == 409 && body != null && "E_HAS_CHILDREN".equals(body.getValue("code")) && children != null
                    && refused.blockers().stream().anyMatch(b -> lists(b, children));
            if (!ok) {
                problems.add(what + "expected 409 E_HAS_CHILDREN with details.children = the restrict children of one of "
                        + refused.blockers().stream().map(DestroyJudge::describe).collect(Collectors.joining(" or "))
                        + "\n      actual   " + actual);
            }
        }
    }

    /** {@code children} names some of the blocker's children: at least those the destroy would not reach, no others, no twice. */
    private static boolean lists(Blocker b, JsonObject children) {
        if (children.isEmpty()) {
            return false;
        }
        for (String model : children.fieldNames()) {
            if (!(children.getValue(model) instanceof JsonArray ids) || ids.isEmpty()) {
                return false;
            }
            Set<Long> listed = new TreeSet<>();
            for (Object id : ids) {
                if (!(id instanceof Number n) || !listed.add(n.longValue())) {
                    return false;
                }
            }
            if (!b.allowed().getOrDefault(model, new TreeSet<>()).containsAll(listed)
                    || !listed.containsAll(b.required().getOrDefault(model, new TreeSet<>()))) {
                return false;
            }
        }
        return children.fieldNames().containsAll(b.required().keySet());
    }

    private static String describe(Blocker b) {
        return b.record() + " " + b.allowed() + (b.required().equals(b.allowed()) ? "" : " (at least " + b.required() + ")");
    }

    private void notifications(int socket, List<Note> expected, Map<String, List<JsonObject>> received, Set<Key> mask,
                               List<String> problems) {
        Map<String, Integer> balance = new TreeMap<>();
        for (Note n : expected) {
            balance.merge(n.to().model() + " " + canonical(ref.maskedMessage(n.to().model(), n.message(), mask)), 1, Integer::sum);
        }
        received.forEach((model, bodies) -> bodies.forEach(b -> balance.merge(model + " " + canonical(ref.maskedMessage(model, b, mask)),
                -1, Integer::sum)));
        balance.forEach((message, count) -> {
            if (count > 0) {
                problems.add("socket " + socket + " did not receive" + (count > 1 ? " (" + count + " times)" : "") + ": " + message);
            } else if (count < 0) {
                problems.add("socket " + socket + " received unexpectedly" + (count < -1 ? " (" + -count + " times)" : "") + ": " + message);
            }
        });
    }

    /** README: a destroy's {@code destroyed} comes first; checked among the messages on the record's own address. */
    private void destroyedFirst(Request r, Leaf leaf, Observed observed, List<String> problems) {
        for (int socket = 0; socket < leaf.delivered().size(); socket++) {
            List<Note> mine = leaf.delivered().get(socket);
            if (mine.isEmpty() || !mine.get(0).to().equals(new Key(r.model(), r.id()))) {
                continue;
            }
            List<JsonObject> onAddress = observed.received().get(socket).getOrDefault(r.model(), List.of());
            if (!onAddress.isEmpty() && !(Long.valueOf(r.id()).equals(number(onAddress.get(0).getValue("id")))
                    && "destroyed".equals(onAddress.get(0).getValue("verb")))) {
                problems.add("socket " + socket + " received " + onAddress.get(0).encode() + " before the destroyed of " + r.model() + " " + r.id());
            }
        }
    }

    private static Long number(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }

    private void tables(State expectedState, Map<String, List<JsonObject>> actualTables, List<String> problems) {
        Map<String, List<JsonObject>> expectedTables = database.apply(expectedState);
        expectedTables.forEach((table, expectedRows) -> {
            String model = ref.models.containsKey(table) ? table : null;
            Map<String, Integer> balance = new TreeMap<>();
            expectedRows.forEach(row -> balance.merge(canonical(maskRow(model, row, expectedState)), 1, Integer::sum));
            actualTables.getOrDefault(table, List.of()).forEach(row -> balance.merge(canonical(maskRow(model, row, expectedState)), -1,
                    Integer::sum));
            balance.forEach((row, count) -> {
                if (count > 0) {
                    problems.add("database: table " + table + " lacks the row " + row);
                } else if (count < 0) {
                    problems.add("database: table " + table + " has an unexpected row " + row);
                }
            });
        });
    }

    private static JsonObject maskRow(String model, JsonObject row, State s) {
        if (model != null && row.getValue("id") instanceof Number id && s.touched.contains(new Key(model, id.longValue()))) {
            return row.copy().put("updatedAt", "?");
        }
        return row;
    }

    /** JSON with keys sorted at every depth and numbers in one form, so that equal values print equal. */
    static String canonical(Object json) {
        if (json instanceof JsonObject o) {
            return o.fieldNames().stream().sorted().map(k -> Json.encode(k) + ":" + canonical(o.getValue(k)))
                    .collect(Collectors.joining(",", "{", "}"));
        }
        if (json instanceof JsonArray a) {
            return a.stream().map(DestroyJudge::canonical).collect(Collectors.joining(",", "[", "]"));
        }
        if (json instanceof Number n) {
            return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
        }
        return Json.encode(json);
    }
}
