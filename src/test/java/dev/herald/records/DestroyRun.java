package dev.herald.records;

import dev.herald.models.Junction;
import dev.herald.models.Models;
import dev.herald.models.ModelsLoader;
import dev.herald.records.DestroyJudge.Observed;
import dev.herald.records.DestroyJudge.Reply;
import dev.herald.records.DestroyJudge.Request;
import dev.herald.records.DestroyReference.Attr;
import dev.herald.records.DestroyReference.Key;
import dev.herald.records.DestroyReference.Kind;
import dev.herald.records.DestroyReference.Linkage;
import dev.herald.records.DestroyReference.Pair;
import dev.herald.records.DestroyReference.Rec;
import dev.herald.records.DestroyReference.State;
import dev.herald.records.DestroyScenario.Destroy;
import dev.herald.records.DestroyScenario.Resurrect;
import dev.herald.records.DestroyScenario.Step;
import dev.herald.records.DestroyScenario.Subscribe;
import dev.herald.records.DestroyScenario.Together;
import dev.herald.testing.TestNode;
import dev.herald.testing.TestSocket;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs one {@link DestroyScenario} on a real node: the records straight into its database, real sockets
 * subscribed, then each step over HTTP, and after each step the answers, every socket's notifications
 * and every table judged against {@link DestroyReference} ({@link DestroyJudge}). A failure names the
 * step and prints the whole scenario, which reads back with {@link DestroyScenario#parse}.
 *
 * <p>Every run has a node of its own, closed at the end whatever happens: jqwik's bounded shrinking
 * goes on in another thread after its time is up, so runs must not share one.
 */
final class DestroyRun {
    /** A record that every socket watches: updating it after a step is a barrier for that step's notifications. */
    static final String FENCE = "fence";
    private static final String FENCE_MODEL = FENCE + ":\n  attributes:\n    n: { type: number }\n";

    private final DestroyScenario scenario;
    private final DestroyReference ref;
    private final Models schema;
    private final TestNode herald;
    private final DestroyJudge judge;
    private State state;

    private DestroyRun(DestroyScenario scenario, Models schema, TestNode herald) {
        this.scenario = scenario;
        this.ref = new DestroyReference(scenario.models());
        this.schema = schema;
        this.herald = herald;
        this.judge = new DestroyJudge(ref, this::tables);
    }

    static void run(DestroyScenario scenario) {
        String yaml = scenario.models() + FENCE_MODEL;
        // Herald's reading of the file, only for the names of its junction tables and columns
        Models schema = ModelsLoader.parse(yaml, "scenario models", false);
        try (TestNode herald = TestNode.withModels(yaml)) {
            new DestroyRun(scenario, schema, herald).go();
        }
    }

    private void go() {
        state = initialState();
        herald.database().query(seed()).execute().await();
        DestroyJudge.Verdict seeded = judge.judge(state, List.of(), new Observed(List.of(), noSockets(), snapshot()));
        if (seeded.accepted() == null) {
            throw failure("seeding the database", seeded.report());
        }
        try (Sockets sockets = new Sockets()) {
            for (int i = 0; i < DestroyScenario.SOCKETS; i++) {
                sockets.all.add(TestSocket.connect(herald.vertx(), herald.port(), null));
                subscribe(sockets, i, FENCE, List.of(1L), "subscribing to the fence", false);
            }
            for (DestroyScenario.Subscription s : scenario.subscriptions()) {
                subscribe(sockets, s.socket(), s.model(), s.ids(), "subscriptions", true);
            }
            int n = 0;
            for (Step step : scenario.steps()) {
                n++;
                perform(sockets, step, n, "step " + n + " (" + step + ")");
            }
        }
    }

    private void perform(Sockets sockets, Step step, int n, String label) {
        List<Request> requests = new ArrayList<>();
        List<Reply> replies = new ArrayList<>();
        if (step instanceof Destroy d) {
            requests.add(new Request(d.model(), d.id()));
            replies.add(reply(herald.delete("/" + d.model() + "/" + d.id())));
        } else if (step instanceof Together t) {
            t.ids().forEach(id -> requests.add(new Request(t.model(), id)));
            herald.destroyAtOnce(t.model(), t.ids()).forEach(r -> replies.add(reply(r)));
        } else if (step instanceof Resurrect r) {
            resurrect(r.model(), r.id(), n);
        } else if (step instanceof Subscribe s) {
            subscribe(sockets, s.socket(), s.model(), s.ids(), label, true);
        }
        fence(sockets, n, label);
        List<Map<String, List<JsonObject>>> received = new ArrayList<>();
        for (TestSocket socket : sockets.all) {
            Map<String, List<JsonObject>> byModel = new LinkedHashMap<>();
            ref.models.keySet().forEach(model -> byModel.put(model, socket.notifications(model, 0)));
            received.add(byModel);
        }
        DestroyJudge.Verdict verdict = judge.judge(state, requests, new Observed(replies, received, snapshot()));
        if (verdict.accepted() == null) {
            throw failure(label, verdict.report());
        }
        state = verdict.accepted();
        learnTimestamps();
    }

    /** Rows the reference changed have a new updatedAt that only the database knows: take it from there. */
    private void learnTimestamps() {
        if (state.touched.isEmpty()) {
            return;
        }
        State next = state.copy();
        for (Key k : state.touched) {
            Rec r = next.get(k);
            if (r != null) {
                r.updatedAt = herald.sql("SELECT \"updatedAt\" FROM " + quote(k.model()) + " WHERE id = $1", k.id()).get(0).getLong(0);
            }
        }
        next.touched.clear();
        state = next;
    }

    private static Reply reply(HttpResponse<Buffer> response) {
        String text = response.bodyAsString();
        try {
            return new Reply(response.statusCode(), text == null ? null : new JsonObject(text));
        } catch (DecodeException notJson) {
            return new Reply(response.statusCode(), text);
        }
    }

    private void subscribe(Sockets sockets, int socket, String model, List<Long> ids, String label, boolean judged) {
        JsonObject reply = sockets.all.get(socket).ask("herald.subscribe", new JsonObject().put("model", model)
                .put("ids", new JsonArray(new ArrayList<>(ids))), herald.adminToken());
        List<Long> subscribed = new ArrayList<>();
        List<Long> notFound = new ArrayList<>();
        for (Long id : ids) {
            boolean exists = !judged || state.get(new Key(model, id)) != null;
            (exists ? subscribed : notFound).add(id);
            if (exists && judged) {
                state.rooms.get(socket).add(new Key(model, id));
            }
        }
        JsonObject expected = new JsonObject().put("subscribed", new JsonArray(new ArrayList<>(subscribed)))
                .put("notFound", new JsonArray(new ArrayList<>(notFound)));
        JsonObject body = reply.getJsonObject("body");
        if (!"rec".equals(reply.getString("type")) || body == null
                || !sorted(body.getJsonArray("subscribed")).equals(sorted(expected.getJsonArray("subscribed")))
                || !sorted(body.getJsonArray("notFound")).equals(sorted(expected.getJsonArray("notFound")))) {
            throw failure(label, "socket " + socket + " subscribing to " + model + " " + ids + ": expected the reply " + expected
                    + "\n  actual " + reply.encode());
        }
    }

    private static List<String> sorted(JsonArray ids) {
        return ids == null ? null : ids.stream().map(DestroyJudge::canonical).sorted().toList();
    }

    /** Updates the fence and waits for that update on every socket: what the step published has arrived by then. */
    private void fence(Sockets sockets, int n, String label) {
        int status = herald.patch("/" + FENCE + "/1", new JsonObject().put("n", n)).statusCode();
        if (status != 200) {
            throw failure(label, "updating the fence answered " + status);
        }
        for (int i = 0; i < sockets.all.size(); i++) {
            try {
                sockets.all.get(i).await(f -> FENCE.equals(f.getString("address")) && f.getValue("body") instanceof JsonObject b
                        && b.getValue("data") instanceof JsonObject d && d.getValue("n") instanceof Number v && v.intValue() == n);
            } catch (AssertionError timeout) {
                throw failure(label, "socket " + i + " never received the fence's update: " + timeout.getMessage());
            }
        }
    }

    private void resurrect(String model, long id, int n) {
        Key key = new Key(model, id);
        if (state.get(key) != null) {
            return;
        }
        Rec r = new Rec(id, 900_000L + n, 900_000L + n, scalars(model, id));
        ref.models.get(model).stream().filter(a -> a.kind() == Kind.SINGULAR).forEach(a -> r.values.put(a.name(), null));
        herald.database().query(insert(model, List.of(r))).execute().await();
        State next = state.copy();
        next.records.get(model).put(id, r);
        state = next;
    }

    private List<Map<String, List<JsonObject>>> noSockets() {
        List<Map<String, List<JsonObject>>> none = new ArrayList<>();
        state.rooms.forEach(r -> none.add(Map.of()));
        return none;
    }

    private AssertionError failure(String label, String report) {
        return new AssertionError("\n" + label + ":\n" + report + "\nscenario:\n" + scenario);
    }

    // ---- the database

    private State initialState() {
        State s = ref.state(DestroyScenario.SOCKETS);
        List<String> order = new ArrayList<>(ref.models.keySet());
        for (DestroyScenario.Row row : scenario.records()) {
            Map<String, Object> values = scalars(row.model(), row.id());
            ref.models.get(row.model()).stream().filter(a -> a.kind() == Kind.SINGULAR)
                    .forEach(a -> values.put(a.name(), row.fks().get(a.name())));
            long created = 1000L * (order.indexOf(row.model()) + 1) + row.id();
            s.records.get(row.model()).put(row.id(), new Rec(row.id(), created, created + 7, values));
        }
        scenario.links().forEach(l -> s.link(l.model(), l.id(), l.attribute(), l.other()));
        return s;
    }

    private Map<String, Object> scalars(String model, long id) {
        Map<String, Object> values = new HashMap<>();
        ref.models.get(model).stream().filter(a -> a.kind() == Kind.SCALAR)
                .forEach(a -> values.put(a.name(), DestroyScenario.value(model, id, a.name(), a.type())));
        return values;
    }

    /** Rows without foreign keys, then the foreign keys (cycles need both rows first), then links, then the fence. */
    private String seed() {
        StringBuilder sql = new StringBuilder();
        state.records.forEach((model, records) -> {
            if (!records.isEmpty()) {
                sql.append(insert(model, records.values()));
            }
        });
        state.records.forEach((model, records) -> records.values().forEach(r -> ref.models.get(model).stream()
                .filter(a -> a.kind() == Kind.SINGULAR && r.values.get(a.name()) != null)
                .forEach(a -> sql.append("UPDATE ").append(quote(model)).append(" SET ").append(quote(a.name())).append(" = ")
                        .append(r.values.get(a.name())).append(" WHERE id = ").append(r.id).append(";\n"))));
        tables(state).forEach((table, rows) -> {
            if (!ref.models.containsKey(table) && !rows.isEmpty()) {
                List<String> columns = new ArrayList<>(rows.get(0).fieldNames());
                sql.append("INSERT INTO ").append(quote(table)).append(" (").append(columns.stream().map(DestroyRun::quote)
                        .collect(Collectors.joining(", "))).append(") VALUES ").append(rows.stream()
                        .map(r -> columns.stream().map(c -> String.valueOf(r.getValue(c))).collect(Collectors.joining(", ", "(", ")")))
                        .collect(Collectors.joining(", "))).append(";\n");
            }
        });
        sql.append("INSERT INTO ").append(quote(FENCE)).append(" (id, \"createdAt\", \"updatedAt\", n) VALUES (1, 0, 0, 0);\n");
        return sql.toString();
    }

    private String insert(String model, java.util.Collection<Rec> records) {
        List<Attr> scalars = ref.models.get(model).stream().filter(a -> a.kind() == Kind.SCALAR).toList();
        StringBuilder sql = new StringBuilder("INSERT INTO " + quote(model) + " (id, \"createdAt\", \"updatedAt\"");
        scalars.forEach(a -> sql.append(", ").append(quote(a.name())));
        sql.append(") VALUES ");
        sql.append(records.stream().map(r -> {
            StringBuilder v = new StringBuilder("(" + r.id + ", " + r.createdAt + ", " + r.updatedAt);
            scalars.forEach(a -> v.append(", ").append(literal(r.values.get(a.name()), a.type())));
            return v.append(")").toString();
        }).collect(Collectors.joining(", ")));
        return sql.append(";\n").toString();
    }

    private static String literal(Object value, String type) {
        if (value == null) {
            return "NULL";
        }
        return switch (type) {
            case "string" -> "'" + value.toString().replace("'", "''") + "'";
            case "json" -> "'" + Json.encode(value).replace("'", "''") + "'::jsonb";
            default -> value.toString();
        };
    }

    /** The tables a state means: every model's rows (private columns included) and every junction's. */
    private Map<String, List<JsonObject>> tables(State s) {
        Map<String, List<JsonObject>> tables = new LinkedHashMap<>();
        s.records.forEach((model, records) -> tables.put(model, records.values().stream().map(r -> ref.row(model, r)).toList()));
        for (Linkage l : ref.linkages) {
            Junction j = schema.junction(l.modelA(), l.attrA()).orElseThrow();
            boolean same = j.modelA().equals(l.modelA()) && j.attrA().equals(l.attrA());
            String a = same ? j.columnA() : j.columnB();
            String b = same ? j.columnB() : j.columnA();
            List<JsonObject> rows = new ArrayList<>();
            for (Pair p : s.links.get(l)) {
                rows.add(new JsonObject().put(a, p.a()).put(b, p.b()));
                if (l.symmetric() && p.a() != p.b()) {
                    rows.add(new JsonObject().put(a, p.b()).put(b, p.a()));
                }
            }
            tables.merge(j.table(), rows, (x, y) -> {
                List<JsonObject> both = new ArrayList<>(x);
                both.addAll(y);
                return both;
            });
        }
        return tables;
    }

    /** Every model table and junction table, read straight, each row as {@code to_jsonb}. */
    private Map<String, List<JsonObject>> snapshot() {
        List<String> parts = new ArrayList<>();
        ref.models.keySet().forEach(m -> parts.add("SELECT '" + m + "' AS t, to_jsonb(x) AS r FROM " + quote(m) + " x"));
        ref.linkages.stream().map(l -> schema.junction(l.modelA(), l.attrA()).orElseThrow().table()).distinct()
                .forEach(t -> parts.add("SELECT '" + t + "' AS t, to_jsonb(x) AS r FROM " + quote(t) + " x"));
        Map<String, List<JsonObject>> tables = new LinkedHashMap<>();
        for (Row row : herald.sql(String.join(" UNION ALL ", parts))) {
            tables.computeIfAbsent(row.getString("t"), k -> new ArrayList<>()).add((JsonObject) row.getValue("r"));
        }
        return tables;
    }

    private static String quote(String identifier) {
        return '"' + identifier + '"';
    }

    /** The sockets of one run, all closed whatever happens. */
    private static final class Sockets implements AutoCloseable {
        final List<TestSocket> all = new ArrayList<>();

        @Override
        public void close() {
            all.forEach(TestSocket::close);
        }
    }
}
