package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.RawWebSocket;
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
    private static long bigPony;

    @BeforeAll
    static void createABigPony() {
        big = "x".repeat(40_000);
        bigPony = node.create("pony", new JsonObject().put("name", "Big").put("hobby", big));
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
    void aPeerThatReadsNoRepliesStopsBeingReadAndIsServedOnceItReads() throws Exception {
        int pairs = 1000;
        String auth = "\"headers\":{\"authorization\":\"Bearer " + node.adminToken() + "\"}";
        java.util.List<String> flood = new java.util.ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            // a small write that counts, then a read with a large reply (the big pony: ~40 KB)
            flood.add("{\"type\":\"send\",\"address\":\"herald.request\",\"replyAddress\":\"c" + i + "\"," + auth
                    + ",\"body\":{\"method\":\"POST\",\"url\":\"/toy\",\"data\":{\"label\":\"t" + i + "\"}}}");
            flood.add("{\"type\":\"send\",\"address\":\"herald.request\",\"replyAddress\":\"r" + i + "\"," + auth
                    + ",\"body\":{\"method\":\"GET\",\"url\":\"/pony/" + bigPony + "\"}}");
        }
        long toysBefore = toys();
        // a peer that reads nothing at all, with a small receive buffer: what the kernel holds for it is bounded
        // (the node's send buffer, a few MB, and 64 KB), 40 MB of replies are not; the whole flood is written
        // at once, so the node gets it in a few reads and must stop within them
        try (RawWebSocket flooder = RawWebSocket.open(node.port(), "/realtime/websocket")) {
            Thread writer = new Thread(() -> flooder.sendAll(flood), "flooder");
            writer.setDaemon(true);
            writer.start();
            long executed = settledCount() - toysBefore;
            assertTrue(executed < pairs / 2, "the server stopped reading the flood: " + executed + " of " + pairs);

            try (TestSocket other = TestSocket.connect(node.vertx(), node.port(), null)) {
                assertEquals("rec", other.ask("herald.whoami", new JsonObject(), null).getString("type"), "others are still served");
            }

            int replies = flooder.readMessages(2 * pairs, java.time.Duration.ofSeconds(20));
            assertEquals(2 * pairs, replies, "once the peer reads, every frame is executed and every reply arrives");
            assertEquals(pairs, toys() - toysBefore);
            writer.join(10_000);
            assertTrue(!flooder.closedByServer(), "the flooder was never closed");
        }
    }

    @Test
    void atMost64RequestsOfOneSocketRunAtOnceEvenWhenTheyArriveInOneRead() throws Exception {
        // 70 creations in one SockJS message, one read: the 64th must stop the rest before they start, not
        // after the read (the peer then closes the socket, and frames that never started are never run)
        io.vertx.sqlclient.SqlConnection holder = node.database().getConnection().await();
        holder.query("BEGIN").execute().await();
        holder.query("LOCK TABLE toy IN ACCESS EXCLUSIVE MODE").execute().await();
        long toysBefore;
        try {
            toysBefore = toysWhileLocked(holder);
            JsonArray requests = new JsonArray();
            for (int i = 0; i < SocketSession.MAX_IN_FLIGHT + 6; i++) {
                requests.add(new JsonObject().put("type", "send").put("address", "herald.request").put("replyAddress", "r" + i)
                        .put("headers", new JsonObject().put("authorization", "Bearer " + node.adminToken()))
                        .put("body", new JsonObject().put("method", "POST").put("url", "/toy")
                                .put("data", new JsonObject().put("label", "burst " + i))).encode());
            }
            try (RawWebSocket sockJs = RawWebSocket.open(node.port(), "/realtime/000/" + java.util.UUID.randomUUID() + "/websocket")) {
                sockJs.sendAll(java.util.List.of(requests.encode()));
                Thread.sleep(1000);
            }
            Thread.sleep(500);
        } finally {
            holder.query("ROLLBACK").execute().await();
            holder.close().await();
        }
        assertEquals(SocketSession.MAX_IN_FLIGHT, settledCount() - toysBefore, "only the requests that started ran");
    }

    private static long toysWhileLocked(io.vertx.sqlclient.SqlConnection holder) {
        return holder.query("SELECT count(*) FROM toy").execute().await().iterator().next().getLong(0);
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
