package dev.herald.it;

import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import dev.herald.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart of a three-node cluster under a destroy stream, as README "Draining and rolling
 * restarts" describes it: each node in turn is drained (SIGTERM, exit 0) and replaced. Three clients,
 * one per original node, subscribed to every record, reconnect to a live node whenever theirs closes
 * their socket and resume with {@code since}/{@code epoch}: each must see every destroy exactly once,
 * in increasing {@code seq}, without a resync.
 */
@Tier.Integration
class RollingRestartIT {
    private static final int PONIES = 400;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String token = Tokens.admin(ClusterNodes.SECRET);
    private final List<Integer> live = new CopyOnWriteArrayList<>();
    private final Vertx vertx = Vertx.vertx();

    @Test
    void nodeByNodeUnderADestroyStreamNoClientMissesOrDoublesANotification() throws Exception {
        try (ClusterNodes cluster = new ClusterNodes(DrainIT.MODELS)) {
            cluster.env("HERALD_DRAIN_TIMEOUT", "20s");
            live.addAll(cluster.start(3, 3));
            List<Long> ids = ClusterNodes.createPonies(live.get(0), token, PONIES);
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Client c = new Client(ids, live.get(i));
                clients.add(c);
                c.thread.start();
            }
            clients.forEach(Client::awaitSubscribed);

            AtomicBoolean restarting = new AtomicBoolean(true);
            AtomicInteger destroyed = new AtomicInteger();
            Thread stream = new Thread(() -> {
                for (long id : ids) {
                    destroyUntilDone(id);
                    destroyed.incrementAndGet();
                    if (restarting.get()) {
                        sleep(100);
                    }
                }
            });
            stream.start();
            for (int node = 0; node < 3; node++) {
                int port = cluster.port(node);
                live.remove((Integer) port);
                assertEquals(0, cluster.drain(node, 40), "node " + node + " drains and exits 0");
                live.addAll(cluster.start(1, 3));
            }
            int destroyedDuringRestart = destroyed.get();
            restarting.set(false);
            stream.join();

            Pool db = PgBuilder.pool().connectingTo(cluster.database()).using(vertx).build();
            assertEquals(0L, db.query("SELECT count(*) FROM pony").execute().await().iterator().next().getLong(0));
            db.close().await();
            for (Client c : clients) {
                c.awaitAll(60);
                c.stop.set(true);
                c.thread.join();
                assertEquals(List.of(), c.problems, "client of node " + c.firstPort);
                assertTrue(c.reconnects.get() >= 1, "its node was drained: it reconnected");
                for (long id : ids) {
                    assertEquals(1, c.destroyed.getOrDefault(id, 0), "client of node " + c.firstPort + ": destroyed of pony " + id);
                }
            }
            assertTrue(destroyedDuringRestart > 20, "the stream ran during the restart: " + destroyedDuringRestart);
        } finally {
            vertx.close().await();
        }
    }

    /** A destroy is done once a node answers 200 or 404; a draining node's 503, or a closed connection, is retried elsewhere. */
    private void destroyUntilDone(long id) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = live.get(ThreadLocalRandom.current().nextInt(live.size()));
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pony/" + id))
                        .DELETE().header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 || r.statusCode() == 404) {
                    return;
                }
            } catch (IOException e) {
                // the node went away: another one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            sleep(50);
        }
        throw new AssertionError("pony " + id + " could not be destroyed");
    }

    /** One subscriber, as the official client behaves: on any close it resumes on a live node from the last seq it saw. */
    private final class Client {
        final List<Long> ids;
        final int firstPort;
        final Thread thread = new Thread(this::run);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicBoolean subscribed = new AtomicBoolean();
        final AtomicInteger reconnects = new AtomicInteger();
        final Map<Long, Integer> destroyed = new ConcurrentHashMap<>();
        final List<String> problems = new CopyOnWriteArrayList<>();
        long lastSeq = -1;
        String epoch;

        Client(List<Long> ids, int port) {
            this.ids = ids;
            this.firstPort = port;
        }

        void run() {
            int port = firstPort;
            while (!stop.get()) {
                try (TestSocket s = TestSocket.connect(vertx, port, "access_token=" + token)) {
                    JsonObject body = new JsonObject().put("model", "pony").put("ids", new JsonArray(new ArrayList<>(ids)));
                    if (epoch != null) {
                        body.put("since", Long.toString(lastSeq)).put("epoch", epoch);
                    }
                    JsonObject reply = s.ask("herald.subscribe", body, null);
                    if (!"rec".equals(reply.getString("type"))) {
                        throw new IllegalStateException("subscribe refused: " + reply.encode());
                    }
                    JsonObject answer = reply.getJsonObject("body");
                    if (answer.getBoolean("resync", false)) {
                        problems.add("resync after seq " + lastSeq + " on port " + port);
                    }
                    if (epoch == null) {
                        epoch = answer.getString("epoch");
                        lastSeq = Long.parseLong(answer.getString("seq"));
                    }
                    take(s.framesBeforeReply("pony"));
                    subscribed.set(true);
                    while (!stop.get() && !s.isClosed()) {
                        take(s.notificationFrames("pony", 50));
                    }
                    take(s.notificationFrames("pony", 0));
                } catch (RuntimeException | AssertionError e) {
                    // the node closed or refused the socket before the reply: another node
                }
                if (!stop.get()) {
                    reconnects.incrementAndGet();
                    int previous = port;
                    List<Integer> others = live.stream().filter(p -> p != previous).toList();
                    port = others.isEmpty() ? previous : others.get(ThreadLocalRandom.current().nextInt(others.size()));
                }
            }
        }

        private void take(List<JsonObject> frames) {
            for (JsonObject f : frames) {
                long seq = Long.parseLong(f.getJsonObject("headers").getString("seq"));
                if (seq <= lastSeq) {
                    problems.add("seq " + seq + " after " + lastSeq);
                }
                lastSeq = Math.max(lastSeq, seq);
                JsonObject message = f.getJsonObject("body");
                if ("destroyed".equals(message.getString("verb"))) {
                    destroyed.merge(message.getLong("id"), 1, Integer::sum);
                }
            }
        }

        void awaitSubscribed() {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!subscribed.get()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("client of port " + firstPort + " never subscribed");
                }
                sleep(20);
            }
        }

        void awaitAll(int seconds) {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (destroyed.size() < ids.size() && System.nanoTime() < deadline) {
                sleep(50);
            }
        }
    }


    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
