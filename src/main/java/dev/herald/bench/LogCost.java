package dev.herald.bench;

import io.vertx.core.json.JsonObject;

/**
 * The notification log's cost, within one run: the warm-up, throughput and paced phases again on nodes
 * of the same build, restarted with {@code HERALD_NOTIFICATION_LOG=false} (same database, same ports,
 * same sizes), compared with the same phases measured earlier with the log on (the default). The issue's
 * contract: throughput with the log at least {@value #MIN_RATIO} of throughput without it, and the
 * notification p50 no more than {@value #MAX_P50_INCREASE_MS} ms higher.
 */
final class LogCost {
    static final double MIN_RATIO = 0.90;
    static final double MAX_P50_INCREASE_MS = 2.0;

    private LogCost() {
    }

    /** {@code bench} runs on the nodes without the log; {@code with*} are the figures measured with it. */
    static JsonObject run(BenchContext bench, JsonObject withThroughput, JsonObject withPaced) {
        WarmUp.run(bench);
        JsonObject throughput = Throughput.run(bench);
        JsonObject paced = PacedLatency.run(bench);
        if (throughput.getLong("log_positions_taken") != 0) {
            throw new IllegalStateException("the nodes restarted with HERALD_NOTIFICATION_LOG=false still wrote to the log: "
                    + throughput.getLong("log_positions_taken") + " positions");
        }
        double ratio = withThroughput.getLong("destroys_per_s") / (double) throughput.getLong("destroys_per_s");
        JsonObject fullLoad = compare(withThroughput, throughput);
        JsonObject atRate = compare(withPaced, paced);
        return new JsonObject()
                .put("with_log_destroys_per_s", withThroughput.getLong("destroys_per_s"))
                .put("without_log_destroys_per_s", throughput.getLong("destroys_per_s"))
                .put("throughput_ratio", Math.round(ratio * 1000) / 1000.0)
                .put("notification_latency_full_load", fullLoad)
                .put("notification_latency_paced", atRate.put("target_rate_per_s", paced.getInteger("target_rate_per_s")))
                .put("targets", new JsonObject()
                        .put("throughput_ratio_at_least", MIN_RATIO)
                        .put("p50_increase_at_most_ms", MAX_P50_INCREASE_MS)
                        .put("throughput_met", ratio >= MIN_RATIO)
                        .put("p50_full_load_met", fullLoad.getDouble("p50_increase_ms") <= MAX_P50_INCREASE_MS)
                        .put("p50_paced_met", atRate.getDouble("p50_increase_ms") <= MAX_P50_INCREASE_MS))
                .put("without_log", new JsonObject().put("throughput", throughput).put("pacedLatency", paced));
    }

    /** Notification p50 and p99 with and without the log, and how much the p50 grew with it. */
    private static JsonObject compare(JsonObject with, JsonObject without) {
        JsonObject w = with.getJsonObject("notification_latency");
        JsonObject wo = without.getJsonObject("notification_latency");
        return new JsonObject()
                .put("with_log_p50_ms", w.getDouble("p50_ms")).put("without_log_p50_ms", wo.getDouble("p50_ms"))
                .put("p50_increase_ms", Math.round((w.getDouble("p50_ms") - wo.getDouble("p50_ms")) * 100) / 100.0)
                .put("with_log_p99_ms", w.getDouble("p99_ms")).put("without_log_p99_ms", wo.getDouble("p99_ms"));
    }
}
