package dev.herald.drain;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A node's graceful stop, in order, all within {@code HERALD_DRAIN_TIMEOUT}: the gate closes ({@code /health}
 * turns 503 DRAINING, new requests get 503), the requests in flight are answered, every committed
 * notification reaches this node's sockets, the sockets are closed (clients reconnect elsewhere), the
 * verticles stop, Vert.x leaves the cluster, and the embedded PostgreSQL stops. Every step waits only
 * for what is left of the timeout. Past the timeout the remaining steps are skipped except the
 * database's (given {@value #DATABASE_GRACE_SECONDS} s more, so no postmaster is left behind) and the
 * drain reports failure: the process then exits with status 1.
 */
public final class Drain {
    static final long DATABASE_GRACE_SECONDS = 10;
    private static final Logger LOG = Logger.getLogger(Drain.class.getName());

    /** One step: a name for the log, and what it does (a future, or blocking work run on the drain's thread). */
    public record Step(String name, Supplier<Future<?>> action, boolean database) {
        public static Step of(String name, Supplier<Future<?>> action) {
            return new Step(name, action, false);
        }

        /** Stopping the database: blocking, and run even when the timeout has passed. */
        public static Step database(String name, Runnable stop) {
            return new Step(name, () -> Future.fromCompletionStage(CompletableFuture.runAsync(stop, Drain::daemon)), true);
        }
    }

    private final Duration timeout;
    private final List<Step> steps;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<Boolean> outcome = new CompletableFuture<>();

    public Drain(Duration timeout, List<Step> steps) {
        this.timeout = timeout;
        this.steps = List.copyOf(steps);
    }

    /**
     * Runs the steps once, whoever asks first, and returns whether they all finished within the timeout;
     * a later caller waits for the first one's outcome.
     */
    public boolean run() {
        if (!started.compareAndSet(false, true)) {
            try {
                return outcome.get(timeout.toMillis() + TimeUnit.SECONDS.toMillis(DATABASE_GRACE_SECONDS + 5), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException e) {
                return false;
            }
        }
        boolean ok = false;
        try {
            ok = runSteps();
        } finally {
            outcome.complete(ok);
        }
        return ok;
    }

    public boolean started() {
        return started.get();
    }

    private boolean runSteps() {
        long begun = System.nanoTime();
        long deadline = begun + timeout.toNanos();
        LOG.info("draining within " + timeout.toMillis() + " ms (HERALD_DRAIN_TIMEOUT)");
        boolean inTime = true;
        List<String> failed = new ArrayList<>();
        for (Step step : steps) {
            long left = deadline - System.nanoTime();
            if (left <= 0 && !step.database()) {
                inTime = false;
                LOG.warning("drain: skipped '" + step.name() + "': HERALD_DRAIN_TIMEOUT exceeded");
                continue;
            }
            long allowed = step.database() ? Math.max(left, 0) + TimeUnit.SECONDS.toNanos(DATABASE_GRACE_SECONDS) : left;
            long stepBegun = System.nanoTime();
            try {
                step.action().get().toCompletionStage().toCompletableFuture().get(allowed, TimeUnit.NANOSECONDS);
                LOG.info("drain: " + step.name() + " (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stepBegun) + " ms)");
            } catch (TimeoutException e) {
                inTime = false;
                LOG.warning("drain: '" + step.name() + "' did not finish within HERALD_DRAIN_TIMEOUT; going on without it");
            } catch (ExecutionException | RuntimeException e) {
                failed.add(step.name());
                LOG.warning("drain: '" + step.name() + "' failed: " + (e instanceof ExecutionException ? e.getCause() : e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        inTime = inTime && System.nanoTime() - deadline <= 0;
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun);
        if (inTime && failed.isEmpty()) {
            LOG.info("drained in " + took + " ms");
        } else {
            LOG.warning("drain incomplete after " + took + " ms" + (inTime ? "" : " (HERALD_DRAIN_TIMEOUT exceeded)")
                    + (failed.isEmpty() ? "" : "; failed: " + failed));
        }
        return inTime && failed.isEmpty();
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "herald-drain-step");
        thread.setDaemon(true);
        thread.start();
    }
}
