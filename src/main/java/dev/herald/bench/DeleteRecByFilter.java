package dev.herald.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Haystack {@code deleteRec} by filter, as a site tree is torn down: a site, an equip under it and
 * {@code entities} points under the equip (each with {@code siteRef} and {@code equipRef}, so the
 * reference check has surviving parents to look past), created through {@code createRec} in grids of
 * 1,000; {@code subscribers} sockets spread over the nodes, each subscribed to every point; then one
 * {@code deleteRec} with filter {@code equipRef==@<equip>}. Timed from sending the request until its
 * response, and until the last socket received the last {@code destroyed} (with {@code previous}).
 * One unmeasured round first (the nodes compile this path), then {@code deleteRecRounds} rounds; the
 * site and equip of a round are deleted after it.
 */
final class DeleteRecByFilter {
    private static final int ROWS_PER_CREATE = 1000;

    private DeleteRecByFilter() {
    }

    static JsonObject run(BenchContext bench) {
        int n = bench.option("entities");
        int rounds = bench.option("deleteRecRounds");
        EntitySockets sockets = new EntitySockets(bench.vertx());
        sockets.open(bench.option("subscribers"), bench.ports(), bench.token());
        try {
            round(bench, sockets, n, "warm-up");
            JsonArray measured = new JsonArray();
            double[] endToEnd = new double[rounds];
            double[] response = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                JsonObject round = round(bench, sockets, n, "round " + (r + 1));
                measured.add(round);
                endToEnd[r] = round.getDouble("end_to_end_ms");
                response[r] = round.getDouble("http_response_ms");
            }
            return new JsonObject().put("entities", n).put("sockets", sockets.size()).put("nodes", bench.ports().size())
                    .put("filter", "equipRef==@<equip>").put("rounds", measured)
                    .put("median_end_to_end_ms", median(endToEnd)).put("median_http_response_ms", median(response));
        } finally {
            sockets.close();
        }
    }

    private static JsonObject round(BenchContext bench, EntitySockets sockets, int n, String name) {
        String site = UUID.randomUUID().toString();
        String equip = UUID.randomUUID().toString();
        create(bench, List.of(new JsonObject().put("id", "r:" + site).put("site", "m:").put("dis", "s:Bench site")
                .put("name", "s:bench-" + site.substring(0, 8)).put("tz", "s:UTC")));
        create(bench, List.of(new JsonObject().put("id", "r:" + equip).put("equip", "m:").put("ahu", "m:").put("dis", "s:AHU-1")
                .put("name", "s:ahu1").put("siteRef", "r:" + site)));
        List<String> points = new ArrayList<>(n);
        for (int from = 0; from < n; from += ROWS_PER_CREATE) {
            List<JsonObject> rows = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + ROWS_PER_CREATE); i++) {
                String id = UUID.randomUUID().toString();
                points.add(id);
                rows.add(new JsonObject().put("id", "r:" + id).put("point", "m:").put("sensor", "m:").put("temp", "m:")
                        .put("his", "m:").put("dis", "s:AHU-1 Temp " + i).put("name", "s:temp" + i).put("kind", "s:Number")
                        .put("unit", "s:°F").put("curVal", "n:" + (60 + i % 30) + ".5 °F").put("siteRef", "r:" + site)
                        .put("equipRef", "r:" + equip));
            }
            create(bench, rows);
        }
        sockets.subscribe(points);
        JsonObject request = grid(List.of(new JsonObject().put("filter", "s:equipRef==@" + equip)));
        long start = System.nanoTime();
        long[] answered = new long[1];
        HttpResponse<Buffer> response = bench.phase("deleteRec request", () -> {
            HttpResponse<Buffer> r = haystack(bench, "deleteRec", request);
            answered[0] = System.nanoTime();
            if (r.statusCode() != 200) {
                throw new IllegalStateException("deleteRec answered " + r.statusCode() + ": " + r.bodyAsString());
            }
            sockets.awaitAll();
            return r;
        });
        long last = sockets.lastArrival();
        int deleted = response.bodyAsJsonObject().getJsonArray("rows").size();
        haystack(bench, "deleteRec", grid(List.of(new JsonObject().put("id", "r:" + equip), new JsonObject().put("id", "r:" + site))));
        JsonObject round = new JsonObject().put("deleted", deleted)
                .put("http_response_ms", Stats.millis(answered[0] - start))
                .put("end_to_end_ms", Stats.millis(Math.max(last, answered[0]) - start))
                .put("destroyed_received", sockets.destroyed()).put("with_previous", sockets.withPrevious())
                .put("duplicates", sockets.duplicates());
        System.out.printf("deleteRec %-8s %d points, HTTP response %.1f ms, last destroyed on %d sockets %.1f ms "
                        + "(received %d, with previous %d, duplicates %d)%n", name, deleted, round.getDouble("http_response_ms"),
                sockets.size(), round.getDouble("end_to_end_ms"), sockets.destroyed(), sockets.withPrevious(), sockets.duplicates());
        return round;
    }

    private static void create(BenchContext bench, List<JsonObject> rows) {
        HttpResponse<Buffer> created = haystack(bench, "createRec", grid(rows));
        if (created.statusCode() != 200) {
            throw new IllegalStateException("createRec failed: " + created.bodyAsString());
        }
    }

    /** A request grid whose columns are every tag of the rows. */
    private static JsonObject grid(List<JsonObject> rows) {
        JsonArray cols = new JsonArray();
        rows.stream().flatMap(r -> r.fieldNames().stream()).distinct().forEach(c -> cols.add(new JsonObject().put("name", c)));
        return new JsonObject().put("meta", new JsonObject().put("ver", "2.0")).put("cols", cols).put("rows", new JsonArray(new ArrayList<>(rows)));
    }

    private static HttpResponse<Buffer> haystack(BenchContext bench, String op, JsonObject grid) {
        return bench.http().request(HttpMethod.POST, bench.ports().get(0), "127.0.0.1", "/api/" + op)
                .putHeader("Authorization", "Bearer " + bench.token()).sendJsonObject(grid).await();
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
