package dev.herald.it;

import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import dev.herald.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to the jar as a user runs it, in the middle of a destroy stream with subscribed sockets.
 * One destroy is held in flight by a row lock the test takes, so the drain demonstrably waits for it
 * (and the batches queued behind it) while /health says DRAINING and new requests get 503.
 */
@Tier.Integration
class DrainIT {
    static final String MODELS = "pony:\n  attributes:\n    name: { type: string }\n";
    private static final int PONIES = 300;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Vertx vertx;
    private final String token = Tokens.admin(ClusterNodes.SECRET);

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    /** What one destroy of the stream got: sent before the signal or not, and its status (0: no answer, an I/O error). */
    record Sent(long id, boolean beforeSignal, int status, String body) {
    }

    @Test
    void sigtermAnswersEveryAcceptedRequestDeliversItsNotificationsAndExitsZero() throws Exception {
        try (ClusterNodes cluster = new ClusterNodes(MODELS)) {
            cluster.env("HERALD_DRAIN_TIMEOUT", "20s");
            int port = cluster.start(1, 1).get(0);
            List<Long> ids = ClusterNodes.createPonies(port, token, PONIES);
            List<TestSocket> sockets = List.of(subscribed(port, ids), subscribed(port, ids));
            Pool db = PgBuilder.pool().connectingTo(cluster.database()).using(vertx).build();
            long locked = ids.get(PONIES / 2);
            SqlConnection lock = db.getConnection().await();
            lock.query("BEGIN").execute().await();
            lock.preparedQuery("SELECT id FROM pony WHERE id = $1 FOR UPDATE").execute(Tuple.of(locked)).await();

            ConcurrentLinkedQueue<Long> todo = new ConcurrentLinkedQueue<>(ids);
            todo.remove(locked);
            AtomicBoolean signalled = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            List<Sent> results = new CopyOnWriteArrayList<>();
            List<Thread> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread t = new Thread(() -> {
                    for (Long id; !stop.get() && (id = todo.poll()) != null; ) {
                        results.add(destroy(port, id, signalled));
                    }
                });
                t.start();
                streams.add(t);
            }
            awaitResults(results, 30);
            Thread held = new Thread(() -> results.add(destroy(port, locked, signalled)));
            held.start();
            awaitLockWaiter(db);

            cluster.process(0).terminate();
            signalled.set(true);
            JsonObject health = awaitDraining(port);
            assertEquals(503, health.getInteger("httpStatus"), health.encode());
            assertEquals("DRAINING", health.getString("status"));
            assertTrue(health.getInteger("inFlight") >= 1, "the held destroy is in flight: " + health.encode());
            HttpResponse<String> refused = send(port, "GET", "/pony/" + ids.get(0));
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("E_UNAVAILABLE", new JsonObject(refused.body()).getString("code"));
            assertTrue(cluster.process(0).isAlive(), "the node waits for the destroy held by the lock");

            lock.query("ROLLBACK").execute().await();
            lock.close().await();
            int status = cluster.process(0).awaitExit(40);
            stop.set(true);
            held.join();
            for (Thread t : streams) {
                t.join();
            }
            assertEquals(0, status, "a drain within HERALD_DRAIN_TIMEOUT exits 0: " + cluster.process(0).log());
            assertTrue(cluster.process(0).log().stream().anyMatch(l -> l.contains("drained in")), cluster.process(0).log().toString());

            Set<Long> remaining = new HashSet<>();
            db.query("SELECT id FROM pony").execute().await().forEach(r -> remaining.add(r.getLong(0)));
            db.close().await();
            Sent heldResult = results.stream().filter(s -> s.id() == locked).findFirst().orElseThrow();
            assertEquals(200, heldResult.status(), "the destroy in flight at SIGTERM is answered: " + heldResult);
            Set<Long> acknowledged = new HashSet<>();
            for (Sent s : results) {
                if (s.beforeSignal()) {
                    assertTrue(s.status() == 200 || s.status() == 503, "a request sent before the signal is answered: " + s);
                }
                if (s.status() == 200) {
                    acknowledged.add(s.id());
                    assertFalse(remaining.contains(s.id()), "an acknowledged destroy is committed: " + s);
                } else if (s.status() == 503) {
                    assertEquals("E_UNAVAILABLE", new JsonObject(s.body()).getString("code"), s.body());
                    assertTrue(remaining.contains(s.id()), "a refused destroy did nothing: " + s);
                }
            }
            assertTrue(acknowledged.size() > 30, "the stream ran: " + acknowledged.size());
            for (TestSocket socket : sockets) {
                assertTrue(socket.awaitClosed(10), "the drain closes the sockets");
                assertEquals((short) 1001, socket.closeStatus(), "going away");
                Map<Long, Integer> destroyed = new HashMap<>();
                socket.notifications("pony", 0).stream().filter(m -> "destroyed".equals(m.getString("verb")))
                        .forEach(m -> destroyed.merge(m.getLong("id"), 1, Integer::sum));
                assertEquals(acknowledged, destroyed.keySet(), "every acknowledged destroy was delivered before the close");
                destroyed.forEach((id, n) -> assertEquals(1, n, "pony " + id + " notified once"));
                socket.close();
            }
        }
    }

    /** The signal is handled on a thread of the node's own: /health turns DRAINING as soon as it runs. */
    private static JsonObject awaitDraining(int port) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonObject health = ClusterNodes.health(port);
        while (!"DRAINING".equals(health.getString("status")) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            health = ClusterNodes.health(port);
        }
        return health;
    }

    private static void awaitResults(List<Sent> results, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (results.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the destroy stream did not start: " + results);
            }
            Thread.sleep(10);
        }
    }

    /** Until a session of the test database waits on a row lock: the held destroy is in the database. */
    private static void awaitLockWaiter(Pool db) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            long waiting = db.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
                    .execute().await().iterator().next().getLong(0);
            if (waiting > 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the destroy of the locked pony never waited on its lock");
    }

    private Sent destroy(int port, long id, AtomicBoolean signalled) {
        boolean before = !signalled.get();
        try {
            HttpResponse<String> r = send(port, "DELETE", "/pony/" + id);
            return new Sent(id, before, r.statusCode(), r.body());
        } catch (IOException e) {
            return new Sent(id, before, 0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Sent(id, before, 0, e.toString());
        }
    }

    private HttpResponse<String> send(int port, String method, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }


    private TestSocket subscribed(int port, List<Long> ids) {
        TestSocket socket = TestSocket.connect(vertx, port, "access_token=" + token);
        JsonObject reply = socket.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray(new ArrayList<>(ids))), null);
        assertEquals(PONIES, reply.getJsonObject("body").getJsonArray("subscribed").size(), reply.encode());
        return socket;
    }
}
