package dev.herald.haystack;

import dev.herald.haystack.sql.EntitySql;
import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deleteRec of sets larger than one reference probe ({@link EntitySql#REFERRING_PROBE_IDS} ids): a
 * surviving referrer is found in whichever probe holds its target, references inside the set never
 * block, and the answer and the {@code previous} of every {@code destroyed} are the entities exactly as
 * {@code read} showed them.
 */
@Tier.Component
class DeleteRecAtScaleTest {
    /** Two full probes and part of a third. */
    private static final int SET = EntitySql.REFERRING_PROBE_IDS * 2 + 50;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels("note:\n  attributes:\n    text: { type: string }\n");

    @BeforeEach
    void emptyDatabase() {
        node.sql("DELETE FROM entity");
    }

    /** {@code count} UUIDs in PostgreSQL's order (the order of their text), so a test knows which probe holds which. */
    private static List<String> sortedIds(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        ids.sort(null);
        return ids;
    }

    @Test
    void aSurvivingReferrerOfAnEntityInALaterProbeStillBlocksAndNothingIsDeleted() {
        List<String> ids = sortedIds(SET);
        List<JsonObject> rows = new ArrayList<>();
        for (String id : ids) {
            rows.add(new JsonObject().put("id", "r:" + id).put("bulk", "m:"));
        }
        create(rows);
        String last = ids.get(ids.size() - 1);
        String survivor = UUID.randomUUID().toString();
        create(List.of(new JsonObject().put("id", "r:" + survivor).put("keeper", "m:").put("parentRef", "r:" + last)));

        String dis = error(op("deleteRec", filter("bulk")), 400);

        assertEquals("s:HBadRequestError: Cannot delete @" + last + ": referenced by 1 child entity (@" + survivor + ")", dis);
        assertEquals(SET + 1, node.count("entity"), "all or nothing");
    }

    @Test
    void referencesInsideTheSetAcrossProbesDoNotBlock() {
        List<String> ids = sortedIds(SET);
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            // a ring through every probe, and a Ref list back to the first and the middle entity
            rows.add(new JsonObject().put("id", "r:" + ids.get(i)).put("bulk", "m:")
                    .put("nextRef", "r:" + ids.get((i + 1) % ids.size()))
                    .put("peers", new JsonArray().add("r:" + ids.get(0)).add("r:" + ids.get(ids.size() / 2))));
        }
        create(rows);
        String outsider = UUID.randomUUID().toString();
        create(List.of(new JsonObject().put("id", "r:" + outsider).put("keeper", "m:")));

        JsonObject deleted = ok(op("deleteRec", filter("bulk")));

        assertEquals(SET, deleted.getJsonArray("rows").size());
        assertEquals(1, node.count("entity"), "only the entity outside the filter is left");
    }

    @Test
    void theReverseReferenceIndexKeepsNoPendingList() {
        String options = node.sql("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'entity_refs'")
                .get(0).getString(0);
        assertNotNull(options, "entity_refs has no storage options");
        assertTrue(options.contains("fastupdate=off"), options);
    }

    /**
     * Every kind of value, Refs inside and outside the set (with and without display text), Ref lists,
     * nested Dicts: the answer is byte for byte what {@code read} answered for the same filter just
     * before, and each socket gets one {@code destroyed} per entity whose {@code previous} is that row.
     */
    @Test
    void theAnswerAndEveryPreviousAreTheEntitiesAsReadShowedThem() {
        String site = UUID.randomUUID().toString();
        String equip = UUID.randomUUID().toString();
        String marker = UUID.randomUUID().toString();
        create(List.of(new JsonObject().put("id", "r:" + site).put("site", "m:").put("dis", "s:Main \"site\" ✓")));
        create(List.of(new JsonObject().put("id", "r:" + equip).put("equip", "m:").put("name", "s:ahu/1").put("siteRef", "r:" + site),
                new JsonObject().put("id", "r:" + marker).put("marker", "m:")));
        List<String> ids = sortedIds(SET);
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            JsonObject row = new JsonObject().put("id", "r:" + ids.get(i)).put("point", "m:")
                    .put("siteRef", "r:" + site).put("equipRef", "r:" + equip)
                    .put("curVal", "n:" + (i % 7) + ".25 °F").put("enabled", i % 2 == 0);
            switch (i % 5) {
                case 0 -> row.put("dis", "s:Point \\ " + i + " é\n\t").put("prevRef", "r:" + ids.get((i + 1) % ids.size()));
                case 1 -> row.put("name", "s:p" + i).put("tags", new JsonArray().add("r:" + ids.get(0)).add("r:" + site).add("s:x"));
                case 2 -> row.put("where", new JsonObject().put("floor", "n:3").put("ref", "r:" + site)).put("since", "t:2020-09-01T01:00:00-04:00 New_York");
                case 3 -> row.put("geo", "c:37.545,-77.449").put("bin", "x:Bin:text/plain").put("mode", "y:hot-water").put("na", "z:");
                default -> row.put("uri", "u:http://example.com/a?b=c").put("day", "d:2024-02-29").put("at", "h:08:30:00");
            }
            rows.add(row);
        }
        create(rows);
        String filter = "equipRef==@" + equip;
        HttpResponse<Buffer> read = op("read", filter(filter));
        assertEquals(200, read.statusCode(), abbreviated(read));

        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), "access_token=" + node.adminToken())) {
            for (int from = 0; from < ids.size(); from += 200) {
                JsonArray some = new JsonArray(new ArrayList<>(ids.subList(from, Math.min(ids.size(), from + 200))));
                assertEquals(some, s.ask("herald.subscribe", new JsonObject().put("model", "entity").put("ids", some), null)
                        .getJsonObject("body").getJsonArray("subscribed"));
            }
            s.ask("herald.subscribe", new JsonObject().put("model", "entity").put("ids", new JsonArray().add(marker)), null);

            HttpResponse<Buffer> deleted = op("deleteRec", filter(filter));

            assertEquals(200, deleted.statusCode(), abbreviated(deleted));
            assertEquals(read.bodyAsString(), deleted.bodyAsString(), "the answer is the entities as they were");
            JsonObject grid = deleted.bodyAsJsonObject();
            assertEquals("3.0", grid.getJsonObject("meta").getString("ver"));
            Map<String, JsonObject> rowsById = new HashMap<>();
            grid.getJsonArray("rows").forEach(r -> rowsById.put(((JsonObject) r).getString("id").substring(2, 38), (JsonObject) r));
            assertEquals(SET, rowsById.size());
            assertTrue(rowsById.get(ids.get(0)).getString("siteRef").endsWith(" Main \"site\" ✓"), "a Ref outside the set shows its dis");
            assertEquals("r:" + equip + " ahu/1", rowsById.get(ids.get(0)).getString("equipRef"), "or its name");

            Map<String, JsonObject> previous = new HashMap<>();
            for (int i = 0; i < SET; i++) {
                JsonObject message = s.await(f -> "entity".equals(f.getString("address"))).getJsonObject("body");
                assertEquals("destroyed", message.getString("verb"));
                assertTrue(previous.put(message.getString("id"), message.getJsonObject("previous")) == null,
                        "one destroyed per entity: " + message.getString("id"));
            }
            assertEquals(rowsById, previous);
            ok(op("deleteRec", new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                    .put("cols", new JsonArray().add(new JsonObject().put("name", "id")))
                    .put("rows", new JsonArray().add(new JsonObject().put("id", "r:" + marker)))));
            JsonObject next = s.await(f -> "entity".equals(f.getString("address"))).getJsonObject("body");
            assertEquals(marker, next.getString("id"), "nothing more came for the deleted points");
        }
    }

    /** One createRec (Refs may point anywhere in it). */
    private static void create(List<JsonObject> rows) {
        JsonArray cols = new JsonArray();
        rows.stream().flatMap(r -> r.fieldNames().stream()).distinct().forEach(c -> cols.add(new JsonObject().put("name", c)));
        ok(op("createRec", new JsonObject().put("meta", new JsonObject().put("ver", "3.0")).put("cols", cols)
                .put("rows", new JsonArray(new ArrayList<>(rows)))));
    }

    private static String abbreviated(HttpResponse<Buffer> response) {
        String body = response.bodyAsString();
        return body.length() <= 600 ? body : body.substring(0, 600) + "...";
    }

    private static JsonObject filter(String filter) {
        return new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                .put("cols", new JsonArray().add(new JsonObject().put("name", "filter")))
                .put("rows", new JsonArray().add(new JsonObject().put("filter", "s:" + filter)));
    }

    private static HttpResponse<Buffer> op(String op, JsonObject body) {
        return node.call(HttpMethod.POST, "/api/" + op, body);
    }

    private static JsonObject ok(HttpResponse<Buffer> response) {
        assertEquals(200, response.statusCode(), abbreviated(response));
        JsonObject grid = response.bodyAsJsonObject();
        assertFalse(grid.getJsonObject("meta").containsKey("err"), grid.encode());
        return grid;
    }

    private static String error(HttpResponse<Buffer> response, int status) {
        assertEquals(status, response.statusCode(), abbreviated(response));
        return response.bodyAsJsonObject().getJsonObject("meta").getString("dis");
    }
}
