package dev.herald.it;

import dev.herald.testing.Tier;
import dev.herald.testing.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Haystack watches across two nodes in separate JVMs on one PostgreSQL: a watch opened on one node is
 * polled alternately on both while writers create, update and delete entities through both, and
 * every change of a watched entity is reported (the last row a poll gave for each is the entity as
 * {@code read} answers it), every deleted watched entity comes back exactly once as a {@code removed}
 * row and never after, unwatched entities never come back, and a watch closed on one node is unknown
 * on the other. Nothing here depends on timing: the writers and the poller only interleave.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tier.Integration
class WatchClusterIT {
    private static final String MODELS = """
            pony:
              attributes:
                name: { type: string }
            """;
    private static final int A = 0;
    private static final int B = 1;
    private static final int WATCHED = 24;
    private static final int UNWATCHED = 12;
    private static final int WRITERS = 4;
    private static final int ROUNDS = 5;
    /** The round in which a writer deletes its doomed entities (after updating them). */
    private static final int DELETION_ROUND = 2;

    private ClusterNodes cluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(30)).build();
    private final String token = Tokens.admin(ClusterNodes.SECRET);

    @BeforeAll
    void start() throws Exception {
        cluster = new ClusterNodes(MODELS);
        cluster.start(2, 2);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Answer(int status, JsonObject grid) {
        List<JsonObject> rows() {
            List<JsonObject> rows = new ArrayList<>();
            grid.getJsonArray("rows").forEach(r -> rows.add((JsonObject) r));
            return rows;
        }

        String dis() {
            return grid.getJsonObject("meta").getString("dis");
        }
    }

    private Answer op(int node, String op, JsonObject grid) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.port(node) + "/api/" + op))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(java.time.Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(grid.encode())).build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), new JsonObject(r.body()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(op + " on node " + node, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Answer ok(int node, String op, JsonObject grid) {
        Answer a = op(node, op, grid);
        assertEquals(200, a.status(), op + " on node " + node + ": " + a.grid().encode());
        assertFalse(a.grid().getJsonObject("meta").containsKey("err"), a.grid().encode());
        return a;
    }

    private static JsonObject grid(JsonObject meta, List<String> cols, List<JsonObject> rows) {
        JsonArray columns = new JsonArray();
        cols.forEach(c -> columns.add(new JsonObject().put("name", c)));
        return new JsonObject().put("meta", meta.copy().put("ver", "3.0")).put("cols", columns).put("rows", new JsonArray(new ArrayList<>(rows)));
    }

    private static JsonObject idRow(String id) {
        return new JsonObject().put("id", "r:" + id);
    }

    private static List<JsonObject> idRows(List<String> ids) {
        return ids.stream().map(WatchClusterIT::idRow).toList();
    }

    /** The UUID of a row's {@code id} ({@code r:<uuid> <dis>}), or null for a row of nulls. */
    private static String idOf(JsonObject row) {
        String id = row.getString("id");
        return id == null ? null : id.substring(2).split(" ")[0];
    }

    private Answer poll(int node, String watchId, boolean refresh) {
        JsonObject meta = new JsonObject().put("watchId", "s:" + watchId);
        if (refresh) {
            meta.put("refresh", "m:");
        }
        return op(node, "watchPoll", grid(meta, List.of("empty"), List.of()));
    }

    private static JsonObject entity(String id, String dis) {
        return new JsonObject().put("id", "r:" + id).put("dis", "s:" + dis).put("wit", "m:").put("count", "n:0");
    }

    private void create(int node, List<JsonObject> rows) {
        for (int from = 0; from < rows.size(); from += 10) {
            ok(node, "createRec", grid(new JsonObject(), List.of("id", "dis", "wit", "count"), rows.subList(from, Math.min(rows.size(), from + 10))));
        }
    }

    /** The entities as {@code read} answers them now, by id. */
    private Map<String, JsonObject> read(int node, List<String> ids) {
        Map<String, JsonObject> byId = new HashMap<>();
        ok(node, "read", grid(new JsonObject(), List.of("id"), idRows(ids))).rows().forEach(r -> byId.put(idOf(r), r));
        return byId;
    }

    /** One poll as the test saw it. */
    private record Poll(int index, int node, List<JsonObject> rows) {
    }

    @Test
    void aWatchPolledAlternatelyOnTwoNodesSeesEveryChangeMadeThroughBoth() throws Exception {
        List<String> watched = new ArrayList<>();
        List<String> unwatched = new ArrayList<>();
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < WATCHED + UNWATCHED; i++) {
            String id = UUID.randomUUID().toString();
            (i < WATCHED ? watched : unwatched).add(id);
            rows.add(entity(id, (i < WATCHED ? "watched " : "unwatched ") + i));
        }
        create(A, rows.subList(0, rows.size() / 2));
        create(B, rows.subList(rows.size() / 2, rows.size()));

        // watchSub on A: the rows in request order, an unknown id as a row of nulls
        String unknown = UUID.randomUUID().toString();
        List<String> asked = new ArrayList<>(watched);
        asked.add(3, unknown);
        Answer sub = ok(A, "watchSub", grid(new JsonObject().put("watchDis", "s:cluster").put("lease", "n:10 min"), List.of("id"), idRows(asked)));
        String watchId = sub.grid().getJsonObject("meta").getString("watchId").substring(2);
        assertEquals("n:600 s", sub.grid().getJsonObject("meta").getString("lease"));
        List<String> answeredIds = sub.rows().stream().map(WatchClusterIT::idOf).toList();
        List<String> expectedIds = new ArrayList<>(asked);
        expectedIds.set(3, null);
        assertEquals(expectedIds, answeredIds, "request order, the unknown id as a row of nulls");

        List<Poll> polls = new ArrayList<>();
        // Deterministic first: a change made through B is reported on A, and one made through A on B.
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        watched.forEach(id -> counts.put(id, 0));
        unwatched.forEach(id -> counts.put(id, 0));
        Answer first = poll(A, watchId, false);
        assertEquals(200, first.status(), first.grid().encode());
        assertEquals(List.of(), first.rows(), "nothing changed yet");
        ok(B, "updateRec", grid(new JsonObject(), List.of("id", "count"), List.of(idRow(watched.get(0)).put("count", "n:1"))));
        counts.put(watched.get(0), 1);
        Answer onA = poll(A, watchId, false);
        assertEquals(200, onA.status(), onA.grid().encode());
        polls.add(new Poll(polls.size(), A, onA.rows()));
        assertEquals(List.of(watched.get(0)), onA.rows().stream().map(WatchClusterIT::idOf).toList(), "B's change, polled on A");
        ok(A, "updateRec", grid(new JsonObject(), List.of("id", "count"), List.of(idRow(watched.get(1)).put("count", "n:1"))));
        counts.put(watched.get(1), 1);
        Answer onB = poll(B, watchId, false);
        assertEquals(200, onB.status(), onB.grid().encode());
        polls.add(new Poll(polls.size(), B, onB.rows()));
        assertEquals(List.of(watched.get(1)), onB.rows().stream().map(WatchClusterIT::idOf).toList(), "A's change, polled on B");

        // Then writers on both nodes at once, while the watch is polled alternately on A and B.
        List<String> all = new ArrayList<>(watched);
        all.addAll(unwatched);
        Set<String> doomed = new HashSet<>();
        for (int i = 0; i < WATCHED; i += 4) {
            doomed.add(watched.get(i + 2));
        }
        for (int i = 0; i < UNWATCHED; i += 4) {
            doomed.add(unwatched.get(i + 1));
        }
        Set<String> createdMeanwhile = ConcurrentHashMap.newKeySet();
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        List<Future<Integer>> done = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            List<String> owned = new ArrayList<>();
            for (int i = writer; i < all.size(); i += WRITERS) {
                owned.add(all.get(i));
            }
            done.add(writers.submit(() -> write(writer, owned, doomed, counts, createdMeanwhile)));
        }
        int node = A;
        try {
            while (done.stream().anyMatch(f -> !f.isDone())) {
                node = 1 - node;
                Answer p = poll(node, watchId, false);
                assertEquals(200, p.status(), "poll " + polls.size() + " on node " + node + ": " + p.grid().encode());
                polls.add(new Poll(polls.size(), node, p.rows()));
                Thread.sleep(20);
            }
            int requests = 0;
            for (Future<Integer> f : done) {
                requests += f.get();
            }
            System.out.printf("watch cluster: %d write requests through both nodes, %d polls during them%n", requests, polls.size() - 2);
        } finally {
            writers.shutdownNow();
            assertTrue(writers.awaitTermination(60, TimeUnit.SECONDS));
        }
        node = 1 - node;
        Answer last = poll(node, watchId, false);
        assertEquals(200, last.status(), last.grid().encode());
        polls.add(new Poll(polls.size(), node, last.rows()));
        Answer after = poll(1 - node, watchId, false);
        assertEquals(List.of(), after.rows(), "nothing changed after the last poll: " + after.grid().encode());

        check(polls, watched, doomed, unwatched, createdMeanwhile, counts, unknown);

        // refresh on B: every surviving watched entity, as read answers it
        List<String> surviving = watched.stream().filter(id -> !doomed.contains(id)).toList();
        Map<String, JsonObject> now = read(B, surviving);
        Answer refreshed = poll(B, watchId, true);
        assertEquals(200, refreshed.status(), refreshed.grid().encode());
        Map<String, JsonObject> refreshedById = new HashMap<>();
        refreshed.rows().forEach(r -> refreshedById.put(idOf(r), r));
        assertEquals(now, refreshedById, "refresh: every watched entity still there, deleted ones gone from the watch");

        // closed on B, unknown on A (and on B)
        Answer closed = ok(B, "watchUnsub", grid(new JsonObject().put("watchId", "s:" + watchId).put("close", "m:"), List.of("empty"), List.of()));
        assertEquals(List.of(), closed.rows());
        for (int n : List.of(A, B)) {
            Answer gone = poll(n, watchId, false);
            assertEquals(400, gone.status(), "poll on node " + n + " after close: " + gone.grid().encode());
            assertEquals("s:HBadRequestError: Unknown watch", gone.dis(), gone.grid().encode());
        }
    }

    /**
     * One writer: {@value #ROUNDS} rounds over the entities it owns (no other writer touches them, so
     * each one's {@code count} grows with every acknowledged update), alternating nodes; round 1 updates
     * all of them in one request; in round {@value #DELETION_ROUND} it deletes its doomed ones in one
     * request; every round creates one new entity. Returns the number of requests it sent.
     */
    private int write(int writer, List<String> owned, Set<String> doomed, Map<String, Integer> counts, Set<String> created) {
        List<String> alive = new ArrayList<>(owned);
        int requests = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int node = (writer + round) % 2;
            if (round == 1) {
                List<JsonObject> rows = new ArrayList<>();
                for (String id : alive) {
                    rows.add(idRow(id).put("count", "n:" + (counts.get(id) + 1)).put("by", "s:writer " + writer + " on node " + node));
                }
                ok(node, "updateRec", grid(new JsonObject(), List.of("id", "count", "by"), rows));
                alive.forEach(id -> counts.merge(id, 1, Integer::sum));
                requests++;
            } else {
                for (int i = 0; i < alive.size(); i++) {
                    String id = alive.get(i);
                    int on = (node + i) % 2;
                    ok(on, "updateRec", grid(new JsonObject(), List.of("id", "count", "by"),
                            List.of(idRow(id).put("count", "n:" + (counts.get(id) + 1)).put("by", "s:writer " + writer + " on node " + on))));
                    counts.merge(id, 1, Integer::sum);
                    requests++;
                }
            }
            if (round == DELETION_ROUND) {
                List<String> dying = alive.stream().filter(doomed::contains).toList();
                if (!dying.isEmpty()) {
                    Answer deleted = ok(1 - node, "deleteRec", grid(new JsonObject(), List.of("id"), idRows(dying)));
                    assertEquals(new HashSet<>(dying), new HashSet<>(deleted.rows().stream().map(WatchClusterIT::idOf).toList()));
                    alive.removeAll(dying);
                    requests++;
                }
            }
            String fresh = UUID.randomUUID().toString();
            ok(1 - node, "createRec", grid(new JsonObject(), List.of("id", "dis", "wit", "count"), List.of(entity(fresh, "created by writer " + writer))));
            created.add(fresh);
            requests++;
        }
        return requests;
    }

    private void check(List<Poll> polls, List<String> watched, Set<String> doomed, List<String> unwatched, Set<String> created,
                       Map<String, Integer> counts, String unknown) {
        List<String> problems = new ArrayList<>();
        Set<String> watchedSet = new HashSet<>(watched);
        Map<String, JsonObject> lastRow = new LinkedHashMap<>();
        Map<String, Integer> lastCount = new HashMap<>();
        Map<String, Integer> removedAt = new HashMap<>();
        int[] rowsPerNode = new int[2];
        for (Poll p : polls) {
            Set<String> inThisPoll = new HashSet<>();
            for (JsonObject row : p.rows()) {
                String id = idOf(row);
                rowsPerNode[p.node()]++;
                if (!inThisPoll.add(id)) {
                    problems.add("poll " + p.index() + " gave " + id + " twice");
                }
                if (!watchedSet.contains(id)) {
                    String what = unwatched.contains(id) ? "an unwatched entity" : created.contains(id) ? "an entity created meanwhile"
                            : id != null && id.equals(unknown) ? "the unknown id" : "a stranger";
                    problems.add("poll " + p.index() + " on node " + p.node() + " gave " + what + ": " + row.encode());
                    continue;
                }
                if (removedAt.containsKey(id)) {
                    problems.add("poll " + p.index() + " gave " + id + " after its removed row (poll " + removedAt.get(id) + "): " + row.encode());
                }
                if (row.containsKey("removed")) {
                    if (!doomed.contains(id)) {
                        problems.add("poll " + p.index() + " gave a removed row for " + id + ", which was not deleted: " + row.encode());
                    }
                    if (!row.equals(new JsonObject().put("id", "r:" + id).put("removed", "m:"))) {
                        problems.add("poll " + p.index() + ": a removed row is the id and the marker: " + row.encode());
                    }
                    removedAt.putIfAbsent(id, p.index());
                    continue;
                }
                String count = row.getString("count");
                int c = count != null && count.startsWith("n:") ? Integer.parseInt(count.substring(2)) : -1;
                Integer before = lastCount.put(id, c);
                if (before != null && c <= before) {
                    problems.add("poll " + p.index() + " gave " + id + " with count " + c + " after a poll with " + before);
                }
                lastRow.put(id, row);
            }
        }
        for (String id : doomed) {
            if (watchedSet.contains(id) && !removedAt.containsKey(id)) {
                problems.add("the deletion of watched " + id + " was never reported");
            }
        }
        List<String> surviving = watched.stream().filter(id -> !doomed.contains(id)).toList();
        Map<String, JsonObject> now = read(A, surviving);
        for (String id : surviving) {
            JsonObject seen = lastRow.get(id);
            if (seen == null) {
                problems.add("watched " + id + " changed " + counts.get(id) + " times and no poll gave it");
            } else if (!seen.equals(now.get(id))) {
                problems.add("watched " + id + ": the last poll that gave it gave " + seen.encode() + ", read gives " + now.get(id).encode());
            }
            if (!("n:" + counts.get(id)).equals(now.get(id).getString("count"))) {
                problems.add("watched " + id + ": " + counts.get(id) + " acknowledged updates, read says " + now.get(id).encode());
            }
        }
        System.out.printf("watch cluster: %d polls, %d rows on node A and %d on node B, %d removed rows%n",
                polls.size(), rowsPerNode[A], rowsPerNode[B], removedAt.size());
        if (!problems.isEmpty()) {
            fail(problems.size() + " problem(s) in " + polls.size() + " polls:\n  " + String.join("\n  ", problems));
        }
    }
}
