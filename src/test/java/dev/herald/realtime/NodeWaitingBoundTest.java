package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The node-wide bound on frames waiting for sockets (README "Limits"): once the node holds more than its
 * bound for all its sockets, a socket whose peer reads nothing is closed long before its own 16 MiB.
 * A node of its own: the other back-pressure tests count on their node's data and sockets.
 */
@Tier.Component
class NodeWaitingBoundTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo(java.util.Map.of("HERALD_SOCKET_RATE", "1000000"));

    @Test
    void whenTheNodeHoldsTooMuchForItsSocketsOneThatReadsNothingIsClosedLongBeforeItsOwnBound() throws InterruptedException {
        long pony = node.create("pony", new JsonObject().put("name", "Crowded").put("hobby", "x".repeat(40_000)));
        WebSocketClient client = node.vertx().createWebSocketClient();
        SocketSession.nodeWaitingLimit = 0; // as if many other sockets already held the node's budget
        try (TestSocket reader = TestSocket.connect(node.vertx(), node.port(), node.adminToken())) {
            reader.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(pony)), node.adminToken());
            AtomicInteger closed = new AtomicInteger();
            WebSocket deaf = client.connect(node.port(), "127.0.0.1", "/realtime/websocket").await();
            deaf.closeHandler(v -> closed.incrementAndGet());
            deaf.writeTextMessage(new JsonObject().put("type", "send").put("address", "herald.subscribe").put("replyAddress", "s")
                    .put("headers", new JsonObject().put("authorization", "Bearer " + node.adminToken()))
                    .put("body", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(pony))).encode()).await();
            Thread.sleep(300);
            deaf.pause();
            // each round sends about 1 MB to each subscriber: 8 MB in all, half the bound of one socket (what the
            // kernel buffers on loopback, a few MB, comes on top), so only the node's bound can close it
            for (int round = 0; round < 8; round++) {
                java.util.List<JsonObject> bodies = new java.util.ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    bodies.add(new JsonObject().put("name", "Crowded " + round + "." + i));
                }
                node.atOnce(io.vertx.core.http.HttpMethod.PATCH, java.util.Collections.nCopies(25, "/pony/" + pony), bodies)
                        .forEach(r -> assertEquals(200, r.statusCode()));
            }
            deaf.resume(); // a paused client does not see the close either
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (closed.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, closed.get(), "closed although far less than 16 MiB waited for it");
            long heard = reader.frames(1000).stream().filter(f -> "pony".equals(f.getString("address"))).count();
            assertEquals(8 * 25, heard, "the socket that reads got every update");
        } finally {
            SocketSession.nodeWaitingLimit = SocketSession.NODE_WAITING_BYTES;
            client.close();
            // the other tests' replies list every pony: one more big one would make them larger than they count on
            node.delete("/pony/" + pony);
        }
    }

}
