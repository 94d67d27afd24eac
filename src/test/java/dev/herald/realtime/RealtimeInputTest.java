package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile and malformed frames, socket authentication and permissions, and reaping of silent sockets. */
@Tier.Component
class RealtimeInputTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo(Map.of("HERALD_SOCKET_IDLE_TIMEOUT", "2"));

    private static TestSocket socket(String query) {
        return TestSocket.connect(node.vertx(), node.port(), query);
    }

    private static void assertStillUsable(TestSocket s) {
        JsonObject whoami = s.ask("herald.whoami", new JsonObject(), null);
        assertEquals("rec", whoami.getString("type"));
    }

    private static JsonObject nextErr(TestSocket s) {
        return s.await(f -> "err".equals(f.getString("type")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"send\",\"address\":\"herald.request\",\"replyAddress\":\"r\",\"body\":{\"method\":\"POST\",\"url\":\"/pony\",\"data\":{\"name\":\"a\\u0000b\"}}}",
            "{\"type\":\"send\",\"address\":\"herald.request\",\"replyAddress\":\"r\",\"body\":{\"method\":\"POST\",\"url\":\"/pony\",\"data\":{\"name\":\"\\ud800\"}}}",
            "{\"type\":\"send\",\"address\":\"herald.subscribe\",\"replyAddress\":\"r\",\"body\":{\"model\":\"pony\",\"ids\":[\"\\udc00\"]}}",
            "{\"type\":\"send\",\"address\":\"herald.request\",\"replyAddress\":\"r\",\"body\":{\"method\":\"POST\",\"url\":\"/pony\",\"data\":{\"name\":\"x\",\"deep\":DEEP}}}",
    })
    void framesOverTheJsonBoundsAreRefusedAndWriteNothing(String frame) {
        long ponies = node.count("pony");
        try (TestSocket s = socket(null)) {
            s.sendRaw(frame.replace("DEEP", "[".repeat(900) + "]".repeat(900)));
            JsonObject err = nextErr(s);
            assertEquals(400, err.getInteger("failureCode"));
            assertEquals("r", err.getString("address"), "the err names the reply address it could read");
            assertStillUsable(s);
        }
        assertEquals(ponies, node.count("pony"));
    }

    @Test
    void entityNamesAreLookedUpOnlyForAnAuthenticatedSubscriber() {
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        io.vertx.core.Handler<io.vertx.core.eventbus.DeliveryContext<Object>> counter = delivery -> {
            if (delivery.message().body() instanceof JsonObject op && "resolve".equals(op.getString("op"))) {
                lookups.incrementAndGet();
            }
            delivery.next();
        };
        node.vertx().eventBus().addOutboundInterceptor(counter);
        try (TestSocket s = socket(null)) {
            JsonArray names = new JsonArray();
            for (int i = 0; i < 1000; i++) {
                names.add("site" + i + ".equip.point");
            }
            JsonObject body = new JsonObject().put("model", "entity").put("ids", names);
            assertEquals(401, s.ask("herald.subscribe", body, null).getInteger("failureCode"));
            assertEquals("rec", s.ask("herald.unsubscribe", body, null).getString("type"));
            assertEquals(0, lookups.get(), "nothing is looked up for a socket without a good token");
            s.ask("herald.subscribe", body, node.adminToken());
            assertEquals(1, lookups.get(), "an authenticated subscribe looks the names up once");
        } finally {
            node.vertx().eventBus().removeOutboundInterceptor(counter);
        }
    }

    @Test
    void virtualRequestsWithABadlyEncodedQueryAreAnsweredAndNeverStallTheSocket() {
        try (TestSocket s = socket(null)) {
            for (int i = 0; i < 70; i++) {
                JsonObject reply = s.request("GET", "/pony?name=%zz", null, node.adminToken());
                assertEquals(400, reply.getInteger("statusCode"), reply.encode());
                assertEquals("E_INVALID_CRITERIA", reply.getJsonObject("body").getString("code"));
            }
            assertStillUsable(s);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "true", "{\"a\":1}", "[\"r\"]"})
    void aReplyAddressThatIsNotAStringGetsAnErrAndNothingRuns(String replyAddress) {
        long ponies = node.count("pony");
        try (TestSocket s = socket(null)) {
            s.sendRaw("{\"type\":\"send\",\"address\":\"herald.request\",\"replyAddress\":" + replyAddress
                    + ",\"headers\":{\"authorization\":\"Bearer " + node.adminToken() + "\"},"
                    + "\"body\":{\"method\":\"POST\",\"url\":\"/pony\",\"data\":{\"name\":\"n\"}}}");
            JsonObject err = nextErr(s);
            assertEquals(400, err.getInteger("failureCode"));
            assertTrue(err.getString("message").contains("replyAddress"), err.encode());
            assertStillUsable(s);
        }
        assertEquals(ponies, node.count("pony"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1,2,3]", "42", "{}", "{\"type\":7}", "{\"type\":\"shout\"}", "{\"type\":\"send\"}",
            "{\"type\":\"send\",\"address\":[\"x\"]}", "{\"type\":\"send\",\"body\":{}}", "\u0000\u0001\u0002", "{\"type\":\"send\",\"address\":"})
    void unreadableFramesGetAnErr400AndTheSocketStaysUsable(String frame) {
        try (TestSocket s = socket(null)) {
            s.sendRaw(frame);
            JsonObject err = nextErr(s);
            assertEquals(400, err.getInteger("failureCode"));
            assertTrue(err.getString("message").length() > 5);
            assertStillUsable(s);
        }
    }

    @Test
    void anUnknownAddressIsErr404ToTheReplyAddress() {
        try (TestSocket s = socket(null)) {
            JsonObject err = s.ask("somewhere.else", new JsonObject(), node.adminToken());
            assertEquals("err", err.getString("type"));
            assertEquals(404, err.getInteger("failureCode"));
            assertEquals("RECIPIENT_FAILURE", err.getString("failureType"));
        }
    }

    @Test
    void malformedSubscriptionBodiesAreErr400() {
        try (TestSocket s = socket(null)) {
            for (Object body : new Object[]{null, "pony", new JsonObject(), new JsonObject().put("model", "pony"),
                    new JsonObject().put("model", "pony").put("ids", 4), new JsonObject().put("model", "unicorn").put("ids", new JsonArray()),
                    new JsonObject().put("model", "pony").put("ids", new JsonArray().add("four")),
                    new JsonObject().put("model", "pony").put("ids", new JsonArray().add(new JsonObject()))}) {
                JsonObject err = s.ask("herald.subscribe", body, node.adminToken());
                assertEquals("err", err.getString("type"), String.valueOf(body));
                assertEquals(400, err.getInteger("failureCode"), String.valueOf(body));
            }
            JsonObject tooMany = s.ask("herald.subscribe", new JsonObject().put("model", "pony")
                    .put("ids", new JsonArray(java.util.stream.IntStream.range(0, 1001).boxed().toList())), node.adminToken());
            assertEquals(400, tooMany.getInteger("failureCode"));
            assertStillUsable(s);
        }
    }

    @Test
    void aFrameOverOneMebibyteIsErr413AndTheSocketStaysUsable() {
        try (TestSocket s = socket(null)) {
            String big = "{\"type\":\"send\",\"address\":\"herald.whoami\",\"body\":\"" + "x".repeat(1_100_000) + "\"}";
            s.sendRaw(big);
            assertEquals(413, nextErr(s).getInteger("failureCode"));
            assertStillUsable(s);
        }
    }

    @Test
    void malformedVirtualRequestsAreErr400() {
        try (TestSocket s = socket(null)) {
            for (Object body : new Object[]{null, new JsonObject(), new JsonObject().put("method", "GET"),
                    new JsonObject().put("method", "BREW").put("url", "/pony"), new JsonObject().put("method", "GET").put("url", "pony")}) {
                JsonObject err = s.ask("herald.request", body, node.adminToken());
                assertEquals("err", err.getString("type"));
                assertEquals(400, err.getInteger("failureCode"));
            }
            JsonObject badJson = s.request("POST", "/pony", "just a string", node.adminToken());
            assertEquals(400, badJson.getInteger("statusCode"), "a REST error is a reply, not an err frame");
        }
    }

    @Test
    void subscribingNeedsAValidTokenAndReadPermission() {
        try (TestSocket s = socket(null)) {
            JsonObject subscription = new JsonObject().put("model", "pony").put("ids", new JsonArray().add(1));
            assertEquals(401, s.ask("herald.subscribe", subscription, null).getInteger("failureCode"));
            assertEquals(401, s.ask("herald.subscribe", subscription, "forged.token.here").getInteger("failureCode"));
            assertEquals(401, s.ask("herald.watch", new JsonObject().put("model", "pony"), null).getInteger("failureCode"));
            String toysOnly = node.token("kid", "toy:read");
            assertEquals(403, s.ask("herald.subscribe", subscription, toysOnly).getInteger("failureCode"));
            assertEquals(403, s.ask("herald.watch", new JsonObject().put("model", "pony"), toysOnly).getInteger("failureCode"));
            JsonObject ok = s.ask("herald.subscribe", new JsonObject().put("model", "toy").put("ids", new JsonArray().add(3)), toysOnly);
            assertEquals(new JsonArray().add(3), ok.getJsonObject("body").getJsonArray("subscribed"));
        }
    }

    @Test
    void theAccessTokenQueryParameterAuthenticatesTheSocket() {
        String token = node.token("carol", "pony:read");
        try (TestSocket s = socket("access_token=" + token)) {
            JsonObject subscribed = s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(1)), null);
            assertEquals("rec", subscribed.getString("type"), subscribed.encode());
            assertEquals("carol", s.ask("herald.whoami", new JsonObject(), null).getJsonObject("body").getString("subject"));
        }
        try (TestSocket s = socket("access_token=garbage")) {
            assertEquals(401, nextErr(s).getInteger("failureCode"));
            assertNull(s.ask("herald.whoami", new JsonObject(), null).getJsonObject("body").getString("subject"));
        }
    }

    @Test
    void whoamiSaysWhoTheSocketIs() {
        try (TestSocket s = socket(null)) {
            JsonObject before = s.ask("herald.whoami", new JsonObject(), null).getJsonObject("body");
            assertNull(before.getString("subject"));
            assertFalse(before.getString("socketId").isBlank());
            s.ask("herald.watch", new JsonObject().put("model", "pony"), node.token("dave", "pony:read"));
            JsonObject after = s.ask("herald.whoami", new JsonObject(), null).getJsonObject("body");
            assertEquals("dave", after.getString("subject"));
            assertEquals(before.getString("socketId"), after.getString("socketId"));
        }
    }

    @Test
    void aSilentSocketIsClosedAndAPingingOneIsKept() throws InterruptedException {
        // the pinging socket is authenticated: one without a valid token is closed after the same timeout, pings or not
        try (TestSocket silent = socket(null); TestSocket pinging = socket("access_token=" + node.adminToken())) {
            silent.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(1)), node.adminToken());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && !silent.isClosed()) {
                pinging.send(new JsonObject().put("type", "ping"));
                Thread.sleep(250);
            }
            assertTrue(silent.isClosed(), "closed after the idle timeout");
            assertFalse(pinging.isClosed(), "pings keep a socket alive");
            assertStillUsable(pinging);
        }
    }
}
