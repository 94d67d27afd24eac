package dev.herald.http;

import dev.herald.models.ModelsLoader;
import dev.herald.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Transport-level input: body limits, unreadable bodies, unknown routes and methods, health. */
class HttpEdgesTest {
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(ModelsLoader.loadDemo(), Map.of("HERALD_DEMO_DATA", "true", "HERALD_MAX_BODY_BYTES", "2048"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aBodyOverTheLimitIs413AndCreatesNothing() {
        long before = node.count("pony");
        var r = node.post("/pony", new JsonObject().put("name", "x".repeat(4000)));
        assertEquals(413, r.statusCode());
        assertEquals("E_TOO_LARGE", json(r).getString("code"));
        assertEquals(before, node.count("pony"));
    }

    @Test
    void unreadableJsonIs400() {
        for (String body : new String[]{"{", "{\"name\":}", "nul", "\u0000\u0001", "{\"name\":\"a\"} trailing"}) {
            var r = node.call(HttpMethod.POST, "/pony", body);
            assertEquals(400, r.statusCode(), body);
            assertEquals("E_BAD_REQUEST", json(r).getString("code"));
        }
    }

    @Test
    void unsupportedMethodsAre405() {
        var r = node.call(HttpMethod.PUT, "/pony/1", new JsonObject().put("name", "x"));
        assertEquals(405, r.statusCode());
        assertEquals("E_METHOD_NOT_ALLOWED", json(r).getString("code"));
    }

    @Test
    void theRootAndOddPathsAre404() {
        assertEquals(404, node.get("/").statusCode());
        assertEquals(404, node.get("/pony/1/toys").statusCode());
        assertEquals("E_NOT_FOUND", json(node.get("/pony/1/toys")).getString("code"));
    }

    @Test
    void badPercentEncodingIs400() {
        assertEquals(400, node.get("/pony/%zz").statusCode());
    }

    @Test
    void healthReportsTheNodeTheDatabaseAndASingleMember() {
        var r = node.call(HttpMethod.GET, "/health", null, null);
        assertEquals(200, r.statusCode());
        JsonObject health = json(r);
        assertEquals("UP", health.getString("status"));
        assertEquals("UP", health.getString("database"));
        assertFalse(health.getString("node").isBlank());
        assertEquals(new JsonObject().put("enabled", false).put("members", 1), health.getJsonObject("cluster"));
    }

    @Test
    void healthIs503WhileTheDatabaseIsUnreachableAndRecovers() {
        List<Long> ponies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ponies.add(json(node.post("/pony", new JsonObject().put("name", "Survivor " + i))).getLong("id"));
        }
        node.databaseReachable(false);
        try {
            for (HttpResponse<Buffer> destroyed : node.destroyAtOnce("pony", ponies)) {
                assertEquals(503, destroyed.statusCode(), destroyed.bodyAsString());
                assertEquals("E_UNAVAILABLE", json(destroyed).getString("code"));
            }
            var down = node.call(HttpMethod.GET, "/health", null, null);
            assertEquals(503, down.statusCode());
            assertEquals("DOWN", json(down).getString("status"));
            assertEquals("DOWN", json(down).getString("database"));
            var refused = node.get("/pony/1");
            assertEquals(503, refused.statusCode());
            assertEquals("E_UNAVAILABLE", json(refused).getString("code"));
        } finally {
            node.databaseReachable(true);
        }
        assertEquals(200, node.call(HttpMethod.GET, "/health", null, null).statusCode());
        for (long id : ponies) {
            assertEquals(200, node.get("/pony/" + id).statusCode(), "a destroy refused for an outage lost nothing");
        }
    }

    @Test
    void errorsNeverCarryStackTraces() {
        var r = node.get("/pony?where=%7B%22name%22%3A%7B%22%3C%22%3A%5B%5D%7D%7D");
        assertEquals(400, r.statusCode());
        String text = r.bodyAsString();
        assertFalse(text.contains("Exception") || text.contains("at dev.herald"), text);
        assertTrue(json(r).containsKey("message"));
    }
}
