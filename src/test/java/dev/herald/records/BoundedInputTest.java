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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * security.md, "Input": nesting deeper than 64, NUL characters, lone surrogates and values that do
 * not fit their attribute are refused with 400 before anything is written, on every route that takes
 * a body or criteria; and nothing a refusal promised to leave alone is changed.
 */
@Tier.Component
class BoundedInputTest {
    static final String MODELS = """
            doc:
              attributes:
                title: { type: string }
                body:  { type: json }
                rank:  { type: number }
                shelf: { model: shelf }
            shelf:
              attributes:
                label: { type: string }
                docs:  { collection: doc, via: shelf }
            """;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels(MODELS);

    static String nested(int depth) {
        return "[".repeat(depth) + "1" + "]".repeat(depth);
    }

    @ParameterizedTest
    @ValueSource(ints = {65, 200, 950, 5000})
    void jsonNestedDeeperThan64IsRefusedAndCreatesNothing(int depth) {
        long before = node.count("doc");
        var r = node.call(HttpMethod.POST, "/doc", "{\"title\":\"deep\",\"body\":" + nested(depth - 1) + "}");
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertEquals("E_BAD_REQUEST", json(r).getString("code"));
        assertEquals(before, node.count("doc"));
        assertEquals(200, node.get("/doc").statusCode(), "finds still answer");
    }

    @Test
    void jsonNestedExactly64DeepIsAccepted() {
        var r = node.call(HttpMethod.POST, "/doc", "{\"title\":\"ok\",\"body\":" + nested(63) + "}");
        assertEquals(200, r.statusCode(), r.bodyAsString());
    }

    @Test
    void aDeepDestroyBodyIsRefusedAndDestroysNothing() {
        long id = node.create("doc", new JsonObject().put("title", "keep"));
        var r = node.call(HttpMethod.DELETE, "/doc", "{\"id\":" + id + ",\"x\":" + nested(999) + "}");
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertEquals(1, node.sql("SELECT 1 FROM doc WHERE id = $1", id).size());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"title\":\"a\\u0000b\"}",
            "{\"body\":{\"k\":\"a\\u0000b\"}}",
            "{\"body\":{\"a\\u0000b\":1}}",
            "{\"title\":\"\\ud800\"}",
            "{\"title\":\"x\\udc00y\"}",
            "{\"body\":[\"\\ud83d\"]}",
            "{\"rank\":1e400}",
    })
    void nulCharactersLoneSurrogatesAndOverflowingNumbersAreRefused(String body) {
        long before = node.count("doc");
        var r = node.call(HttpMethod.POST, "/doc", body);
        assertEquals(400, r.statusCode(), body + " -> " + r.bodyAsString());
        assertTrue(json(r).getString("code").startsWith("E_"), r.bodyAsString());
        assertEquals(before, node.count("doc"));
    }

    @Test
    void aSurrogatePairIsStoredAsIs() {
        var r = node.call(HttpMethod.POST, "/doc", "{\"title\":\"\\ud83d\\ude00\"}");
        assertEquals(200, r.statusCode(), r.bodyAsString());
        long id = json(r).getLong("id");
        assertEquals("\ud83d\ude00", node.sql("SELECT title FROM doc WHERE id = $1", id).get(0).getString(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"title\":{\"like\":\"abc\\\\\"}}",
            "{\"title\":{\"like\":\"a\\u0000\"}}",
            "{\"title\":\"\\u0000\"}",
            "{\"title\":{\"startsWith\":\"\\ud800\"}}",
    })
    void hostileCriteriaAre400(String where) {
        node.create("doc", new JsonObject().put("title", "abc"));
        var r = node.get("/doc?where=" + java.net.URLEncoder.encode(where, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(400, r.statusCode(), where + " -> " + r.bodyAsString());
        assertEquals("E_INVALID_CRITERIA", json(r).getString("code"));
    }

    @Test
    void aNulInAPlainParameterOrPathIdIs400() {
        assertEquals(400, node.get("/doc?title=%00").statusCode());
        assertEquals(400, node.get("/doc/1%00").statusCode());
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 950, 5000})
    void jsonStoredDeeperByAnotherProgramIsShownAsTextAndTheRecordCanBeDestroyed(int depth) {
        long id = node.create("doc", new JsonObject().put("title", "external"));
        node.sql("UPDATE doc SET body = $1::text::jsonb WHERE id = $2", nested(depth), id);

        var read = node.get("/doc/" + id);
        assertEquals(200, read.statusCode(), read.bodyAsString());
        assertEquals(nested(depth), json(read).getString("body"), "shown as its JSON text");
        assertEquals(200, node.get("/doc").statusCode(), "finds still answer");

        node.clearPublished();
        var destroyed = node.delete("/doc/" + id);
        assertEquals(200, destroyed.statusCode(), destroyed.bodyAsString());
        assertEquals(nested(depth), json(destroyed).getString("body"));
        assertEquals(0, node.sql("SELECT 1 FROM doc WHERE id = $1", id).size());
        assertEquals("destroyed", node.awaitPublished(1).get(0).getJsonArray("notifications").getJsonObject(0)
                .getJsonObject("message").getString("verb"));
    }
}
