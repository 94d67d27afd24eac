package dev.herald.records;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.herald.records.DestroyPoliciesTest.describe;
import static dev.herald.testing.TestNode.array;
import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** find, findOne, create, update, add and remove: results, validation errors and their messages. */
@Tier.Component
class BlueprintActionsTest {
    static final String MODELS = """
            shelf:
              attributes:
                label:  { type: string, required: true, unique: true }
                rank:   { type: number, defaultsTo: 1 }
                open:   { type: boolean }
                extra:  { type: json }
                code:   { type: string, private: true }
                items:  { collection: item, via: shelf }
                tags:   { collection: tag, via: shelves }
            item:
              attributes:
                name:   { type: string }
                shelf:  { model: shelf }
            tag:
              attributes:
                word:    { type: string }
                shelves: { collection: shelf, via: tags }
            """;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels(MODELS);

    @BeforeEach
    void forget() {
        node.awaitPublished(0);
        node.clearPublished();
    }

    private static String q(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private long shelf(String label, double rank) {
        var r = node.post("/shelf", new JsonObject().put("label", label).put("rank", rank).put("code", "c"));
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return json(r).getLong("id");
    }

    @Test
    void createStoresEveryTypeAndAppliesDefaults() {
        var r = node.post("/shelf", new JsonObject().put("label", "types").put("open", true)
                .put("extra", new JsonObject().put("a", new JsonArray().add(1).add("two"))).put("code", "hidden"));
        assertEquals(200, r.statusCode(), r.bodyAsString());
        JsonObject created = json(r);
        assertEquals(1, created.getInteger("rank"), "defaultsTo, rendered as a whole number");
        assertEquals(true, created.getBoolean("open"));
        assertEquals(new JsonObject().put("a", new JsonArray().add(1).add("two")), created.getJsonObject("extra"));
        assertFalse(created.containsKey("code"));
        assertEquals(new JsonArray(), created.getJsonArray("items"));
        assertEquals("hidden", node.sql("SELECT code FROM shelf WHERE id = $1", created.getLong("id")).get(0).getString(0));
        List<JsonObject> batch = node.awaitPublished(1);
        JsonObject createdMessage = batch.get(0).getJsonArray("notifications").getJsonObject(0);
        assertEquals("created", createdMessage.getJsonObject("message").getString("verb"));
        assertFalse(createdMessage.containsKey("id"), "creations go to the model's watchers");
        assertFalse(createdMessage.getJsonObject("message").getJsonObject("data").containsKey("code"));
    }

    @Test
    void createWithCollectionsLinksThemAndTellsBothSides() {
        long tag = json(node.post("/tag", new JsonObject().put("word", "w"))).getLong("id");
        long item = json(node.post("/item", new JsonObject().put("name", "i"))).getLong("id");
        node.awaitPublished(2);
        node.clearPublished();
        var r = node.post("/shelf", new JsonObject().put("label", "linked").put("items", new JsonArray().add(item))
                .put("tags", new JsonArray().add(tag)));
        assertEquals(200, r.statusCode(), r.bodyAsString());
        long shelf = json(r).getLong("id");
        assertEquals(item, json(r).getJsonArray("items").getJsonObject(0).getLong("id"));
        List<String> messages = node.awaitPublished(1).get(0).getJsonArray("notifications").stream()
                .skip(1).map(n -> describe((JsonObject) n)).toList();
        assertEquals(List.of(
                "item " + item + " updated {\"shelf\":" + shelf + "}",
                "shelf " + shelf + " addedTo items " + item,
                "shelf " + shelf + " addedTo tags " + tag,
                "tag " + tag + " addedTo shelves " + shelf), messages);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{\"label\":null}",
            "{\"label\":42}",
            "{\"label\":\"x\",\"rank\":\"high\"}",
            "{\"label\":\"x\",\"open\":\"yes\"}",
            "{\"label\":\"x\",\"nope\":1}",
            "{\"label\":\"x\",\"id\":5}",
            "{\"label\":\"x\",\"createdAt\":5}",
            "{\"label\":\"x\",\"items\":5}",
            "{\"label\":\"x\",\"items\":[\"a\"]}",
            "[1,2]",
            "\"label\""})
    void invalidNewRecordsAreRefusedWithoutWritingAnything(String body) {
        long before = node.count("shelf");
        var r = node.call(HttpMethod.POST, "/shelf", body);
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertTrue(List.of("E_INVALID_NEW_RECORD", "E_BAD_REQUEST", "E_INVALID_CRITERIA").contains(json(r).getString("code")),
                json(r).encode());
        assertEquals(before, node.count("shelf"));
    }

    @Test
    void uniqueAndForeignKeyConflictsAre409() {
        shelf("unique-one", 1);
        var duplicate = node.post("/shelf", new JsonObject().put("label", "unique-one"));
        assertEquals(409, duplicate.statusCode());
        assertEquals("E_UNIQUE", json(duplicate).getString("code"));
        var danglingSingular = node.post("/item", new JsonObject().put("name", "x").put("shelf", 999_999));
        assertEquals(409, danglingSingular.statusCode());
        assertEquals("E_FOREIGN_KEY", json(danglingSingular).getString("code"));
        var danglingCollection = node.post("/shelf", new JsonObject().put("label", "dangling")
                .put("items", new JsonArray().add(999_999)));
        assertEquals(409, danglingCollection.statusCode());
        assertEquals(0, node.sql("SELECT 1 FROM shelf WHERE label = 'dangling'").size(), "the whole create rolled back");
    }

    @Test
    void findFiltersSortsAndPages() {
        shelf("find-a", 10);
        shelf("find-b", 20);
        shelf("find-c", 30);
        String where = q("{\"label\":{\"startsWith\":\"find-\"},\"rank\":{\">=\":20}}");
        JsonArray found = array(node.get("/shelf?where=" + where + "&sort=" + q("rank DESC")));
        assertEquals(List.of("find-c", "find-b"), found.stream().map(o -> ((JsonObject) o).getString("label")).toList());
        JsonArray paged = array(node.get("/shelf?where=" + q("{\"label\":{\"startsWith\":\"find-\"}}") + "&sort=label&limit=1&skip=1"));
        assertEquals("find-b", paged.getJsonObject(0).getString("label"));
        JsonArray plain = array(node.get("/shelf?label=find-a"));
        assertEquals(1, plain.size());
        JsonArray or = array(node.get("/shelf?where=" + q("{\"or\":[{\"label\":\"find-a\"},{\"label\":\"find-c\"}]}")));
        assertEquals(2, or.size());
        JsonArray in = array(node.get("/shelf?where=" + q("{\"label\":[\"find-a\",\"find-b\"]}")));
        assertEquals(2, in.size());
        assertFalse(plain.getJsonObject(0).containsKey("code"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "where=notjson", "where=%5B1%5D", "where=" + "%7B%22nope%22%3A1%7D", "where=%7B%22code%22%3A%22c%22%7D",
            "where=%7B%22rank%22%3A%7B%22~%22%3A1%7D%7D", "where=%7B%22rank%22%3A%22high%22%7D",
            "where=%7B%22or%22%3A5%7D", "where=%7B%22items%22%3A1%7D", "where=%7B%22extra%22%3A1%7D",
            "limit=-1", "limit=abc", "limit=100000", "skip=-5", "sort=nope%20DESC", "sort=label%20SIDEWAYS",
            "sort=code", "rank=high", "open=maybe", "nope=1", "label=x&where=%7B%7D"})
    void malformedCriteriaAre400(String query) {
        var r = node.get("/shelf?" + query);
        assertEquals(400, r.statusCode(), query + " -> " + r.bodyAsString());
        assertEquals("E_INVALID_CRITERIA", json(r).getString("code"));
    }

    @Test
    void deeplyNestedCriteriaAreRefused() {
        String where = "{\"or\":[".repeat(40) + "{\"label\":\"x\"}" + "]}".repeat(40);
        var r = node.get("/shelf?where=" + q(where));
        assertEquals(400, r.statusCode());
    }

    @Test
    void findOneIsPopulatedAnd404WhenMissing() {
        long shelf = shelf("find-one", 1);
        JsonObject found = json(node.get("/shelf/" + shelf));
        assertEquals("find-one", found.getString("label"));
        assertEquals(new JsonArray(), found.getJsonArray("tags"));
        assertEquals(404, node.get("/shelf/987654").statusCode());
    }

    @Test
    void updateChangesValuesAndPublishesTheChangeWithThePreviousRecord() {
        long shelf = shelf("before", 1);
        node.awaitPublished(1);
        node.clearPublished();
        var r = node.patch("/shelf/" + shelf, new JsonObject().put("label", "after").put("code", "new"));
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("after", json(r).getString("label"));
        JsonObject message = node.awaitPublished(1).get(0).getJsonArray("notifications").getJsonObject(0).getJsonObject("message");
        assertEquals("updated", message.getString("verb"));
        assertEquals(new JsonObject().put("label", "after"), message.getJsonObject("data"), "private values stay out");
        assertEquals("before", message.getJsonObject("previous").getString("label"));
        assertEquals(404, node.patch("/shelf/987654", new JsonObject().put("label", "x")).statusCode());
        assertEquals(400, node.patch("/shelf/" + shelf, new JsonObject().put("label", JsonObject.of().getValue("x"))).statusCode(),
                "a required attribute cannot become null");
    }

    @Test
    void addAndRemoveChangeOneLinkAndAnswerTheParent() {
        long shelf = shelf("links", 1);
        long tag = json(node.post("/tag", new JsonObject().put("word", "t"))).getLong("id");
        long item = json(node.post("/item", new JsonObject().put("name", "i"))).getLong("id");
        node.awaitPublished(3);
        node.clearPublished();

        var added = node.call(HttpMethod.PUT, "/shelf/" + shelf + "/tags/" + tag, null);
        assertEquals(200, added.statusCode(), added.bodyAsString());
        assertEquals(tag, json(added).getJsonArray("tags").getJsonObject(0).getLong("id"));
        assertEquals(200, node.call(HttpMethod.PUT, "/shelf/" + shelf + "/items/" + item, null).statusCode());
        assertEquals(shelf, node.sql("SELECT shelf FROM item WHERE id = $1", item).get(0).getLong(0));
        var again = node.call(HttpMethod.PUT, "/shelf/" + shelf + "/tags/" + tag, null);
        assertEquals(200, again.statusCode(), "adding twice is harmless");

        var removed = node.call(HttpMethod.DELETE, "/shelf/" + shelf + "/tags/" + tag, null);
        assertEquals(new JsonArray(), json(removed).getJsonArray("tags"));
        List<String> messages = node.awaitPublished(3).stream().flatMap(b -> b.getJsonArray("notifications").stream())
                .map(n -> describe((JsonObject) n)).toList();
        assertEquals(List.of(
                "shelf " + shelf + " addedTo tags " + tag,
                "tag " + tag + " addedTo shelves " + shelf,
                "item " + item + " updated {\"shelf\":" + shelf + "}",
                "shelf " + shelf + " addedTo items " + item,
                "shelf " + shelf + " removedFrom tags " + tag,
                "tag " + tag + " removedFrom shelves " + shelf), messages);

        assertEquals(404, node.call(HttpMethod.PUT, "/shelf/" + shelf + "/tags/987654", null).statusCode());
        assertEquals(404, node.call(HttpMethod.PUT, "/shelf/987654/tags/" + tag, null).statusCode());
        var unknown = node.call(HttpMethod.PUT, "/shelf/" + shelf + "/label/" + tag, null);
        assertEquals("E_UNKNOWN_ASSOCIATION", json(unknown).getString("code"));
    }

    @Test
    void concurrentUpdatesReplacingTheSameManyToManyLinksAllSucceed() {
        List<Long> shelves = new java.util.ArrayList<>();
        List<Long> tags = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            shelves.add(node.create("shelf", new JsonObject().put("label", "race-" + i)));
            tags.add(node.create("tag", new JsonObject().put("word", "race-" + i)));
        }
        List<String> uris = new java.util.ArrayList<>();
        List<JsonObject> bodies = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // both sides of one junction, each link claimed from both ends at once, in opposite orders
            uris.add("/shelf/" + shelves.get(i));
            bodies.add(new JsonObject().put("tags", new JsonArray(i % 2 == 0 ? tags : reversed(tags))));
            uris.add("/tag/" + tags.get(i));
            bodies.add(new JsonObject().put("shelves", new JsonArray(i % 2 == 0 ? reversed(shelves) : shelves)));
        }

        var responses = node.atOnce(HttpMethod.PATCH, uris, bodies);

        responses.forEach(r -> assertEquals(200, r.statusCode(), r.bodyAsString()));
        assertEquals(16L, node.sql("SELECT count(*) FROM shelf_tags__tag_shelves WHERE shelf_tags = ANY($1)",
                (Object) shelves.toArray(Long[]::new)).get(0).getLong(0), "every shelf linked to every tag, once");
    }

    private static List<Long> reversed(List<Long> list) {
        List<Long> copy = new java.util.ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
