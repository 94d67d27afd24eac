package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The race that bites Sails and the Vert.x bridge: a subscription racing a destroy must end either
 * subscribed-and-notified or refused with notFound / 404, never silently subscribed to a dead record.
 */
@Tier.Component
class SubscribeDestroyRaceTest {
    private static final int ROUNDS = 60;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels("thing:\n  attributes:\n    name: { type: string }\n");

    private static long thing() {
        return node.sql("INSERT INTO thing (\"createdAt\", \"updatedAt\", name) VALUES (0, 0, 'x') RETURNING id").get(0).getLong(0);
    }

    private static Future<HttpResponse<Buffer>> destroyLater(WebClient http, long id, int delayMillis) {
        Future<?> wait = delayMillis == 0 ? Future.succeededFuture() : node.vertx().timer(delayMillis);
        return wait.compose(t -> http.delete(node.port(), "127.0.0.1", "/thing/" + id)
                .putHeader("Authorization", "Bearer " + node.adminToken()).send());
    }

    @Test
    void subscribeRacingDestroyIsNeverSilentlySubscribedToADeadRecord() {
        WebClient http = WebClient.create(node.vertx());
        int subscribedAndNotified = 0;
        int refused = 0;
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), "access_token=" + node.adminToken())) {
            for (int round = 0; round < ROUNDS; round++) {
                long id = thing();
                String reply = UUID.randomUUID().toString();
                Future<HttpResponse<Buffer>> destroy = destroyLater(http, id, round % 4);
                s.send(new JsonObject().put("type", "send").put("address", "herald.subscribe").put("replyAddress", reply)
                        .put("body", new JsonObject().put("model", "thing").put("ids", new JsonArray().add(id))));
                JsonObject answer = s.await(f -> reply.equals(f.getString("address"))).getJsonObject("body");
                assertEquals(200, destroy.await().statusCode());
                if (answer.getJsonArray("subscribed").stream().anyMatch(x -> ((Number) x).longValue() == id)) {
                    JsonObject destroyed = s.await(f -> "thing".equals(f.getString("address"))
                            && f.getJsonObject("body").getLong("id") == id);
                    assertEquals("destroyed", destroyed.getJsonObject("body").getString("verb"));
                    subscribedAndNotified++;
                } else {
                    assertEquals(1, answer.getJsonArray("notFound").size());
                    assertEquals(id, answer.getJsonArray("notFound").getLong(0));
                    refused++;
                }
            }
        }
        http.close();
        assertEquals(ROUNDS, subscribedAndNotified + refused);
    }

    @Test
    void findOneRacingDestroyAnswers404OrIsNotified() {
        WebClient http = WebClient.create(node.vertx());
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), "access_token=" + node.adminToken())) {
            for (int round = 0; round < ROUNDS; round++) {
                long id = thing();
                String reply = UUID.randomUUID().toString();
                Future<HttpResponse<Buffer>> destroy = destroyLater(http, id, round % 4);
                s.send(new JsonObject().put("type", "send").put("address", "herald.request").put("replyAddress", reply)
                        .put("body", new JsonObject().put("method", "GET").put("url", "/thing/" + id)));
                int status = s.await(f -> reply.equals(f.getString("address"))).getJsonObject("body").getInteger("statusCode");
                assertEquals(200, destroy.await().statusCode());
                assertTrue(status == 200 || status == 404, "status " + status);
                if (status == 200) {
                    assertEquals("destroyed", s.await(f -> "thing".equals(f.getString("address"))
                            && f.getJsonObject("body").getLong("id") == id).getJsonObject("body").getString("verb"));
                }
            }
        }
        http.close();
    }
}
