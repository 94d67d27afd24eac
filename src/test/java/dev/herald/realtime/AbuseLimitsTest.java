package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The abuse limits of one node, through real sockets: the socket cap, the per-socket frame rate (429
 * err frames for frames not executed, closing after sustained abuse) and the closing of sockets that
 * never present a valid token. The cap test runs first, while no other test's socket counts.
 */
@Tier.Component
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AbuseLimitsTest {
    static final int RATE = 20;
    static final int CAP = 4;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo(Map.of("HERALD_SOCKET_RATE", String.valueOf(RATE),
            "HERALD_MAX_SOCKETS", String.valueOf(CAP), "HERALD_SOCKET_IDLE_TIMEOUT", "2"));

    private static TestSocket signedIn() {
        return TestSocket.connect(node.vertx(), node.port(), "access_token=" + node.adminToken());
    }

    private static void assertUsable(TestSocket s) {
        assertEquals("rec", s.ask("herald.whoami", new JsonObject(), null).getString("type"));
    }

    @Test
    @Order(1)
    void socketsBeyondTheCapAreRefusedWithA503AndClosed() {
        List<TestSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {
                TestSocket s = signedIn();
                open.add(s);
                assertUsable(s);
            }
            try (TestSocket refused = signedIn()) {
                JsonObject err = refused.await(f -> "err".equals(f.getString("type")));
                assertEquals(503, err.getInteger("failureCode"));
                assertTrue(err.getString("message").contains("limit of " + CAP + " sockets"), err.encode());
                assertTrue(refused.awaitClosed(10), "the refused socket is closed");
            }
            open.forEach(s -> assertFalse(s.isClosed(), "the sockets within the cap stay open"));
            open.remove(0).close();
            assertTrue(connectsWithin(10), "a closed socket frees its place");
        } finally {
            open.forEach(TestSocket::close);
        }
    }

    /** A socket gets in once a place is free (the server counts a close as it sees it). */
    private static boolean connectsWithin(int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            TestSocket s = signedIn();
            try {
                s.send(new JsonObject().put("type", "send").put("address", "herald.whoami").put("replyAddress", "w")
                        .put("body", new JsonObject()));
            } catch (RuntimeException closedAlready) {
                // refused: the node wrote its err frame and closed the socket before this was sent
            }
            JsonObject first = s.await(f -> "w".equals(f.getString("address")) || "err".equals(f.getString("type")));
            s.close();
            if ("rec".equals(first.getString("type"))) {
                return true;
            }
            assertEquals(503, first.getInteger("failureCode"), first.encode());
        }
        return false;
    }

    @Test
    @Order(2)
    void framesOverTheRateGet429AndAreNotExecuted() {
        int count = 3 * RATE;
        List<Long> ponies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ponies.add(node.create("pony", new JsonObject().put("name", "flood " + i)));
        }
        Map<String, Long> byReply = new HashMap<>();
        try (TestSocket s = signedIn()) {
            for (long id : ponies) {
                String reply = "d" + id;
                byReply.put(reply, id);
                s.send(new JsonObject().put("type", "send").put("address", "herald.request").put("replyAddress", reply)
                        .put("body", new JsonObject().put("method", "DELETE").put("url", "/pony/" + id)));
            }
            int refused = 0;
            for (String reply : byReply.keySet()) {
                JsonObject answer = s.await(f -> reply.equals(f.getString("address")));
                long id = byReply.get(reply);
                boolean exists = node.sql("SELECT 1 FROM pony WHERE id = $1", id).size() == 1;
                if ("err".equals(answer.getString("type"))) {
                    refused++;
                    assertEquals(429, answer.getInteger("failureCode"), answer.encode());
                    assertTrue(exists, "a refused destroy is not executed: pony " + id + " is still there");
                } else {
                    assertEquals(200, answer.getJsonObject("body").getInteger("statusCode"), answer.encode());
                    assertFalse(exists, "an answered destroy is done");
                }
            }
            assertTrue(refused >= count - RATE - RATE / 2, "a burst of " + count + " frames mostly over the rate of "
                    + RATE + "/s, yet only " + refused + " refused");
            assertTrue(refused < count, "the bucket's first " + RATE + " frames go through");
            assertFalse(s.isClosed(), "one burst does not close the socket");
        }
    }

    @Test
    @Order(3)
    void aSocketThatKeepsExceedingItsRateIsClosedWhileOneWithinItStaysOpen() throws Exception {
        try (TestSocket abuser = signedIn(); TestSocket polite = signedIn()) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread pacer = new Thread(() -> {
                long pings = 0;
                long start = System.nanoTime();
                while (!stop.get() && !polite.isClosed()) {
                    // half the rate, evenly spread
                    long due = start + pings * 2_000_000_000L / RATE;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        sleepNanos(wait);
                    }
                    polite.sendRaw("{\"type\":\"ping\"}");
                    pings++;
                }
            });
            pacer.start();
            long deadline = System.nanoTime() + (SocketSession.ABUSE_SECONDS + 20) * 1_000_000_000L;
            while (!abuser.isClosed() && System.nanoTime() < deadline) {
                abuser.sendRawIfOpen("{\"type\":\"ping\"}");
                sleepNanos(1_000_000_000L / (3 * RATE));
            }
            stop.set(true);
            pacer.join();
            assertTrue(abuser.isClosed(), "a socket sending three times its rate is closed");
            assertEquals((short) 1008, abuser.closeStatus(), "closed for breaking the rules");
            assertFalse(polite.isClosed(), "a socket within its rate stays open");
            assertUsable(polite);
            List<JsonObject> errs = abuser.frames(0).stream().filter(f -> "err".equals(f.getString("type"))).toList();
            assertFalse(errs.isEmpty(), "the abuser was told first");
            errs.forEach(e -> assertEquals(429, e.getInteger("failureCode")));
            assertTrue(polite.frames(0).stream().noneMatch(f -> "err".equals(f.getString("type"))), "no 429 within the rate");
        }
    }

    @Test
    @Order(4)
    void aSocketWithoutAValidTokenIsClosedAfterTheIdleTimeoutEvenWhilePinging() {
        try (TestSocket anonymous = TestSocket.connect(node.vertx(), node.port(), null);
             TestSocket badToken = TestSocket.connect(node.vertx(), node.port(), "access_token=not-a-token");
             TestSocket member = TestSocket.connect(node.vertx(), node.port(), null)) {
            assertEquals("rec", member.ask("herald.whoami", new JsonObject(), node.adminToken()).getString("type"));
            long deadline = System.nanoTime() + 15_000_000_000L;
            while ((!anonymous.isClosed() || !badToken.isClosed()) && System.nanoTime() < deadline) {
                anonymous.sendRawIfOpen("{\"type\":\"ping\"}");
                badToken.sendRawIfOpen("{\"type\":\"ping\"}");
                member.sendRaw("{\"type\":\"ping\"}");
                sleepNanos(250_000_000L);
            }
            assertTrue(anonymous.isClosed(), "a socket that never authenticated is closed");
            assertTrue(badToken.isClosed(), "a socket whose token was refused is closed");
            assertTrue(anonymous.frames(0).stream().anyMatch(f -> "err".equals(f.getString("type")) && f.getInteger("failureCode") == 401),
                    "with a 401 err frame first");
            assertFalse(member.isClosed(), "an authenticated socket that pings stays open");
            assertUsable(member);
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
