package dev.herald.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/**
 * Haystack {@code deleteRec} by filter: {@code entities} entities created through {@code createRec}
 * in grids of 1,000, then all deleted by one filter in one request, timed.
 */
final class DeleteRecByFilter {
    private DeleteRecByFilter() {
    }

    static JsonObject run(BenchContext bench) {
        int n = bench.option("entities");
        for (int from = 0; from < n; from += 1000) {
            JsonArray rows = new JsonArray();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                rows.add(new JsonObject().put("bench", "m:").put("point", "m:").put("curVal", "n:" + i + " °F"));
            }
            JsonObject grid = new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                    .put("cols", new JsonArray().add(new JsonObject().put("name", "bench")).add(new JsonObject().put("name", "point"))
                            .add(new JsonObject().put("name", "curVal")))
                    .put("rows", rows);
            HttpResponse<Buffer> created = haystack(bench, "createRec", grid);
            if (created.statusCode() != 200) {
                throw new IllegalStateException("createRec failed: " + created.bodyAsString());
            }
        }
        JsonObject request = new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                .put("cols", new JsonArray().add(new JsonObject().put("name", "filter")))
                .put("rows", new JsonArray().add(new JsonObject().put("filter", "s:bench and point")));
        long start = System.nanoTime();
        HttpResponse<Buffer> response = haystack(bench, "deleteRec", request);
        long elapsed = System.nanoTime() - start;
        return new JsonObject().put("entities", n).put("status", response.statusCode())
                .put("deleted", response.bodyAsJsonObject().getJsonArray("rows").size())
                .put("elapsed_ms", Stats.millis(elapsed))
                .put("sql_statements", "5 in one transaction: filter SELECT ... FOR UPDATE, reverse-reference check, "
                        + "display texts, DELETE, plus BEGIN/COMMIT");
    }

    private static HttpResponse<Buffer> haystack(BenchContext bench, String op, JsonObject grid) {
        return bench.http().request(HttpMethod.POST, bench.ports().get(0), "127.0.0.1", "/api/" + op)
                .putHeader("Authorization", "Bearer " + bench.token()).sendJsonObject(grid).await();
    }
}
