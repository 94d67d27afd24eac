package dev.herald.haystack;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Haystack watches (DESIGN §7): watchSub answers the rows as they are, with watchId and lease;
 * watchPoll answers what changed since the last poll (all with refresh), a deleted entity once as a
 * {@code removed} row; watchUnsub removes ids or closes; unknown and expired watches are 400.
 */
@Tier.Component
class WatchTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    private static JsonObject grid(JsonObject meta, List<String> cols, JsonObject... rows) {
        JsonArray columns = new JsonArray();
        cols.forEach(c -> columns.add(new JsonObject().put("name", c)));
        return new JsonObject().put("meta", meta.copy().put("ver", "3.0")).put("cols", columns)
                .put("rows", new JsonArray(List.of((Object[]) rows)));
    }

    private static HttpResponse<Buffer> op(String op, JsonObject body) {
        return node.call(HttpMethod.POST, "/api/" + op, body);
    }

    private static JsonObject ok(HttpResponse<Buffer> response) {
        assertEquals(200, response.statusCode(), response.bodyAsString());
        JsonObject grid = response.bodyAsJsonObject();
        assertFalse(grid.getJsonObject("meta").containsKey("err"), grid.encode());
        return grid;
    }

    private static String error(HttpResponse<Buffer> response) {
        assertEquals(400, response.statusCode(), response.bodyAsString());
        return response.bodyAsJsonObject().getJsonObject("meta").getString("dis");
    }

    private static String entity(String name) {
        String id = UUID.randomUUID().toString();
        ok(op("createRec", grid(new JsonObject(), List.of("id", "name", "site"),
                new JsonObject().put("id", "r:" + id).put("name", "s:" + name).put("site", "m:"))));
        return id;
    }

    private static List<String> ids(JsonObject grid) {
        List<String> ids = new ArrayList<>();
        grid.getJsonArray("rows").forEach(r -> {
            String id = ((JsonObject) r).getString("id");
            ids.add(id == null ? null : id.substring(2).split(" ")[0]);
        });
        return ids;
    }

    private static JsonObject poll(String watchId, boolean refresh) {
        JsonObject meta = new JsonObject().put("watchId", "s:" + watchId);
        if (refresh) {
            meta.put("refresh", "m:");
        }
        return ok(op("watchPoll", grid(meta, List.of("empty"))));
    }

    @Test
    void aWatchReportsEachChangeAndEachDeletionOnceThenNothing() {
        String a = entity("alpha");
        String b = entity("beta");
        String c = entity("gamma");
        String unknown = UUID.randomUUID().toString();
        JsonObject sub = ok(op("watchSub", grid(new JsonObject().put("watchDis", "s:test").put("lease", "n:30 s"), List.of("id"),
                new JsonObject().put("id", "r:" + b), new JsonObject().put("id", "r:" + unknown), new JsonObject().put("id", "r:" + a))));
        assertEquals(java.util.Arrays.asList(b, null, a), ids(sub), "request order, unknown as a row of nulls");
        String watchId = sub.getJsonObject("meta").getString("watchId").substring(2);
        assertEquals("n:30 s", sub.getJsonObject("meta").getString("lease"));

        assertEquals(List.of(), ids(poll(watchId, false)), "nothing changed yet");

        ok(op("updateRec", grid(new JsonObject(), List.of("id", "dis"), new JsonObject().put("id", "r:" + a).put("dis", "s:Alpha!"))));
        ok(op("updateRec", grid(new JsonObject(), List.of("id", "dis"), new JsonObject().put("id", "r:" + c).put("dis", "s:not watched"))));
        JsonObject changed = poll(watchId, false);
        assertEquals(List.of(a), ids(changed));
        assertEquals("s:Alpha!", changed.getJsonArray("rows").getJsonObject(0).getString("dis"));
        assertEquals(List.of(), ids(poll(watchId, false)), "reported once");

        ok(op("deleteRec", grid(new JsonObject(), List.of("id"), new JsonObject().put("id", "r:" + b))));
        JsonObject removed = poll(watchId, false);
        assertEquals(List.of(b), ids(removed));
        assertEquals("m:", removed.getJsonArray("rows").getJsonObject(0).getString("removed"), "Herald's removed marker");
        assertEquals(List.of(), ids(poll(watchId, false)), "a deletion is reported once, then the entity leaves the watch");

        assertEquals(List.of(a), ids(poll(watchId, true)), "refresh: every watched entity");
    }

    @Test
    void watchSubAddsToAWatchAndWatchUnsubRemovesOrCloses() {
        String a = entity("one");
        String b = entity("two");
        JsonObject sub = ok(op("watchSub", grid(new JsonObject().put("watchDis", "s:w"), List.of("id"), new JsonObject().put("id", "r:" + a))));
        String watchId = sub.getJsonObject("meta").getString("watchId").substring(2);
        ok(op("watchSub", grid(new JsonObject().put("watchId", "s:" + watchId), List.of("id"), new JsonObject().put("id", "r:" + b))));
        assertEquals(java.util.Set.of(a, b), java.util.Set.copyOf(ids(poll(watchId, true))), "a poll's rows come in no particular order");

        ok(op("watchUnsub", grid(new JsonObject().put("watchId", "s:" + watchId), List.of("id"), new JsonObject().put("id", "r:" + a))));
        assertEquals(List.of(b), ids(poll(watchId, true)));

        ok(op("watchUnsub", grid(new JsonObject().put("watchId", "s:" + watchId).put("close", "m:"), List.of("empty"))));
        assertTrue(error(op("watchPoll", grid(new JsonObject().put("watchId", "s:" + watchId), List.of("empty")))).contains("Unknown watch"));
    }

    @Test
    void unknownExpiredAndMalformedWatchRequestsAre400() {
        assertTrue(error(op("watchPoll", grid(new JsonObject().put("watchId", "s:w-nope"), List.of("empty")))).contains("Unknown watch"));
        assertTrue(error(op("watchUnsub", grid(new JsonObject().put("watchId", "s:w-nope"), List.of("empty")))).contains("Unknown watch"));
        assertTrue(error(op("watchSub", grid(new JsonObject().put("watchId", "s:w-nope"), List.of("id"))))
                .contains("Unknown watch"));
        assertTrue(error(op("watchSub", grid(new JsonObject(), List.of("id")))).contains("watchDis"));
        assertTrue(error(op("watchPoll", grid(new JsonObject(), List.of("empty")))).contains("watchId"));
        assertTrue(error(op("watchSub", grid(new JsonObject().put("watchDis", "s:x").put("lease", "s:soon"), List.of("id")))).contains("lease"));
        assertTrue(error(op("watchSub", grid(new JsonObject().put("watchDis", "s:x").put("lease", "n:5 furlong"), List.of("id")))).contains("lease"));
        assertTrue(error(op("watchSub", grid(new JsonObject().put("watchDis", "n:3"), List.of("id")))).contains("watchDis"));
        assertEquals(400, node.call(HttpMethod.GET, "/api/watchPoll?watchId=%22w%22", null).statusCode());

        String a = entity("leased");
        JsonObject sub = ok(op("watchSub", grid(new JsonObject().put("watchDis", "s:short").put("lease", "n:1 s"), List.of("id"),
                new JsonObject().put("id", "r:" + a))));
        String watchId = sub.getJsonObject("meta").getString("watchId").substring(2);
        node.sql("UPDATE herald_watch SET expires = now() - interval '1 second' WHERE id = $1", watchId);
        assertTrue(error(op("watchPoll", grid(new JsonObject().put("watchId", "s:" + watchId), List.of("empty")))).contains("Unknown watch"),
                "a watch not polled within its lease is gone");
        JsonObject huge = ok(op("watchSub", grid(new JsonObject().put("watchDis", "s:long").put("lease", "n:7 h"), List.of("id"))));
        assertEquals("n:3600 s", huge.getJsonObject("meta").getString("lease"), "at most an hour");
        JsonObject dflt = ok(op("watchSub", grid(new JsonObject().put("watchDis", "s:default"), List.of("id"))));
        assertEquals("n:60 s", dflt.getJsonObject("meta").getString("lease"), "a minute by default");
    }

    @Test
    void opsListsTheWatchOpsAndAWatchNeedsReadPermission() {
        JsonObject ops = ok(node.call(HttpMethod.GET, "/api/ops", null));
        List<String> names = ops.getJsonArray("rows").stream().map(r -> ((JsonObject) r).getString("name").substring(2)).toList();
        assertTrue(names.containsAll(List.of("watchSub", "watchUnsub", "watchPoll")), names.toString());
        HttpResponse<Buffer> denied = node.call(HttpMethod.POST, "/api/watchSub",
                grid(new JsonObject().put("watchDis", "s:x"), List.of("id")), node.token("nobody", "pony:read"));
        assertEquals(403, denied.statusCode());
        assertNull(denied.bodyAsJsonObject().getJsonArray("rows").isEmpty() ? null : "rows");
    }

    @Test
    void pollsOfOneWatchAtTheSameTimeTakeTurnsAndAllAnswer() {
        String a = entity("busy");
        JsonObject sub = ok(op("watchSub", grid(new JsonObject().put("watchDis", "s:busy"), List.of("id"), new JsonObject().put("id", "r:" + a))));
        String watchId = sub.getJsonObject("meta").getString("watchId").substring(2);
        ok(op("updateRec", grid(new JsonObject(), List.of("id", "dis"), new JsonObject().put("id", "r:" + a).put("dis", "s:changed"))));
        List<String> uris = java.util.Collections.nCopies(16, "/api/watchPoll");
        List<JsonObject> bodies = java.util.Collections.nCopies(16, grid(new JsonObject().put("watchId", "s:" + watchId), List.of("empty")));
        List<HttpResponse<Buffer>> answers = node.atOnce(HttpMethod.POST, uris, bodies);
        answers.forEach(r -> assertEquals(200, r.statusCode(), r.bodyAsString()));
        long reported = answers.stream().filter(r -> ids(r.bodyAsJsonObject()).contains(a)).count();
        assertTrue(reported >= 1, "the change was reported by one of them");
    }
}
