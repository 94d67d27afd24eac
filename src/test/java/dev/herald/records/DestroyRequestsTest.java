package dev.herald.records;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the id of a destroy comes from, and every malformed way of giving it. */
@Tier.Component
class DestroyRequestsTest {
    static final String MODELS = """
            pony:
              attributes:
                name:   { type: string }
                secret: { type: string, private: true }
            badge:
              primaryKey: { type: string }
              attributes:
                label: { type: string }
            ticket:
              primaryKey: { type: uuid }
              attributes:
                seat: { type: string }
            """;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels(MODELS);

    private long pony(String name) {
        return json(node.post("/pony", new JsonObject().put("name", name).put("secret", "s3cret"))).getLong("id");
    }

    @Test
    void idFromThePath() {
        long id = pony("path");
        var response = node.delete("/pony/" + id);
        assertEquals(200, response.statusCode());
        assertEquals(id, json(response).getLong("id"));
        assertFalse(json(response).containsKey("secret"));
        assertEquals(0, node.sql("SELECT 1 FROM pony WHERE id = $1", id).size());
    }

    @Test
    void idFromTheQueryString() {
        long id = pony("query");
        assertEquals(200, node.delete("/pony?id=" + id).statusCode());
        assertEquals(0, node.sql("SELECT 1 FROM pony WHERE id = $1", id).size());
    }

    @Test
    void idFromTheBody() {
        long id = pony("body");
        assertEquals(200, node.call(HttpMethod.DELETE, "/pony", new JsonObject().put("id", id)).statusCode());
        assertEquals(0, node.sql("SELECT 1 FROM pony WHERE id = $1", id).size());
    }

    @Test
    void thePathWinsOverBodyAndQuery() {
        long kept = pony("kept");
        long gone = pony("gone");
        var response = node.call(HttpMethod.DELETE, "/pony/" + gone + "?id=" + kept, new JsonObject().put("id", kept));
        assertEquals(gone, json(response).getLong("id"));
        assertEquals(1, node.sql("SELECT 1 FROM pony WHERE id = $1", kept).size());
    }

    @Test
    void leadingZerosAreTheSameNumber() {
        long id = pony("zeros");
        assertEquals(200, node.delete("/pony/000" + id).statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1.5", "1e3", "99999999999999999999", "%20", "4;DROP%20TABLE%20pony", "0x10", "-"})
    void aMalformedNumericIdIsRefusedAndNothingIsDestroyed(String id) {
        long before = node.count("pony");
        var response = node.delete("/pony/" + id);
        assertEquals(400, response.statusCode(), response.bodyAsString());
        assertEquals("E_INVALID_CRITERIA", json(response).getString("code"));
        assertEquals(before, node.count("pony"));
    }

    @Test
    void noIdAnywhereIsABadRequest() {
        var response = node.delete("/pony");
        assertEquals(400, response.statusCode());
        assertEquals("E_INVALID_CRITERIA", json(response).getString("code"));
    }

    @Test
    void anArrayOrObjectIdInTheBodyIsRefused() {
        long id = pony("array");
        var array = node.call(HttpMethod.DELETE, "/pony", "{\"id\":[" + id + "]}");
        var object = node.call(HttpMethod.DELETE, "/pony", "{\"id\":{\">\":0}}");
        assertEquals(400, array.statusCode());
        assertEquals(400, object.statusCode());
        assertEquals(1, node.sql("SELECT 1 FROM pony WHERE id = $1", id).size());
    }

    @Test
    void aMalformedJsonBodyIsABadRequest() {
        long id = pony("json");
        var response = node.call(HttpMethod.DELETE, "/pony", "{\"id\": " + id);
        assertEquals(400, response.statusCode());
        assertEquals("E_BAD_REQUEST", json(response).getString("code"));
        assertEquals(1, node.sql("SELECT 1 FROM pony WHERE id = $1", id).size());
    }

    @Test
    void anUnknownRecordIsJson404() {
        var response = node.delete("/pony/987654");
        assertEquals(404, response.statusCode());
        assertTrue(response.getHeader("content-type").startsWith("application/json"));
        assertEquals("E_NOT_FOUND", json(response).getString("code"));
    }

    @Test
    void anUnknownModelIs404UnknownModel() {
        var response = node.delete("/unicorn/1");
        assertEquals(404, response.statusCode());
        assertEquals("E_UNKNOWN_MODEL", json(response).getString("code"));
    }

    @Test
    void extraPathSegmentsAreNoRoute() {
        var response = node.delete("/pony/1/2");
        assertEquals(404, response.statusCode());
        assertEquals("E_NOT_FOUND", json(response).getString("code"));
    }

    @Test
    void aStringPrimaryKeyIsTakenAsGiven() {
        assertEquals(200, node.post("/badge", new JsonObject().put("id", "gold star").put("label", "g")).statusCode());
        var response = node.delete("/badge/gold%20star");
        assertEquals(200, response.statusCode(), response.bodyAsString());
        assertEquals("gold star", json(response).getString("id"));
        assertEquals(404, node.delete("/badge/gold%20star").statusCode());
    }

    @Test
    void aUuidPrimaryKeyIsGeneratedAndMalformedOnesAreRefused() {
        String id = json(node.post("/ticket", new JsonObject().put("seat", "A1"))).getString("id");
        assertEquals(36, id.length());
        assertEquals(400, node.delete("/ticket/not-a-uuid").statusCode());
        assertEquals(404, node.delete("/ticket/00000000-0000-0000-0000-000000000000").statusCode());
        var response = node.delete("/ticket/" + id);
        assertEquals(200, response.statusCode());
        assertEquals(id, json(response).getString("id"));
        JsonObject destroyed = node.awaitPublished(1).stream()
                .flatMap(b -> b.getJsonArray("notifications").stream()).map(JsonObject.class::cast)
                .filter(n -> n.getString("model").equals("ticket") && n.getBoolean("retire", false))
                .findFirst().orElseThrow();
        assertEquals(id, destroyed.getJsonObject("message").getString("id"));
    }
}
