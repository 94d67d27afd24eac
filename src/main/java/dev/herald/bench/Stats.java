package dev.herald.bench;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/** Latency samples in nanoseconds, summarised as milliseconds. */
final class Stats {
    private long[] samples = new long[1024];
    private int size;

    synchronized void add(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = nanos;
    }

    /** Adds every sample of {@code other} (rounds of one configuration, summarised together). */
    void addAll(Stats other) {
        long[] theirs;
        int count;
        synchronized (other) {
            theirs = other.samples;
            count = other.size;
        }
        for (int i = 0; i < count; i++) {
            add(theirs[i]);
        }
    }

    synchronized JsonObject summary() {
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        return new JsonObject()
                .put("count", size)
                .put("p50_ms", millis(percentile(sorted, 0.50)))
                .put("p95_ms", millis(percentile(sorted, 0.95)))
                .put("p99_ms", millis(percentile(sorted, 0.99)))
                .put("max_ms", millis(size == 0 ? 0 : sorted[size - 1]));
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    static double seconds(long nanos) {
        return nanos / (double) TimeUnit.SECONDS.toNanos(1);
    }
}
