package dev.herald.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The destroys of one phase (warm-up, throughput, paced): ponies seeded for it, the option's number of
 * subscribers on the remote nodes, each subscribed to all of them, every pony destroyed over HTTP, and
 * what the subscribers heard.
 */
final class DestroyStream {
    private final BenchContext bench;
    private final List<Long> ids;
    private final Map<Long, Long> sentAt = new ConcurrentHashMap<>();
    private final Subscribers subscribers;
    private final Stats httpLatency = new Stats();
    /** Paced only: the HTTP latency of the destroys sent in each second of the phase, where a tail shows when it came. */
    private final Map<Integer, Stats> httpLatencyBySecond = new ConcurrentHashMap<>();
    private long driveStart;
    private int failed;

    DestroyStream(BenchContext bench, int count) {
        this.bench = bench;
        this.ids = bench.seed(count);
        this.subscribers = new Subscribers(bench.vertx(), sentAt);
        subscribers.open(bench.option("subscribers"), bench.remoteNodes(), bench.token(), ids);
    }

    /**
     * Destroys every pony, {@code concurrency} at a time; with a positive {@code rate}, paced to that
     * many per second instead. Returns the nanoseconds it took.
     */
    long drive(int concurrency, int rate) {
        long start = System.nanoTime();
        driveStart = start;
        failed = destroyAll(concurrency, rate);
        return System.nanoTime() - start;
    }

    /** Returns how many destroys did not answer 200. */
    private int destroyAll(int concurrency, int rate) {
        Vertx vertx = bench.vertx();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        Promise<Void> done = Promise.promise();
        AtomicInteger finished = new AtomicInteger();
        Function<Long, Future<Integer>> destroy = id -> {
            long t = System.nanoTime();
            sentAt.put(id, t);
            return bench.destroy(id).onComplete(ar -> {
                long latency = System.nanoTime() - t;
                httpLatency.add(latency);
                if (rate > 0) {
                    httpLatencyBySecond.computeIfAbsent((int) ((t - driveStart) / 1_000_000_000L), s -> new Stats()).add(latency);
                }
                if (ar.failed() || ar.result() != 200) {
                    failures.incrementAndGet();
                }
                if (finished.incrementAndGet() == ids.size()) {
                    done.tryComplete();
                }
            });
        };
        vertx.runOnContext(v -> {
            if (rate > 0) {
                long periodic = BenchContext.pace(vertx, ids.size(), rate, i -> destroy.apply(ids.get(i)));
                done.future().onComplete(x -> vertx.cancelTimer(periodic));
                return;
            }
            for (int w = 0; w < concurrency; w++) {
                worker(next, destroy);
            }
        });
        BenchContext.awaitBounded(done.future());
        return failures.get();
    }

    private void worker(AtomicInteger next, Function<Long, Future<Integer>> destroy) {
        int i = next.getAndIncrement();
        if (i < ids.size()) {
            destroy.apply(ids.get(i)).onComplete(ar -> worker(next, destroy));
        }
    }

    /** Waits (bounded) until every subscriber has heard of every destroy. */
    void awaitDeliveries() {
        BenchContext.awaitDeliveries(subscribers, expected());
    }

    private long expected() {
        return (long) ids.size() * bench.option("subscribers");
    }

    /**
     * Failed destroys, their HTTP latency (paced: also the p99 and maximum of each second), and the
     * notifications' latency, losses and duplicates.
     */
    JsonObject figures() {
        JsonObject figures = new JsonObject();
        if (!httpLatencyBySecond.isEmpty()) {
            JsonArray p99 = new JsonArray();
            JsonArray max = new JsonArray();
            new java.util.TreeMap<>(httpLatencyBySecond).values().forEach(second -> {
                JsonObject summary = second.summary();
                p99.add(summary.getDouble("p99_ms"));
                max.add(summary.getDouble("max_ms"));
            });
            figures.put("http_p99_ms_by_second", p99).put("http_max_ms_by_second", max);
        }
        return figures.put("failed", failed)
                .put("http_latency", httpLatency.summary())
                .put("notification_latency", subscribers.latency().summary())
                .put("lost_notifications", expected() - subscribers.received())
                .put("duplicate_notifications", subscribers.duplicates());
    }

    Stats httpLatency() {
        return httpLatency;
    }

    Stats notificationLatency() {
        return subscribers.latency();
    }

    int failed() {
        return failed;
    }

    long lost() {
        return expected() - subscribers.received();
    }

    long duplicates() {
        return subscribers.duplicates();
    }

    void close() {
        subscribers.close();
    }
}
