package dev.herald.bench;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Destroy throughput over HTTP on the first node, {@code concurrency} at a time, with subscribers on
 * the other nodes: destroys per second, HTTP and notification latency, CPU per destroy by process, how
 * many write transactions the destroys took and how many notification log positions they took (none
 * with the log off).
 */
final class Throughput {
    private Throughput() {
    }

    static JsonObject run(BenchContext bench) {
        int n = bench.option("records");
        DestroyStream destroys = new DestroyStream(bench, n);
        CpuMeter cpu = CpuMeter.start(bench);
        long logBefore = bench.logPosition();
        long xidBefore = transactionId(bench);
        long elapsed = destroys.drive(bench.option("concurrency"), 0);
        Map<String, Double> cpuPerDestroy = cpu.perOperation(n);
        Map<String, Map<String, Double>> byThread = cpu.perOperationByThread(n);
        long transactions = transactionId(bench) - xidBefore - 1;
        long logged = bench.logPosition() - logBefore;
        destroys.awaitDeliveries();
        JsonObject result = new JsonObject()
                .put("records", n).put("concurrency", bench.option("concurrency")).put("subscribers", bench.option("subscribers"))
                .put("destroys_per_s", Math.round(n / Stats.seconds(elapsed)))
                .mergeIn(destroys.figures())
                .put("server_cpu_ms_per_destroy", Math.round(cpuPerDestroy.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("node")).mapToDouble(Map.Entry::getValue).sum() * 100) / 100.0)
                .put("cpu_ms_per_destroy", new JsonObject(new LinkedHashMap<>(cpuPerDestroy)))
                .put("node_cpu_ms_per_destroy_by_thread", new JsonObject(new LinkedHashMap<>(byThread)))
                .put("write_transactions", transactions)
                .put("destroys_per_transaction", Math.round(n * 10.0 / Math.max(1, transactions)) / 10.0)
                .put("log_positions_taken", logged);
        destroys.close();
        return result;
    }

    /** A new transaction id: the difference of two is the number of writing transactions in between, plus one. */
    static long transactionId(BenchContext bench) {
        return bench.sql().query("SELECT txid_current()").execute().await().iterator().next().getLong(0);
    }
}
