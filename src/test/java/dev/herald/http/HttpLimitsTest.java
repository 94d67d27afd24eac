package dev.herald.http;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.RawConnection;
import dev.herald.testing.TestNode;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import dev.herald.testing.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow, stalled, silent and unauthenticated clients (security.md): 401 before any body is read, heads
 * within 10 s, bodies within the request timeout, idle keep-alive connections closed. The node runs
 * with a 1 s request timeout and a 1 s idle timeout so that only the fixed 10 s head timeout takes long.
 */
@Tier.Component
class HttpLimitsTest {
    /** Generous bound for "promptly": far above the 1 s timeouts, far below anything a stalled client would wait. */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static final long SIXTEEN_MIB = 16L * 1024 * 1024;
    private static final String FORGED = Tokens.sign(Tokens.claims("mallory", 3600, "*:*"), "another-secret-another-secret-another-secret");
    private static final String EXPIRED = Tokens.sign(Tokens.claims("mallory", -120, "*:*"), TestNode.SECRET);

    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo(Map.of("HERALD_REQUEST_TIMEOUT", "1s", "HERALD_IDLE_TIMEOUT", "1s"));

    private static String head(String method, String path, String token, long contentLength) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + (contentLength >= 0 ? "Content-Length: " + contentLength + "\r\n" : "")
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
    }

    @Test
    void anUnauthenticatedUploadIs401BeforeItsBodyAndTheConnectionIsClosed() {
        long ponies = node.count("pony");
        for (String token : Arrays.asList(null, "not-a-jwt", FORGED, EXPIRED)) {
            try (RawConnection c = RawConnection.open(node.port())) {
                c.send(head("POST", "/pony", token, SIXTEEN_MIB) + "{\"name\":\"Intruder");
                RawConnection.Response r = c.readResponse(PROMPTLY);
                assertEquals(401, r.status(), r.body());
                assertEquals("E_UNAUTHORIZED", r.json().getString("code"));
                assertEquals("Bearer", r.header("WWW-Authenticate"));
                assertEquals("close", r.header("Connection"));
                c.awaitClosed(PROMPTLY);
            }
        }
        assertEquals(ponies, node.count("pony"));
    }

    @Test
    void anUnauthenticatedHaystackUploadIsA401ErrorGridAndDeletesNothing() {
        String id = UUID.randomUUID().toString();
        JsonObject created = node.post("/api/createRec", grid("id", "r:" + id)).bodyAsJsonObject();
        assertTrue(!created.getJsonObject("meta").containsKey("err"), created.encode());
        String body = grid("id", "r:" + id).encode();
        for (String token : Arrays.asList(null, FORGED, EXPIRED)) {
            try (RawConnection c = RawConnection.open(node.port())) {
                c.send(head("POST", "/api/deleteRec", token, SIXTEEN_MIB) + body);
                RawConnection.Response r = c.readResponse(PROMPTLY);
                assertEquals(401, r.status(), r.body());
                JsonObject meta = r.json().getJsonObject("meta");
                assertEquals("m:", meta.getString("err"));
                assertTrue(meta.getString("dis").startsWith("s:HUnauthorizedError: "), meta.encode());
                assertEquals("close", r.header("Connection"));
                c.awaitClosed(PROMPTLY);
            }
        }
        assertEquals(1, node.sql("SELECT 1 FROM entity WHERE id = $1", UUID.fromString(id)).size(), "nothing deleted");
    }

    private static JsonObject grid(String column, String value) {
        return new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                .put("cols", new JsonArray().add(new JsonObject().put("name", column)))
                .put("rows", new JsonArray().add(new JsonObject().put(column, value)));
    }

    @Test
    void sixtyStalledUnauthenticatedUploadsHoldNoMemoryAndAllGet401() throws IOException {
        long before = usedHeapAfterGc();
        List<SocketChannel> uploads = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                SocketChannel upload = SocketChannel.open(new InetSocketAddress("127.0.0.1", node.port()));
                upload.configureBlocking(false);
                uploads.add(upload);
                push(upload, head("POST", "/pony", null, SIXTEEN_MIB).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(1));
                push(upload, "{\"name\":\"".concat("x".repeat(1024 * 1024)).getBytes(StandardCharsets.UTF_8), Duration.ofMillis(200));
            }
            long grown = usedHeapAfterGc() - before;
            assertTrue(grown < 16L * 1024 * 1024, "60 stalled uploads of 1 MiB each grew the heap by " + grown / 1024 + " KiB");

            assertEquals(200, healthWithoutToken(), "the node still answers");
            assertEquals(200, node.get("/pony/1").statusCode());
            for (SocketChannel upload : uploads) {
                String answer = readUntilClosed(upload, PROMPTLY);
                assertTrue(answer.startsWith("HTTP/1.1 401 "), answer);
            }
        } finally {
            for (SocketChannel upload : uploads) {
                upload.close();
            }
        }
    }

    /** Writes as much of {@code bytes} as the connection takes within {@code patience}; stops quietly once the server has closed it. */
    private static void push(SocketChannel channel, byte[] bytes, Duration patience) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + patience.toNanos();
        try {
            while (buffer.hasRemaining() && System.nanoTime() < deadline) {
                if (channel.write(buffer) == 0) {
                    Thread.sleep(5);
                }
            }
        } catch (IOException closedByServer) {
            // the server answered and closed: nothing more to send
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Everything the server sends until it closes the connection, which must happen within {@code within}. */
    private static String readUntilClosed(SocketChannel channel, Duration within) {
        StringBuilder text = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + within.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                int n = channel.read(buffer);
                if (n == -1) {
                    return text.toString();
                }
                if (n == 0) {
                    Thread.sleep(5);
                }
                buffer.flip();
                text.append(StandardCharsets.UTF_8.decode(buffer));
                buffer.clear();
            }
        } catch (IOException reset) {
            return text.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("the server kept the connection open; it sent: " + text);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** {@code GET /health} without a token on a connection of its own. */
    private static int healthWithoutToken() {
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            return c.readResponse(PROMPTLY).status();
        }
    }

    @Test
    void anAuthenticatedUploadThatStallsIsClosedAfterTheRequestTimeoutAndChangesNothing() {
        long ponies = node.count("pony");
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send(head("POST", "/pony", node.adminToken(), 1000) + "{\"name\":\"Stalled");
            c.awaitClosed(PROMPTLY);
        }
        assertEquals(ponies, node.count("pony"));
    }

    @Test
    void aStalledSockJsSendIsClosedAfterTheRequestTimeout() {
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send(head("POST", "/realtime/000/stalled/xhr_send", null, 1000) + "[\"{");
            c.awaitClosed(PROMPTLY);
        }
    }

    @Test
    void anAuthenticatedBodySentInPiecesWithinTheTimeoutIsAcceptedAndTheConnectionKeptAlive() throws InterruptedException {
        String body = new JsonObject().put("name", "Patient").encode();
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send(head("POST", "/pony", node.adminToken(), body.length()));
            Thread.sleep(300);
            c.send(body.substring(0, 5));
            Thread.sleep(300);
            c.send(body.substring(5));
            RawConnection.Response created = c.readResponse(PROMPTLY);
            assertEquals(200, created.status(), created.body());
            assertEquals("Patient", created.json().getString("name"));
            assertNotEquals("close", created.header("Connection"));
            c.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals(200, c.readResponse(PROMPTLY).status(), "same connection, no token needed");
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() {
        try (RawConnection c = RawConnection.open(node.port())) {
            for (int i = 0; i < 2; i++) {
                c.send("GET /pony/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + node.adminToken() + "\r\n\r\n");
                RawConnection.Response r = c.readResponse(PROMPTLY);
                assertEquals(200, r.status(), r.body());
                assertNotEquals("close", r.header("Connection"));
            }
            c.awaitClosed(PROMPTLY);
        }
    }

    /**
     * One test for every head case, run side by side, so the fixed 10 s head timeout is waited for
     * once: a connection that sends nothing, one that stops halfway through its head, one that
     * trickles its head a byte a second, and a kept-alive connection that trickles its second head
     * (a head in progress is held to the head timeout, not to the shorter idle timeout).
     */
    @Test
    void requestHeadsMustArriveWithinTenSeconds() {
        String slowHead = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "a".repeat(60) + "\r\n\r\n";
        Duration bound = Duration.ofSeconds(15);
        try (RawConnection silent = RawConnection.open(node.port());
             RawConnection half = RawConnection.open(node.port());
             RawConnection loris = RawConnection.open(node.port());
             RawConnection keptAlive = RawConnection.open(node.port())) {
            half.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            loris.trickle(slowHead, Duration.ofSeconds(1));
            keptAlive.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals(200, keptAlive.readResponse(PROMPTLY).status());
            keptAlive.trickle(slowHead, Duration.ofSeconds(1));

            keptAlive.assertOpenFor(Duration.ofSeconds(3));
            for (RawConnection c : List.of(silent, half, loris, keptAlive)) {
                c.awaitClosed(bound.minus(c.age()));
            }
        }
    }

    @Test
    void realtimeTransportsOutliveTheIdleTimeout() throws InterruptedException {
        try (TestSocket socket = TestSocket.connect(node.vertx(), node.port(), null)) {
            Thread.sleep(2500);
            assertEquals(200, socket.request("GET", "/pony/1", null, node.adminToken()).getInteger("statusCode"));
        }
        String session = UUID.randomUUID().toString();
        try (RawConnection stream = RawConnection.open(node.port())) {
            stream.send("POST /realtime/000/" + session + "/xhr_streaming HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
            stream.readUntil("o\n", PROMPTLY);
            Thread.sleep(2500);
            String frame = new JsonObject().put("type", "send").put("address", "herald.request").put("replyAddress", "r1")
                    .put("headers", new JsonObject().put("authorization", "Bearer " + node.adminToken()))
                    .put("body", new JsonObject().put("method", "GET").put("url", "/pony/1")).encode();
            String body = new JsonArray().add(frame).encode();
            try (RawConnection send = RawConnection.open(node.port())) {
                send.send("POST /realtime/000/" + session + "/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
                assertEquals(204, send.readResponse(PROMPTLY).status());
            }
            String received = stream.readUntil("statusCode", PROMPTLY);
            assertTrue(received.contains("r1"), received);
        }
    }

    /**
     * A WebSocket outlives the request it was upgraded from, and keeps nothing of it: no deadline watch
     * (which held the request, re-armed a timer every idle period and kept a handler in the pipeline),
     * and for the raw transport no routing context. The node runs in this JVM: its live objects are
     * counted with a class histogram (a full collection first), before and after the sockets open.
     */
    @Test
    void anUpgradedConnectionKeepsNothingOfTheRequestItWasUpgradedFrom() throws Exception {
        int raw = 40;
        int sockJs = 20;
        Map<String, Long> before = liveInstances();
        io.vertx.core.http.WebSocketClient client = node.vertx().createWebSocketClient(
                new io.vertx.core.http.WebSocketClientOptions().setMaxConnections(raw + sockJs));
        List<io.vertx.core.http.WebSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < raw; i++) {
                open.add(client.connect(node.port(), "127.0.0.1", "/realtime/websocket").await());
            }
            for (int i = 0; i < sockJs; i++) {
                open.add(client.connect(node.port(), "127.0.0.1", "/realtime/000/" + UUID.randomUUID() + "/websocket").await());
            }
            // the last raw socket answers a request: the node has taken every socket before it
            try (TestSocket last = TestSocket.connect(node.vertx(), node.port(), null)) {
                assertEquals(200, last.request("GET", "/pony/1", null, node.adminToken()).getInteger("statusCode"));
                Map<String, Long> after = liveInstances();
                long watches = grew(before, after, ConnectionDeadlines.class.getName() + "$Watch");
                long contexts = grew(before, after, "io.vertx.ext.web.impl.RoutingContextImpl");
                assertTrue(watches < 10, watches + " more connections watched with " + (raw + sockJs + 1) + " WebSockets open");
                // SockJS's own sessions keep theirs (SockJSSocket#routingContext); the raw ones keep none
                assertTrue(contexts < sockJs + 10, contexts + " more routing contexts live with " + (raw + 1) + " raw and "
                        + sockJs + " SockJS WebSockets open");
            }
        } finally {
            open.forEach(io.vertx.core.http.WebSocket::close);
            client.close();
        }
    }

    @Test
    void aRealtimeRequestThatCannotBeUpgradedIsStillA400AndHeldToTheIdleTimeout() {
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send("GET /realtime/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawConnection.Response r = c.readResponse(PROMPTLY);
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("Can \"Upgrade\" only to \"WebSocket\"."), r.body());
            c.awaitClosed(PROMPTLY);
        }
    }

    /**
     * A refused handshake (an unsupported Sec-WebSocket-Version) on either WebSocket path: a client error,
     * the connection closed at once (not left to the 1 s idle timeout, twice over, as when the end of an
     * upgrade request was not followed), and nothing logged as an unexpected failure.
     */
    @Test
    void aWebSocketHandshakeThatFailsIsAClientErrorAndClosesItsConnectionAtOnce() {
        java.util.List<java.util.logging.LogRecord> severe = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                    severe.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger herald = java.util.logging.Logger.getLogger("dev.herald");
        herald.addHandler(capture);
        try {
            for (String path : List.of("/realtime/websocket", "/realtime/000/" + UUID.randomUUID() + "/websocket")) {
                try (RawConnection c = RawConnection.open(node.port())) {
                    c.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n");
                    RawConnection.Response r = c.readResponse(PROMPTLY);
                    assertTrue(r.status() >= 400 && r.status() < 500, path + ": " + r.status() + " " + r.body());
                    // well within the 1 s idle timeout: closed for the refusal, not for idling
                    c.awaitClosed(Duration.ofMillis(800));
                }
            }
            assertTrue(severe.isEmpty(), "a client's bad handshake is not an unexpected failure: "
                    + severe.stream().map(java.util.logging.LogRecord::getMessage).toList());
        } finally {
            herald.removeHandler(capture);
        }
    }

    private static long grew(Map<String, Long> before, Map<String, Long> after, String className) {
        return after.getOrDefault(className, 0L) - before.getOrDefault(className, 0L);
    }

    /** Live instances by class in this JVM, from {@code GC.class_histogram} (which collects first). */
    private static Map<String, Long> liveInstances() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {null}, new String[] {String[].class.getName()});
        Map<String, Long> instances = new java.util.HashMap<>();
        for (String line : histogram.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[0].endsWith(":")) {
                instances.put(fields[3], Long.parseLong(fields[1]));
            }
        }
        return instances;
    }
}
