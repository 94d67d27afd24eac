package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * security.md: a socket whose peer does not read its replies stops being read once 1 MiB of frames waits
 * for it, and is closed past 16 MiB; other sockets are served meanwhile.
 */
@Tier.Component
class SocketBackPressureTest {
    /** Back-pressure alone: a frame rate that never refuses these floods (AbuseLimitsTest covers the rate). */
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo(java.util.Map.of("HERALD_SOCKET_RATE", "1000000"));

    private static String big;

    @BeforeAll
    static void createABigPony() {
        big = "x".repeat(40_000);
        node.create("pony", new JsonObject().put("name", "Big").put("hobby", big));
    }

    private static WebSocket rawSocket(WebSocketClient client) {
        return client.connect(node.port(), "127.0.0.1", "/realtime/websocket").await();
    }

    /** A raw socket subscribed to {@code pony} that then reads nothing; {@code closed} counts the closes it sees (once it reads). */
    private static WebSocket deafSubscriber(WebSocketClient client, long pony, AtomicInteger closed) throws InterruptedException {
        WebSocket deaf = rawSocket(client);
        deaf.closeHandler(v -> closed.incrementAndGet());
        deaf.writeTextMessage(new JsonObject().put("type", "send").put("address", "herald.subscribe").put("replyAddress", "s")
                .put("headers", new JsonObject().put("authorization", "Bearer " + node.adminToken()))
                .put("body", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(pony))).encode()).await();
        Thread.sleep(300);
        deaf.pause();
        return deaf;
    }

    private static long toys() {
        return node.count("toy");
    }

    @Test
    void aPeerThatReadsNoRepliesStopsBeingReadAndIsServedOnceItReads() throws InterruptedException {
        WebSocketClient client = node.vertx().createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(16 * 1024 * 1024).setMaxFrameSize(16 * 1024 * 1024));
        try {
            WebSocket flooder = rawSocket(client);
            AtomicInteger replies = new AtomicInteger();
            flooder.handler(data -> replies.incrementAndGet());
            flooder.pause();
            long toysBefore = toys();
            int pairs = 1000;
            String auth = "\"headers\":{\"authorization\":\"Bearer " + node.adminToken() + "\"}";
            for (int i = 0; i < pairs; i++) {
                // a small write that counts, then a read with a large reply (every pony, the big one included: ~40 KB)
                flooder.writeTextMessage("{\"type\":\"send\",\"address\":\"herald.request\",\"replyAddress\":\"c" + i + "\"," + auth
                        + ",\"body\":{\"method\":\"POST\",\"url\":\"/toy\",\"data\":{\"label\":\"t" + i + "\"}}}");
                flooder.writeTextMessage("{\"type\":\"send\",\"address\":\"herald.request\",\"replyAddress\":\"r" + i + "\"," + auth
                        + ",\"body\":{\"method\":\"GET\",\"url\":\"/pony?limit=30\"}}");
            }
            long executed = settledCount();
            assertTrue(executed - toysBefore < pairs, "the server stopped reading the flood: " + (executed - toysBefore) + " of " + pairs);

            try (TestSocket other = TestSocket.connect(node.vertx(), node.port(), null)) {
                assertEquals("rec", other.ask("herald.whoami", new JsonObject(), null).getString("type"), "others are still served");
            }

            flooder.resume();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (toys() - toysBefore < pairs && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(pairs, toys() - toysBefore, "once the peer reads, every frame is executed; replies read " + replies.get());
            while (replies.get() < 2 * pairs && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(2 * pairs, replies.get(), "and every reply arrives");
            flooder.close();
        } finally {
            client.close();
        }
    }

    /** Waits until the toy count stops changing for a second, and returns it. */
    private static long settledCount() throws InterruptedException {
        long last = -1;
        long now = toys();
        while (now != last) {
            Thread.sleep(1000);
            last = now;
            now = toys();
        }
        return now;
    }

    @Test
    void aSubscriberThatReadsNothingWhileNotificationsPileUpIsClosed() throws InterruptedException {
        long pony = node.create("pony", new JsonObject().put("name", "Busy").put("hobby", big));
        WebSocketClient client = node.vertx().createWebSocketClient();
        try {
            AtomicInteger closed = new AtomicInteger();
            WebSocket deaf = deafSubscriber(client, pony, closed);
            // every update sends the whole previous record (~40 KB) to the subscriber
            for (int round = 0; round < 40 && closed.get() == 0; round++) {
                java.util.List<String> uris = java.util.Collections.nCopies(25, "/pony/" + pony);
                java.util.List<JsonObject> bodies = new java.util.ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    bodies.add(new JsonObject().put("name", "Busy " + round + "." + i));
                }
                node.atOnce(io.vertx.core.http.HttpMethod.PATCH, uris, bodies).forEach(r -> assertEquals(200, r.statusCode()));
            }
            deaf.resume();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (closed.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, closed.get(), "closed once more than 16 MiB waited for it");
        } finally {
            client.close();
        }
    }

    @Test
    void aSockJsPeerThatKeepsSendingWhileItsRequestsWaitIsClosedNotQueuedWithoutBound() throws InterruptedException {
        // the SockJS transports go on reading what the peer sends: its frames must not pile up unread
        io.vertx.sqlclient.SqlConnection holder = node.database().getConnection().await();
        holder.query("BEGIN").execute().await();
        holder.query("LOCK TABLE pony IN ACCESS EXCLUSIVE MODE").execute().await();
        WebSocketClient client = node.vertx().createWebSocketClient(new WebSocketClientOptions()
                .setMaxMessageSize(16 * 1024 * 1024).setMaxFrameSize(16 * 1024 * 1024));
        try {
            WebSocket sockJs = client.connect(node.port(), "127.0.0.1", "/realtime/000/" + java.util.UUID.randomUUID() + "/websocket").await();
            AtomicInteger closed = new AtomicInteger();
            sockJs.closeHandler(v -> closed.incrementAndGet());
            io.vertx.core.json.JsonArray requests = new io.vertx.core.json.JsonArray();
            for (int i = 0; i < 70; i++) {
                requests.add(new JsonObject().put("type", "send").put("address", "herald.request").put("replyAddress", "r" + i)
                        .put("headers", new JsonObject().put("authorization", "Bearer " + node.adminToken()))
                        .put("body", new JsonObject().put("method", "GET").put("url", "/pony")).encode());
            }
            sockJs.writeTextMessage(requests.encode()).await();
            String padded = new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "ping").put("pad", "p".repeat(900_000)).encode()).encode();
            for (int i = 0; i < 4 && closed.get() == 0; i++) {
                sockJs.writeTextMessage(padded);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (closed.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, closed.get(), "closed once more than 2 MiB of frames arrived while its 64 requests waited");
        } finally {
            holder.query("ROLLBACK").execute().await();
            holder.close().await();
            client.close();
        }
    }
}
