package dev.herald.bench;

/**
 * Unmeasured destroys first, with subscribers as in the throughput phase, so every node's JIT has
 * compiled its part (the destroy path, the delivery path) before anything is timed.
 */
final class WarmUp {
    private WarmUp() {
    }

    static void run(BenchContext bench) {
        run(bench, bench.option("warmup"));
    }

    static void run(BenchContext bench, int count) {
        DestroyStream destroys = new DestroyStream(bench, count);
        destroys.drive(bench.option("concurrency"), 0);
        destroys.awaitDeliveries();
        destroys.close();
    }
}
