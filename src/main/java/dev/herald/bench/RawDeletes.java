package dev.herald.bench;

import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The yardstick of the throughput phase: the same number of single-row DELETEs issued straight to
 * PostgreSQL at the same concurrency, on a scratch table it creates and drops.
 */
final class RawDeletes {
    private RawDeletes() {
    }

    static JsonObject run(BenchContext bench) {
        int n = bench.option("records");
        int concurrency = bench.option("concurrency");
        Pool sql = bench.sql();
        scratchTable(sql, n);
        AtomicInteger next = new AtomicInteger(1);
        Promise<Void> done = Promise.promise();
        AtomicInteger finished = new AtomicInteger();
        CpuMeter cpu = CpuMeter.start(bench);
        long start = System.nanoTime();
        bench.vertx().runOnContext(v -> {
            for (int w = 0; w < concurrency; w++) {
                worker(sql, n, next, finished, done);
            }
        });
        BenchContext.awaitBounded(done.future());
        long elapsed = System.nanoTime() - start;
        Map<String, Double> cpuPerDelete = cpu.perOperation(n);
        sql.query("DROP TABLE bench_raw").execute().await();
        return new JsonObject().put("statement", "DELETE FROM bench_raw WHERE id = $1").put("concurrency", concurrency)
                .put("deletes_per_s", Math.round(n / Stats.seconds(elapsed)))
                .put("postgresql_cpu_ms_per_delete", cpuPerDelete.get("postgresql"))
                .put("driver_cpu_ms_per_delete", cpuPerDelete.get("driver"));
    }

    /**
     * The yardstick of the paced phase: {@code paced} single-row DELETEs straight to PostgreSQL at the
     * same {@code rate}, each its own transaction (one WAL flush at its commit, as a Herald destroy's
     * transaction has): their latency is what the database and the machine alone allow at that rate.
     */
    static JsonObject paced(BenchContext bench) {
        int n = bench.option("paced");
        int rate = bench.option("rate");
        Pool sql = bench.sql();
        scratchTable(sql, n);
        sql.query("ANALYZE bench_raw").execute().await();
        Stats latency = new Stats();
        Promise<Void> done = Promise.promise();
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        DatabaseBackground background = DatabaseBackground.watch(bench);
        long[] timer = {-1};
        JsonObject meanwhile;
        try {
            bench.vertx().runOnContext(v -> timer[0] = BenchContext.pace(bench.vertx(), n, rate, i -> {
                long t = System.nanoTime();
                sql.preparedQuery("DELETE FROM bench_raw WHERE id = $1").execute(Tuple.of(i + 1L)).onComplete(ar -> {
                    latency.add(System.nanoTime() - t);
                    if (ar.failed()) {
                        failed.incrementAndGet();
                    }
                    if (finished.incrementAndGet() == n) {
                        done.tryComplete();
                    }
                });
            }));
            BenchContext.awaitBounded(done.future());
        } finally {
            bench.vertx().runOnContext(v -> bench.vertx().cancelTimer(timer[0]));
            meanwhile = background.stop();
            sql.query("DROP TABLE IF EXISTS bench_raw").execute().await();
        }
        return new JsonObject().put("statement", "DELETE FROM bench_raw WHERE id = $1").put("target_rate_per_s", rate)
                .put("latency", latency.summary()).put("failed", failed.get()).put("database_background", meanwhile);
    }

    /** The scratch table {@code bench_raw}, made anew with {@code rows} rows. */
    private static void scratchTable(Pool sql, int rows) {
        sql.query("DROP TABLE IF EXISTS bench_raw").execute().await();
        sql.query("CREATE TABLE bench_raw (id bigint PRIMARY KEY, name text)").execute().await();
        sql.preparedQuery("INSERT INTO bench_raw SELECT g, 'p' || g FROM generate_series(1, $1) g").execute(Tuple.of(rows)).await();
    }

    private static void worker(Pool sql, int n, AtomicInteger next, AtomicInteger finished, Promise<Void> done) {
        int id = next.getAndIncrement();
        if (id > n) {
            return;
        }
        sql.preparedQuery("DELETE FROM bench_raw WHERE id = $1").execute(Tuple.of((long) id)).onComplete(ar -> {
            if (finished.incrementAndGet() == n) {
                done.tryComplete();
            }
            worker(sql, n, next, finished, done);
        });
    }
}
