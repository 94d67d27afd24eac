package dev.herald.it;

import dev.herald.notifications.NotificationLog;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import dev.herald.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The notification log as the cluster's safety net, with nodes in separate JVMs killed with -9: a
 * committing node that dies right after its COMMITs costs no socket on the other nodes a single
 * notification (they read what its lost publications carried from the log), and a client whose node
 * died resumes on another node from the last position it saw, missing nothing and getting nothing twice.
 *
 * <p>Four nodes: the first test kills node {@value #COMMITTER} (subscribers on {@value #SUBSCRIBER_B} and
 * {@value #SUBSCRIBER_C}); the second kills node {@value #RESUMED_FROM}, resumes on {@value #SUBSCRIBER_B}
 * and destroys live through {@value #SUBSCRIBER_C}. Each needs only the nodes it did not kill.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tier.Integration
class NotificationLogClusterIT {
    /**
     * Three models alike: the destroys of one model are batched into one transaction at a time per node,
     * so three models keep three batches of the committing node in the database at once, and a kill is
     * likely to find some batch committed (or committing) and not yet published.
     */
    private static final List<String> STREAMED = List.of("pony", "mule", "donkey");
    static final String MODELS = """
            pony:
              attributes:
                name: { type: string }
            mule:
              attributes:
                name: { type: string }
            donkey:
              attributes:
                name: { type: string }
            """;
    private static final int COMMITTER = 0;
    private static final int SUBSCRIBER_B = 1;
    private static final int SUBSCRIBER_C = 2;
    private static final int RESUMED_FROM = 3;
    private static final int RECORDS_PER_MODEL = 100;
    private static final int IN_FLIGHT = 24;
    /** The contract says 5 s after the crash; this is a deadline against a hung test, not a speed check. */
    private static final long DELIVERY_DEADLINE_MS = 20_000;
    /** Longer than a few of the followers' polls (500 ms): a notification delivered twice would show by then. */
    private static final long STRAGGLERS_MS = 1_500;

    private ClusterNodes cluster;
    private Vertx vertx;
    private WebClient http;
    private final String token = Tokens.admin(ClusterNodes.SECRET);

    @BeforeAll
    void start() throws Exception {
        cluster = new ClusterNodes(MODELS);
        vertx = Vertx.vertx();
        http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(2 * IN_FLIGHT));
        cluster.start(4, 4);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (http != null) {
                http.close();
            }
            if (vertx != null) {
                vertx.close().await();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private Future<HttpResponse<Buffer>> send(int node, HttpMethod method, String uri, JsonObject body) {
        var request = http.request(method, cluster.port(node), "127.0.0.1", uri).putHeader("Authorization", "Bearer " + token);
        return body == null ? request.send() : request.sendJsonObject(body);
    }

    private HttpResponse<Buffer> call(int node, HttpMethod method, String uri, JsonObject body) {
        return send(node, method, uri, body).await();
    }

    private HttpResponse<Buffer> ok(int node, HttpMethod method, String uri, JsonObject body) {
        var r = call(node, method, uri, body);
        assertEquals(200, r.statusCode(), method + " " + uri + ": " + r.bodyAsString());
        return r;
    }

    /** {@code count} records of {@code model} created over HTTP on {@code node}, a few at a time; their ids. */
    private List<Long> createMany(int node, String model, int count) {
        List<Long> ids = new ArrayList<>();
        for (int from = 0; from < count; from += 20) {
            List<Future<HttpResponse<Buffer>>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + 20); i++) {
                batch.add(send(node, HttpMethod.POST, "/" + model, new JsonObject().put("name", model + i)));
            }
            Future.all(batch).await();
            for (var f : batch) {
                assertEquals(200, f.result().statusCode(), f.result().bodyAsString());
                ids.add(f.result().bodyAsJsonObject().getLong("id"));
            }
        }
        return ids;
    }

    /** The ids among {@code ids} that still exist, as node {@code node} reads them. */
    private Set<Long> existing(int node, String model, List<Long> ids) {
        String where = URLEncoder.encode(new JsonObject().put("id", new JsonArray(new ArrayList<>(ids))).encode(), StandardCharsets.UTF_8);
        var r = ok(node, HttpMethod.GET, "/" + model + "?limit=1000&where=" + where, null);
        Set<Long> found = new HashSet<>();
        r.bodyAsJsonArray().forEach(record -> found.add(((JsonObject) record).getLong("id")));
        return found;
    }

    private TestSocket socket(int node) {
        return TestSocket.connect(vertx, cluster.port(node), "access_token=" + token);
    }

    /** Subscribes to every id (at most 1000 a frame); the reply's body. */
    private static JsonObject subscribe(TestSocket s, String model, List<Long> ids) {
        JsonObject reply = s.ask("herald.subscribe", new JsonObject().put("model", model).put("ids", new JsonArray(new ArrayList<>(ids))), null);
        JsonObject body = reply.getJsonObject("body");
        assertTrue(body != null && body.getJsonArray("subscribed") != null, reply.encode());
        assertEquals(ids.size(), body.getJsonArray("subscribed").size(), reply.encode());
        return body;
    }

    private static long seqOf(JsonObject frame) {
        JsonObject headers = frame.getJsonObject("headers");
        if (headers == null || !(headers.getValue("seq") instanceof String seq)) {
            throw new AssertionError("a notification frame without headers.seq: " + frame.encode());
        }
        return Long.parseLong(seq);
    }

    private static boolean isNotification(JsonObject frame) {
        return "rec".equals(frame.getString("type")) && frame.getString("address") != null
                && frame.getJsonObject("body") != null && frame.getJsonObject("body").getString("verb") != null;
    }

    /** A record of one of the streamed models. */
    private record Key(String model, long id) {
        @Override
        public String toString() {
            return model + "/" + id;
        }
    }

    /** How the stream of destroys went, as the client saw it. */
    private record Outcomes(Set<Key> acknowledged, Map<Key, String> failed, int committingWhenKilled) {
    }

    @Test
    @Order(1)
    void theDestroysOfANodeKilledRightAfterItsCommitsReachEverySocketOnTheOtherNodesExactlyOnce() throws Exception {
        Map<String, List<Long>> ids = new LinkedHashMap<>();
        for (String model : STREAMED) {
            ids.put(model, createMany(SUBSCRIBER_B, model, RECORDS_PER_MODEL));
        }
        List<Key> all = new ArrayList<>();
        for (int i = 0; i < RECORDS_PER_MODEL; i++) {
            for (String model : STREAMED) {
                all.add(new Key(model, ids.get(model).get(i)));
            }
        }

        Map<String, TestSocket> sockets = new LinkedHashMap<>();
        try {
            for (int node : List.of(SUBSCRIBER_B, SUBSCRIBER_C)) {
                for (int n = 0; n < 2; n++) {
                    TestSocket s = socket(node);
                    sockets.put("node " + node + " socket " + n, s);
                    ids.forEach((model, list) -> subscribe(s, model, list));
                }
            }

            Outcomes outcomes = destroyAllKillingTheCommitterHalfway(all);

            Set<Key> gone = new HashSet<>();
            for (String model : STREAMED) {
                Set<Long> left = existing(SUBSCRIBER_B, model, ids.get(model));
                ids.get(model).stream().filter(id -> !left.contains(id)).forEach(id -> gone.add(new Key(model, id)));
            }
            Set<Key> inDoubt = new HashSet<>(gone);
            inDoubt.removeAll(outcomes.acknowledged());
            System.out.printf("destroy stream: %d records, %d acknowledged, %d failed, %d gone; %d transaction(s) had sent their COMMIT"
                            + " when the node was killed; %d gone without a 200 (committed, never published): %s%n", all.size(),
                    outcomes.acknowledged().size(), outcomes.failed().size(), gone.size(), outcomes.committingWhenKilled(),
                    inDoubt.size(), inDoubt);
            assertTrue(gone.containsAll(outcomes.acknowledged()), "every acknowledged destroy is in the database");
            assertTrue(gone.size() < all.size(), "the committing node was killed in the middle of the stream: " + outcomes.failed());
            assertFalse(inDoubt.isEmpty(), "the case under test happened: destroys committed by the node as it died, whose"
                    + " publication died with it (" + outcomes.committingWhenKilled() + " transaction(s) had sent their COMMIT)");

            Map<String, List<JsonObject>> received = new LinkedHashMap<>();
            sockets.keySet().forEach(name -> received.put(name, new ArrayList<>()));
            long streamEnded = System.nanoTime();
            long deadline = streamEnded + TimeUnit.MILLISECONDS.toNanos(DELIVERY_DEADLINE_MS);
            while (System.nanoTime() < deadline && !everyoneHeard(received, gone)) {
                sockets.forEach((name, s) -> received.get(name).addAll(s.frames(0)));
                Thread.sleep(50);
            }
            System.out.printf(everyoneHeard(received, gone) ? "every socket heard every destroy %d ms after the stream ended%n"
                    : "some socket still missed a destroy %d ms after the stream ended%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - streamEnded));
            sockets.forEach((name, s) -> received.get(name).addAll(s.frames(STRAGGLERS_MS)));

            List<String> problems = new ArrayList<>();
            received.forEach((name, frames) -> problems.addAll(check(name, frames, gone)));
            if (!problems.isEmpty()) {
                fail(problems.size() + " problem(s) with the notifications of " + gone.size() + " destroyed records ("
                        + inDoubt.size() + " of them committed without a 200 to the client):\n  " + String.join("\n  ", problems));
            }
            sockets.forEach((name, s) -> assertFalse(s.isClosed(), name + " stayed open"));
        } finally {
            sockets.values().forEach(TestSocket::close);
        }
    }

    /**
     * Sends a DELETE of every record to the committing node, {@value #IN_FLIGHT} in flight, and kills the
     * node with -9 as soon as half of them are answered; the others then fail (connection reset or refused).
     */
    private Outcomes destroyAllKillingTheCommitterHalfway(List<Key> all) throws Exception {
        Set<Key> acknowledged = ConcurrentHashMap.newKeySet();
        Map<Key, String> failed = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        Promise<Void> halfway = Promise.promise();
        Promise<Void> finished = Promise.promise();
        int port = cluster.port(COMMITTER);
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= all.size()) {
                return;
            }
            Key key = all.get(i);
            http.request(HttpMethod.DELETE, port, "127.0.0.1", "/" + key.model() + "/" + key.id())
                    .putHeader("Authorization", "Bearer " + token).timeout(30_000).send()
                    .onComplete(r -> {
                        if (r.succeeded() && r.result().statusCode() == 200) {
                            acknowledged.add(key);
                        } else {
                            failed.put(key, r.succeeded() ? r.result().statusCode() + " " + r.result().bodyAsString() : String.valueOf(r.cause()));
                        }
                        int n = answered.incrementAndGet();
                        if (n == all.size() / 2) {
                            halfway.tryComplete();
                        }
                        if (n == all.size()) {
                            finished.tryComplete();
                        }
                        pump[0].run();
                    });
        };
        vertx.runOnContext(v -> {
            for (int w = 0; w < IN_FLIGHT; w++) {
                pump[0].run();
            }
        });
        halfway.future().await(60, TimeUnit.SECONDS);
        int committing;
        PgConnection lock = PgConnection.connect(vertx, cluster.database()).await();
        try {
            lock.query("SELECT pg_advisory_lock(" + NotificationLog.ORDER_LOCK + ")").execute().await();
            committing = awaitCommitsWaitingForTheOrderLock(lock);
            cluster.kill(COMMITTER);
            lock.query("SELECT pg_advisory_unlock(" + NotificationLog.ORDER_LOCK + ")").execute().await();
            awaitNoWriteInProgress(lock);
        } finally {
            lock.close().await();
        }
        finished.future().await(60, TimeUnit.SECONDS);
        return new Outcomes(acknowledged, failed, committing);
    }

    /**
     * Waits until the committing node's batches (one per model at a time) have sent their log append and
     * their COMMIT and wait for the order lock, that this test holds; how many do. The last statement of
     * every notifying transaction takes that lock right before its COMMIT, so holding it only stretches the
     * moment between "COMMIT sent" and "committed, publication sent", as a slow disk would: what the node
     * sent, the database carries out once the lock is free, whether or not the node is still there.
     */
    private static int awaitCommitsWaitingForTheOrderLock(PgConnection lock) throws InterruptedException {
        long start = System.nanoTime();
        long firstSeen = 0;
        while (true) {
            int waiting = lock.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").execute().await()
                    .iterator().next().getInteger(0);
            long now = System.nanoTime();
            if (waiting > 0 && firstSeen == 0) {
                firstSeen = now;
            }
            if (waiting >= STREAMED.size() || waiting > 0 && now - firstSeen > TimeUnit.SECONDS.toNanos(3)) {
                return waiting;
            }
            if (now - start > TimeUnit.SECONDS.toNanos(30)) {
                throw new AssertionError("no transaction of the committing node came to wait for the order lock within 30 s");
            }
            Thread.sleep(20);
        }
    }

    /**
     * Waits until the transactions the killed node left in the database are over (committed, or rolled back
     * once their backend finds the connection gone): no other transaction there holds a transaction id, so
     * which records are gone can be read.
     */
    private static void awaitNoWriteInProgress(PgConnection db) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            int writing = db.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()").execute().await().iterator().next().getInteger(0);
            if (writing == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(writing + " transaction(s) still in progress 30 s after the committing node was killed");
            }
            Thread.sleep(20);
        }
    }

    private static boolean everyoneHeard(Map<String, List<JsonObject>> received, Set<Key> gone) {
        for (List<JsonObject> frames : received.values()) {
            Set<Key> heard = new HashSet<>();
            for (JsonObject f : frames) {
                if (isNotification(f) && "destroyed".equals(f.getJsonObject("body").getString("verb"))) {
                    heard.add(new Key(f.getString("address"), f.getJsonObject("body").getLong("id")));
                }
            }
            if (!heard.containsAll(gone)) {
                return false;
            }
        }
        return true;
    }

    /** What is wrong with what one socket received: a destroy missing, heard twice or heard of a live record; seqs out of order. */
    private static List<String> check(String socket, List<JsonObject> frames, Set<Key> gone) {
        List<String> problems = new ArrayList<>();
        Map<Key, List<Long>> destroyed = new TreeMap<>((a, b) -> a.model().equals(b.model()) ? Long.compare(a.id(), b.id())
                : a.model().compareTo(b.model()));
        long last = 0;
        for (JsonObject f : frames) {
            if (!isNotification(f) || !STREAMED.contains(f.getString("address"))) {
                problems.add(socket + ": an unexpected frame " + f.encode());
                continue;
            }
            long seq = seqOf(f);
            if (seq <= last) {
                problems.add(socket + ": seq " + seq + " after seq " + last + " (" + f.encode() + ")");
            }
            last = Math.max(last, seq);
            JsonObject body = f.getJsonObject("body");
            if (!"destroyed".equals(body.getString("verb"))) {
                problems.add(socket + ": an unexpected notification " + f.encode());
                continue;
            }
            destroyed.computeIfAbsent(new Key(f.getString("address"), body.getLong("id")), k -> new ArrayList<>()).add(seq);
        }
        List<Key> missing = gone.stream().filter(k -> !destroyed.containsKey(k)).sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
        if (!missing.isEmpty()) {
            problems.add(socket + ": no destroyed for " + missing.size() + " destroyed record(s): " + missing);
        }
        destroyed.forEach((key, seqs) -> {
            if (!gone.contains(key)) {
                problems.add(socket + ": destroyed for " + key + ", which still exists (seqs " + seqs + ")");
            } else if (seqs.size() > 1) {
                problems.add(socket + ": destroyed for " + key + " " + seqs.size() + " times (seqs " + seqs + ")");
            }
        });
        return problems;
    }

    @Test
    @Order(2)
    void aClientWhoseNodeWasKilledResumesOnAnotherNodeWithExactlyWhatItMissed() throws Exception {
        int resumeOn = SUBSCRIBER_B;
        int liveVia = SUBSCRIBER_C;
        List<Long> ponies = createMany(resumeOn, "pony", 10);
        long outsider = createMany(resumeOn, "pony", 1).get(0);

        long since;
        String epoch;
        TestSocket first = socket(RESUMED_FROM);
        try {
            JsonObject reply = subscribe(first, "pony", ponies);
            epoch = reply.getString("epoch");
            long replySeq = Long.parseLong(reply.getString("seq"));
            assertTrue(epoch != null && !epoch.isEmpty(), reply.encode());

            ok(liveVia, HttpMethod.PATCH, "/pony/" + ponies.get(9), new JsonObject().put("name", "seen before the crash"));
            JsonObject seen = first.await(f -> "pony".equals(f.getString("address")));
            assertEquals(ponies.get(9), seen.getJsonObject("body").getLong("id"), seen.encode());
            long lastFrameSeq = seqOf(seen);
            assertTrue(lastFrameSeq > replySeq, "a live frame comes after the subscribe's position: " + seen.encode() + " after " + reply.encode());
            since = Math.max(lastFrameSeq, replySeq);
            cluster.kill(RESUMED_FROM);
        } finally {
            first.close();
        }

        // missed while the client has no node: in this order, through the node it will resume on
        List<JsonObject> missed = new ArrayList<>();
        missed.add(updated(resumeOn, ponies.get(4), "four, renamed"));
        missed.add(destroyed(resumeOn, ponies.get(0)));
        missed.add(updated(resumeOn, ponies.get(5), "five, renamed"));
        missed.add(destroyed(resumeOn, ponies.get(1)));
        updated(resumeOn, outsider, "not subscribed: never replayed");
        missed.add(destroyed(resumeOn, ponies.get(4)));
        missed.add(updated(resumeOn, ponies.get(6), "six, renamed"));
        destroyed(resumeOn, outsider);

        try (TestSocket resumed = socket(resumeOn)) {
            String replyAddress = UUID.randomUUID().toString();
            resumed.send(new JsonObject().put("type", "send").put("address", "herald.subscribe").put("replyAddress", replyAddress)
                    .put("body", new JsonObject().put("model", "pony").put("ids", new JsonArray(new ArrayList<>(ponies)))
                            .put("since", Long.toString(since)).put("epoch", epoch)));
            List<JsonObject> replayed = new ArrayList<>();
            JsonObject reply;
            while (true) {
                JsonObject frame = resumed.await(f -> true);
                if (replyAddress.equals(frame.getString("address"))) {
                    reply = frame;
                    break;
                }
                replayed.add(frame);
            }
            String context = "resumed from " + since + ": frames before the reply " + replayed + ", reply " + reply.encode();

            assertEquals(missed.size(), replayed.size(), "each missed notification once, nothing else: " + context);
            long last = since;
            for (int i = 0; i < missed.size(); i++) {
                JsonObject frame = replayed.get(i);
                assertEquals("rec", frame.getString("type"), context);
                assertEquals("pony", frame.getString("address"), context);
                long seq = seqOf(frame);
                assertTrue(seq > last, "in seq order, after " + since + ": " + context);
                last = seq;
                JsonObject expected = missed.get(i);
                JsonObject body = frame.getJsonObject("body");
                assertEquals(expected.getString("verb"), body.getString("verb"), "notification " + i + ": " + context);
                assertEquals(expected.getLong("id"), body.getLong("id"), "notification " + i + ": " + context);
                if ("destroyed".equals(expected.getString("verb"))) {
                    assertEquals(expected.getJsonObject("previous"), body.getJsonObject("previous"), "notification " + i + ": " + context);
                } else {
                    assertEquals(expected.getString("name"), body.getJsonObject("data").getString("name"), "notification " + i + ": " + context);
                }
            }

            assertEquals("rec", reply.getString("type"), context);
            JsonObject body = reply.getJsonObject("body");
            assertEquals(missed.size(), body.getInteger("replayed"), context);
            assertEquals(Boolean.FALSE, body.getBoolean("resync"), context);
            assertEquals(epoch, body.getString("epoch"), context);
            Set<Long> gone = Set.of(ponies.get(0), ponies.get(1), ponies.get(4));
            assertEquals(gone, ids(body.getJsonArray("notFound")), context);
            Set<Long> alive = new HashSet<>(ponies);
            alive.removeAll(gone);
            assertEquals(alive, ids(body.getJsonArray("subscribed")), context);
            long liveFrom = Long.parseLong(body.getString("seq"));
            assertTrue(liveFrom >= last, "the reply's position is at or after the last replayed one: " + context);

            JsonObject previous = ok(liveVia, HttpMethod.DELETE, "/pony/" + ponies.get(9), null).bodyAsJsonObject();
            JsonObject live = resumed.await(f -> "pony".equals(f.getString("address")));
            assertEquals(new JsonObject().put("verb", "destroyed").put("id", ponies.get(9)).put("previous", previous),
                    live.getJsonObject("body"), live.encode());
            assertTrue(seqOf(live) > liveFrom, "live after the reply's position: " + live.encode() + "; " + context);
            List<JsonObject> more = resumed.frames(STRAGGLERS_MS);
            assertEquals(List.of(), more, "nothing more after the live destroy (exactly once)");
            assertFalse(resumed.isClosed());
        }
    }

    private static Set<Long> ids(JsonArray array) {
        Set<Long> ids = new HashSet<>();
        array.forEach(id -> ids.add(((Number) id).longValue()));
        return ids;
    }

    /** PATCHes the name on {@code node}; the notification the subscribers expect, as {@code {verb, id, name}}. */
    private JsonObject updated(int node, long id, String name) {
        ok(node, HttpMethod.PATCH, "/pony/" + id, new JsonObject().put("name", name));
        return new JsonObject().put("verb", "updated").put("id", id).put("name", name);
    }

    /** DELETEs on {@code node}; the notification the subscribers expect, as {@code {verb, id, previous}}. */
    private JsonObject destroyed(int node, long id) {
        JsonObject previous = ok(node, HttpMethod.DELETE, "/pony/" + id, null).bodyAsJsonObject();
        return new JsonObject().put("verb", "destroyed").put("id", id).put("previous", previous);
    }
}
