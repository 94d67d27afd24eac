package dev.herald.bench;

import io.vertx.core.json.JsonObject;

/**
 * Cross-node notification latency at a steady {@code rate} of destroys per second (not flat out),
 * with subscribers on the nodes that do not take the destroys; then the latency of raw DELETEs at the
 * same rate ({@link RawDeletes#paced}), what PostgreSQL and the machine alone allow.
 */
final class PacedLatency {
    private PacedLatency() {
    }

    static JsonObject run(BenchContext bench) {
        int n = bench.option("paced");
        int rate = bench.option("rate");
        DestroyStream destroys = new DestroyStream(bench, n);
        DatabaseBackground background = DatabaseBackground.watch(bench);
        long elapsed;
        JsonObject meanwhile;
        try {
            elapsed = destroys.drive(0, rate);
        } finally {
            meanwhile = background.stop();
        }
        destroys.awaitDeliveries();
        JsonObject result = new JsonObject().put("records", n).put("target_rate_per_s", rate)
                .put("achieved_rate_per_s", Math.round(n / Stats.seconds(elapsed)))
                .mergeIn(destroys.figures()).put("database_background", meanwhile);
        destroys.close();
        return result.put("raw_delete", RawDeletes.paced(bench));
    }
}
