package dev.herald.records;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's example, on the built-in demo models: DELETE /pony/4 destroys Pinkie Pie. */
@Tier.Component
class DemoDestroyTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    @Test
    void destroyingPinkiePieAnswersHerRecordAsItWasAndPublishesExactlyWhatChanged() {
        List<String> seededKeys = List.copyOf(json(node.get("/pony/4")).fieldNames());
        node.clearPublished();

        var response = node.delete("/pony/4");

        assertEquals(200, response.statusCode());
        JsonObject body = json(response);
        assertEquals(List.of("name", "hobby", "owner", "toys", "friends", "id", "createdAt", "updatedAt"),
                List.copyOf(body.fieldNames()), "attributes in declared order, then id and timestamps");
        assertEquals(seededKeys, List.copyOf(body.fieldNames()));
        assertEquals("Pinkie Pie", body.getString("name"));
        assertEquals("kickin", body.getString("hobby"));
        assertEquals(4L, body.getLong("id"));
        assertTrue(body.getLong("createdAt") > 1_600_000_000_000L, "epoch milliseconds");
        assertFalse(body.containsKey("secret"), "private attribute left out");
        assertEquals("Cody", body.getJsonObject("owner").getString("name"));
        assertEquals(List.of(1L, 2L), ids(body.getJsonArray("toys")));
        assertEquals(List.of(1L, 5L), ids(body.getJsonArray("friends")));
        assertEquals(4L, body.getJsonArray("toys").getJsonObject(0).getLong("owner"), "children are shallow");

        assertEquals(0, node.sql("SELECT 1 FROM pony WHERE id = 4").size());
        assertEquals(2, node.sql("SELECT 1 FROM toy WHERE id IN (1, 2) AND owner IS NULL").size());
        assertEquals(0, node.sql("SELECT 1 FROM pony_friends__pony_friends WHERE pony_friends = 4 OR pony_friends_other = 4").size());

        List<JsonObject> batches = node.awaitPublished(1);
        assertEquals(1, batches.size(), "one publication per destroy");
        JsonArray expected = new JsonArray()
                .add(new JsonObject().put("model", "pony").put("message", new JsonObject()
                        .put("verb", "destroyed").put("id", 4).put("previous", body)).put("id", 4).put("retire", true))
                .add(updated("toy", 1, "owner"))
                .add(updated("toy", 2, "owner"))
                .add(removedFrom("pony", 1, "friends", 4))
                .add(removedFrom("pony", 5, "friends", 4))
                .add(removedFrom("user", 2, "pets", 4));
        assertEquals(expected, batches.get(0).getJsonArray("notifications"));
        assertEquals("admin", batches.get(0).getJsonObject("origin").getString("subject"));
    }

    @Test
    void destroyingARecordTwiceAnswers404TheSecondTime() {
        assertEquals(200, node.delete("/toy/3").statusCode());
        var again = node.delete("/toy/3");
        assertEquals(404, again.statusCode());
        assertEquals("E_NOT_FOUND", json(again).getString("code"));
        assertTrue(json(again).getString("message").contains("toy"));
    }

    static JsonObject updated(String model, long id, String fk) {
        return new JsonObject().put("model", model).put("message", new JsonObject()
                .put("verb", "updated").put("id", id).put("data", new JsonObject().putNull(fk))).put("id", id);
    }

    static JsonObject removedFrom(String model, long id, String attribute, long removedId) {
        return new JsonObject().put("model", model).put("message", new JsonObject()
                .put("verb", "removedFrom").put("id", id).put("attribute", attribute).put("removedId", removedId)).put("id", id);
    }

    static List<Long> ids(JsonArray records) {
        return records.stream().map(r -> ((JsonObject) r).getLong("id")).toList();
    }
}
