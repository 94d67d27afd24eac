package dev.herald.realtime;

import dev.herald.notifications.NotificationAddresses;
import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A browser-style client subscribed to Pinkie Pie sees exactly the seed's destroyed message. */
@Tier.Component
class RealtimeDestroyTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    @Test
    void aSubscriberSeesPinkiePieDestroyedOverHttpWithTheExactSeedMessage() {
        try (TestSocket watcher = TestSocket.connect(node.vertx(), node.port(), null)) {
            JsonObject subscribed = watcher.ask("herald.subscribe", new JsonObject().put("model", "pony")
                    .put("ids", new JsonArray().add(4).add(404)), node.adminToken());
            assertEquals("rec", subscribed.getString("type"));
            JsonObject reply = subscribed.getJsonObject("body");
            assertEquals(new JsonObject().put("subscribed", new JsonArray().add(4)).put("notFound", new JsonArray().add(404)),
                    new JsonObject().put("subscribed", reply.getValue("subscribed")).put("notFound", reply.getValue("notFound")));
            assertTrue(reply.getString("seq").matches("[0-9]+") && !reply.getString("epoch").isEmpty(), "where live delivery starts: " + reply);

            var response = node.delete("/pony/4");
            assertEquals(200, response.statusCode());

            JsonObject frame = watcher.await(f -> "pony".equals(f.getString("address")));
            assertEquals("rec", frame.getString("type"));
            JsonObject expected = new JsonObject().put("verb", "destroyed").put("id", 4).put("previous", json(response));
            assertEquals(expected, frame.getJsonObject("body"));
            assertEquals(List.of("verb", "id", "previous"), List.copyOf(frame.getJsonObject("body").fieldNames()));
            assertFalse(frame.getJsonObject("body").getJsonObject("previous").containsKey("secret"));
            assertTrue(watcher.notifications("pony", 200).isEmpty(), "exactly one destroyed message");
        }
    }

    @Test
    void publicationsThatCannotBeReadAreDroppedAndDeliveryGoesOn() {
        long id = json(node.post("/pony", new JsonObject().put("name", "Survivor of garbage"))).getLong("id");
        try (TestSocket watcher = TestSocket.connect(node.vertx(), node.port(), null)) {
            watcher.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(id)),
                    node.adminToken());
            var bus = node.vertx().eventBus();
            bus.publish(NotificationAddresses.NOTIFICATIONS, Buffer.buffer("not a publication"));
            bus.publish(NotificationAddresses.NOTIFICATIONS, Buffer.buffer().appendInt(1).appendInt(1_000_000));
            bus.publish(NotificationAddresses.NOTIFICATIONS, new JsonObject().put("origin", new JsonObject())
                    .put("notifications", new JsonArray().add(new JsonObject().put("model", "pony").put("id", id)
                            .put("message", new JsonObject().put("verb", "destroyed").put("id", id)))));

            assertEquals(200, node.delete("/pony/" + id).statusCode());

            List<JsonObject> messages = watcher.notifications("pony", 500);
            assertEquals(1, messages.size(), "only the real destroy arrives: " + messages);
            assertEquals("destroyed", messages.get(0).getString("verb"));
            assertEquals("Survivor of garbage", messages.get(0).getJsonObject("previous").getString("name"));
        }
    }
}
