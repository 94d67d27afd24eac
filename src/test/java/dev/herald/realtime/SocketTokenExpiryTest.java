package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestNode;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import dev.herald.testing.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * realtime.md and security.md: any frame's token authenticates the socket, whoami's too; a socket loses its
 * subject at that token's {@code exp}, with its subscriptions and watches, hears one err 401 "token
 * expired", and can authenticate again.
 */
@Tier.Component
class SocketTokenExpiryTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    /** A token for {@code subject} that expires {@code seconds} from now, to the second. */
    private static String expiringIn(String subject, int seconds) {
        return Tokens.sign(Tokens.claims(subject, seconds, "*:*"), TestNode.SECRET);
    }

    private static JsonObject whoami(TestSocket s, String token) {
        return s.ask("herald.whoami", new JsonObject(), token).getJsonObject("body");
    }

    @Test
    void whoamiWithATokenAuthenticatesTheSocket() {
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), null)) {
            assertEquals("erin", whoami(s, node.token("erin", "pony:read")).getString("subject"));
            assertEquals("erin", whoami(s, null).getString("subject"), "and it stays authenticated");
            JsonObject forged = s.ask("herald.whoami", new JsonObject(), "forged.token.here");
            assertEquals("err", forged.getString("type"));
            assertEquals(401, forged.getInteger("failureCode"));
        }
    }

    @Test
    void atItsExpASocketLosesItsSubjectSubscriptionsAndWatchesAndCanSignInAgain() {
        long pony = node.create("pony", new JsonObject().put("name", "Expiring"));
        long kept = node.create("pony", new JsonObject().put("name", "Outlives the token"));
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), null)) {
            String shortLived = expiringIn("frank", 2);
            JsonObject subscribed = s.ask("herald.subscribe", new JsonObject().put("model", "pony")
                    .put("ids", new JsonArray().add(pony).add(kept)), shortLived);
            assertEquals(new JsonArray().add(pony).add(kept), subscribed.getJsonObject("body").getJsonArray("subscribed"));
            s.ask("herald.watch", new JsonObject().put("model", "pony"), null);

            JsonObject expired = s.await(f -> "err".equals(f.getString("type")));
            assertEquals(401, expired.getInteger("failureCode"));
            assertEquals("token expired", expired.getString("message"));
            assertFalse(expired.containsKey("address"), "no reply address: nobody asked");

            assertNull(whoami(s, null).getString("subject"));
            assertEquals(401, s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(pony)), null)
                    .getInteger("failureCode"), "the expired token is not used again");
            assertEquals(200, node.post("/pony", new JsonObject().put("name", "Born after")).statusCode());
            assertEquals(200, node.delete("/pony/" + pony).statusCode());
            assertTrue(s.notifications("pony", 500).isEmpty(), "no created, no destroyed after exp");

            // signing in again (here as someone else) does not bring back what the expired token subscribed to
            assertEquals("grace", whoami(s, node.token("grace", "pony:read")).getString("subject"));
            assertEquals(200, node.delete("/pony/" + kept).statusCode());
            assertEquals(200, node.post("/pony", new JsonObject().put("name", "Born later")).statusCode());
            assertTrue(s.notifications("pony", 500).isEmpty(), "the rooms and the watch were left at exp");

            long next = node.create("pony", new JsonObject().put("name", "Next"));
            s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(next)), node.token("frank", "pony:read"));
            assertEquals("frank", whoami(s, null).getString("subject"));
            assertEquals(200, node.delete("/pony/" + next).statusCode());
            assertEquals("destroyed", s.await(f -> "pony".equals(f.getString("address"))).getJsonObject("body").getString("verb"));
        }
    }

    @Test
    void aSocketThatConnectedWithAnAccessTokenExpiresToo() {
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), "access_token=" + expiringIn("gina", 2))) {
            assertEquals("gina", whoami(s, null).getString("subject"));
            JsonObject expired = s.await(f -> "err".equals(f.getString("type")));
            assertEquals("token expired", expired.getString("message"));
            assertEquals(401, s.ask("herald.watch", new JsonObject().put("model", "pony"), null).getInteger("failureCode"));
        }
    }
}
