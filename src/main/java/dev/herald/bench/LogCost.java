package dev.herald.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The notification log's cost, within one run: the same build as two sets of nodes on the same
 * database, one with the log (the default) and one with {@code HERALD_NOTIFICATION_LOG=false}, driven in
 * alternating rounds: destroy throughput at full load, then notification latency at the paced rate, each
 * split into {@code rounds} rounds per set, in pairs whose order alternates (with/without, then
 * without/with, ...), so that a change of the machine's load during the run (other tenants, other builds)
 * falls on both sets alike instead of on whichever was measured second. Every round seeds its own ponies
 * (and analyzes the tables) and subscribes its own subscribers, outside the timed part.
 *
 * <p>The contract: throughput with the log at least {@value #MIN_RATIO} of throughput without
 * it, and the notification p50 no more than {@value #MAX_P50_INCREASE_MS} ms higher.
 */
final class LogCost {
    static final double MIN_RATIO = 0.90;
    static final double MAX_P50_INCREASE_MS = 2.0;

    private LogCost() {
    }

    /** What one set of nodes did over its rounds of one kind (full load or paced). */
    private static final class Tally {
        final Stats http = new Stats();
        final Stats notifications = new Stats();
        final Map<String, Duration> cpu = new LinkedHashMap<>();
        long destroys;
        long elapsedNanos;
        long failed;
        long lost;
        long duplicates;
        long transactions;
        long logPositions;

        void add(DestroyStream round, int count, long elapsed) {
            destroys += count;
            elapsedNanos += elapsed;
            http.addAll(round.httpLatency());
            notifications.addAll(round.notificationLatency());
            failed += round.failed();
            lost += round.lost();
            duplicates += round.duplicates();
        }

        long perSecond() {
            return Math.round(destroys / Stats.seconds(elapsedNanos));
        }

        JsonObject figures(boolean fullLoad) {
            JsonObject f = new JsonObject().put("destroys", destroys)
                    .put("destroys_per_s", perSecond())
                    .put("failed", failed)
                    .put("http_latency", http.summary())
                    .put("notification_latency", notifications.summary())
                    .put("lost_notifications", lost)
                    .put("duplicate_notifications", duplicates);
            if (fullLoad) {
                Map<String, Double> perDestroy = new LinkedHashMap<>();
                cpu.forEach((name, spent) -> perDestroy.put(name, Math.round(spent.toNanos() / 1e4 / destroys) / 100.0));
                f.put("server_cpu_ms_per_destroy", Math.round(perDestroy.entrySet().stream()
                                .filter(e -> e.getKey().startsWith("node")).mapToDouble(Map.Entry::getValue).sum() * 100) / 100.0)
                        .put("cpu_ms_per_destroy", new JsonObject(new LinkedHashMap<>(perDestroy)))
                        .put("write_transactions", transactions)
                        .put("destroys_per_transaction", Math.round(destroys * 10.0 / Math.max(1, transactions)) / 10.0)
                        .put("log_positions_taken", logPositions);
            }
            return f;
        }
    }

    /**
     * {@code with} drives the nodes with the log, warmed up and measured by the earlier phases;
     * {@code without} those without it, new: first warmed up here with as many destroys as the first set
     * had before (warm-up, throughput and paced phases), so both have compiled as much.
     */
    static JsonObject run(BenchContext with, BenchContext without) {
        WarmUp.run(without, without.option("warmup") + without.option("records") + without.option("paced"));
        int rounds = with.option("rounds");
        Tally[] full = {new Tally(), new Tally()};
        Tally[] paced = {new Tally(), new Tally()};
        BenchContext[] sets = {with, without};
        List<Double> pairRatios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            int count = share(with.option("logRecords"), rounds, r);
            long[] elapsed = new long[2];
            for (int i : order(r)) {
                elapsed[i] = fullLoadRound(sets[i], count, full[i]);
            }
            if (elapsed[0] > 0 && elapsed[1] > 0) {
                pairRatios.add(Math.round((double) elapsed[1] / elapsed[0] * 1000) / 1000.0);
            }
        }
        for (int r = 0; r < rounds; r++) {
            int count = share(with.option("paced"), rounds, r);
            for (int i : order(r)) {
                pacedRound(sets[i], count, paced[i]);
            }
        }
        if (full[1].logPositions != 0) {
            throw new IllegalStateException("the nodes started with HERALD_NOTIFICATION_LOG=false wrote to the log: "
                    + full[1].logPositions + " positions");
        }
        double ratio = full[0].perSecond() / (double) full[1].perSecond();
        JsonObject withFull = full[0].figures(true);
        JsonObject withoutFull = full[1].figures(true);
        JsonObject withPaced = paced[0].figures(false).put("target_rate_per_s", with.option("rate"));
        JsonObject withoutPaced = paced[1].figures(false).put("target_rate_per_s", with.option("rate"));
        JsonObject fullLoad = compare(withFull, withoutFull);
        JsonObject atRate = compare(withPaced, withoutPaced).put("target_rate_per_s", with.option("rate"));
        return new JsonObject()
                .put("rounds_per_set", rounds)
                .put("with_log_destroys_per_s", full[0].perSecond())
                .put("without_log_destroys_per_s", full[1].perSecond())
                .put("throughput_ratio", Math.round(ratio * 1000) / 1000.0)
                .put("throughput_ratio_by_round_pair", new JsonArray(pairRatios))
                .put("notification_latency_full_load", fullLoad)
                .put("notification_latency_paced", atRate)
                .put("targets", new JsonObject()
                        .put("throughput_ratio_at_least", MIN_RATIO)
                        .put("p50_increase_at_most_ms", MAX_P50_INCREASE_MS)
                        .put("throughput_met", ratio >= MIN_RATIO)
                        .put("p50_full_load_met", fullLoad.getDouble("p50_increase_ms") <= MAX_P50_INCREASE_MS)
                        .put("p50_paced_met", atRate.getDouble("p50_increase_ms") <= MAX_P50_INCREASE_MS))
                .put("with_log", new JsonObject().put("throughput", withFull).put("pacedLatency", withPaced))
                .put("without_log", new JsonObject().put("throughput", withoutFull).put("pacedLatency", withoutPaced));
    }

    /** Index 0 is the set with the log: pairs alternate which goes first. */
    private static int[] order(int round) {
        return round % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0};
    }

    /** Round {@code r}'s part of {@code total} split into {@code rounds} (the first ones take the remainder). */
    static int share(int total, int rounds, int r) {
        return total / rounds + (r < total % rounds ? 1 : 0);
    }

    private static long fullLoadRound(BenchContext bench, int count, Tally tally) {
        if (count == 0) {
            return 0;
        }
        DestroyStream round = new DestroyStream(bench, count);
        CpuMeter cpu = CpuMeter.start(bench);
        long logBefore = bench.logPosition();
        long xidBefore = Throughput.transactionId(bench);
        long elapsed = round.drive(bench.option("concurrency"), 0);
        cpu.spent().forEach((name, spent) -> tally.cpu.merge(name, spent, Duration::plus));
        tally.transactions += Throughput.transactionId(bench) - xidBefore - 1;
        tally.logPositions += bench.logPosition() - logBefore;
        round.awaitDeliveries();
        tally.add(round, count, elapsed);
        round.close();
        return elapsed;
    }

    private static void pacedRound(BenchContext bench, int count, Tally tally) {
        if (count == 0) {
            return;
        }
        DestroyStream round = new DestroyStream(bench, count);
        long elapsed = round.drive(0, bench.option("rate"));
        round.awaitDeliveries();
        tally.add(round, count, elapsed);
        round.close();
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
