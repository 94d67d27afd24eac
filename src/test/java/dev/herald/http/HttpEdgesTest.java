package dev.herald.http;

import dev.herald.realtime.SocketEndpoint;
import dev.herald.testing.NodeExtension;
import dev.herald.testing.RawConnection;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Transport-level input: body limits, unreadable bodies and paths, unknown routes and methods, health. */
@Tier.Component
class HttpEdgesTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo(Map.of("HERALD_MAX_BODY_BYTES", "2048"));

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
    void oddPathsAre404() {
        assertEquals(404, node.get("/pony/1/toys").statusCode());
        assertEquals("E_NOT_FOUND", json(node.get("/pony/1/toys")).getString("code"));
    }

    /** Whatever layer notices it (the router decodes paths before any handler runs), the answer is Herald's JSON error. */
    @Test
    void badPercentEncodingAnywhereInThePathIs400InvalidCriteriaAsJson() {
        for (String path : List.of("/pony/%zz", "/%E0%A4%A", "/pony/%E0%A4%A", "/%zz", "/pony%zz", "/pony/1%2", "/pony/%",
                "/pony/1/toys/%zz", "/pony/../%zz", "/health%zz", "/realtime/%zz")) {
            for (String token : Arrays.asList(node.adminToken(), null)) {
                assertInvalidEncoding(path, rawGet(path, token));
            }
        }
        assertInvalidEncoding("query", rawGet("/pony?where=%zz", node.adminToken()));
    }

    private static void assertInvalidEncoding(String what, RawConnection.Response r) {
        assertEquals(400, r.status(), what + ": " + r.body());
        assertTrue(r.header("Content-Type").startsWith("application/json"), what + ": " + r.header("Content-Type"));
        assertEquals("E_INVALID_CRITERIA", r.json().getString("code"), what);
        assertTrue(r.json().getString("message").contains("percent-encoded"), what + ": " + r.body());
    }

    @Test
    void badPercentEncodingInAHaystackPathIsA400ErrorGrid() {
        for (String path : List.of("/api/%zz", "/api/read%E0%A4%A", "/api/read/%")) {
            RawConnection.Response r = rawGet(path, node.adminToken());
            assertEquals(400, r.status(), path + ": " + r.body());
            JsonObject meta = r.json().getJsonObject("meta");
            assertEquals("m:", meta.getString("err"), path);
            assertTrue(meta.getString("dis").startsWith("s:HBadRequestError: "), path + ": " + meta.getString("dis"));
        }
    }

    /** The client would re-encode a bad path: it goes on the wire as written. */
    private static RawConnection.Response rawGet(String path, String token) {
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n");
            return c.readResponse(Duration.ofSeconds(10));
        }
    }

    @Test
    void aSockJsSendOverItsLimitIs413NamingTheFrameLimit() {
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send("POST /realtime/000/big/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: " + 3 * SocketEndpoint.MAX_FRAME_BYTES + "\r\n\r\n");
            RawConnection.Response r = c.readResponse(Duration.ofSeconds(10));
            assertEquals(413, r.status(), r.body());
            assertEquals("E_TOO_LARGE", r.json().getString("code"));
            String message = r.json().getString("message");
            assertTrue(message.contains(String.valueOf(SocketEndpoint.MAX_FRAME_BYTES)), message);
            assertFalse(message.contains("2048"), "not the REST body limit: " + message);
        }
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
