package dev.herald.metrics;

import dev.herald.errors.ApiError;
import dev.herald.errors.Failures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Herald's own meters, as the README's "Metrics" section lists them. Every counter a hot path touches
 * is resolved once, here: a destroy's outcome is one array index into the counters of its model.
 */
public final class HeraldMeters {
    /** How a destroy ended, as {@code herald_destroys_total{outcome}} says it. */
    public enum DestroyOutcome {
        /** Destroyed (200). */
        OK("ok"),
        /** No such record (404). */
        NOT_FOUND("not_found"),
        /** Refused, nothing changed (409: restrict children, a foreign key). */
        REFUSED("refused"),
        /** The server or the database failed (5xx). */
        ERROR("error");

        private final String label;

        DestroyOutcome(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /**
         * The outcome of a destroy that failed with {@code failure} (null: it succeeded), by the status it is
         * answered with; null for a request refused before any destroy could run (400: no id of the model).
         */
        public static DestroyOutcome of(Throwable failure) {
            if (failure == null) {
                return OK;
            }
            if (failure instanceof ApiError e && e.refusesDestroy()) {
                return REFUSED;
            }
            int status = Failures.statusOf(failure);
            if (status == 404) {
                return NOT_FOUND;
            }
            if (status == 409) {
                return REFUSED;
            }
            return status < 500 ? null : ERROR;
        }
    }

    /** How a resume ended, as {@code herald_resumes_total{result}} says it. */
    public enum ResumeResult {
        /** The missed notifications were replayed (possibly none). */
        REPLAYED("replayed"),
        /** The log no longer reached back, or the epoch differed: the client must re-read. */
        RESYNC("resync"),
        /** Refused (a {@code since} ahead of the log) or cut short (the socket went away). */
        FAILED("failed");

        private final String label;

        ResumeResult(String label) {
            this.label = label;
        }
    }

    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128};
    private static final Duration[] DELAY_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Map<String, Counter[]> destroys = new HashMap<>();
    private final DistributionSummary batchSize;
    private final Counter notifications;
    private final Timer delay;
    private final Counter[] resumes;

    /** {@code models}: every model a destroy can name (the records' and Haystack's {@code entity}). */
    public HeraldMeters(MeterRegistry registry, Collection<String> models) {
        this.registry = registry;
        for (String model : models) {
            Counter[] byOutcome = new Counter[DestroyOutcome.values().length];
            for (DestroyOutcome outcome : DestroyOutcome.values()) {
                byOutcome[outcome.ordinal()] = Counter.builder("herald.destroys")
                        .description("Destroys answered, by model and outcome (ok, not_found, refused, error)")
                        .tags("model", model, "outcome", outcome.label())
                        .register(registry);
            }
            destroys.put(model, byOutcome);
        }
        batchSize = DistributionSummary.builder("herald.destroy.batch.size")
                .description("Destroys per destroy transaction (concurrent destroys of one model share one)")
                .serviceLevelObjectives(BATCH_BUCKETS)
                .register(registry);
        notifications = Counter.builder("herald.notifications")
                .description("Notification frames written to this node's sockets, live or replayed")
                .register(registry);
        delay = Timer.builder("herald.notification.delay")
                .description("Time from the commit of a change to its notification frame being written to a socket (live frames)")
                .serviceLevelObjectives(DELAY_BUCKETS)
                .register(registry);
        resumes = new Counter[ResumeResult.values().length];
        for (ResumeResult result : ResumeResult.values()) {
            resumes[result.ordinal()] = Counter.builder("herald.resumes")
                    .description("Subscribe and watch requests with since, by result (replayed, resync, failed)")
                    .tag("result", result.label)
                    .register(registry);
        }
    }

    /** Counts a destroy of {@code model} (a model this was built with) that ended with {@code failure} (null: destroyed). */
    public void destroyEnded(String model, Throwable failure) {
        DestroyOutcome outcome = DestroyOutcome.of(failure);
        if (outcome != null) {
            destroyed(model, outcome, 1);
        }
    }

    public void destroyed(String model, DestroyOutcome outcome, int count) {
        Counter[] byOutcome = destroys.get(model);
        if (byOutcome != null) {
            byOutcome[outcome.ordinal()].increment(count);
        }
    }

    /** One destroy transaction of {@code size} destroys was run. */
    public void destroyBatch(int size) {
        batchSize.record(size);
    }

    /**
     * A notification frame was written to a socket; {@code committedAt} is the commit's wall-clock time
     * in epoch milliseconds on the committing node, or 0 for a replayed frame, which has no delay to tell.
     */
    public void notificationWritten(long committedAt) {
        notifications.increment();
        if (committedAt > 0) {
            delay.record(Math.max(0, System.currentTimeMillis() - committedAt), TimeUnit.MILLISECONDS);
        }
    }

    public void resumed(ResumeResult result) {
        resumes[result.ordinal()].increment();
    }

    /** The subscription verticle's gauges: its sockets and their subscriptions (record rooms and watches). */
    public void realtime(Supplier<Number> sockets, Supplier<Number> subscriptions) {
        Gauge.builder("herald.sockets", sockets)
                .description("SockJS sockets connected to this node")
                .register(registry);
        Gauge.builder("herald.subscriptions", subscriptions)
                .description("Subscriptions of this node's sockets: one per socket and record, one per socket and watched model")
                .register(registry);
    }

    /** The last notification log position this node has delivered to its sockets. */
    public void logPosition(Supplier<Number> seq) {
        Gauge.builder("herald.log.seq", seq)
                .description("Last notification log position (seq) this node has delivered; 0 with the log off")
                .register(registry);
    }
}
