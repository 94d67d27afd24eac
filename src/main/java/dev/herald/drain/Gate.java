package dev.herald.drain;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether this node still takes work, and how much of the work it took is unanswered: every REST
 * request, Haystack op and socket frame that is executed enters the gate, and leaves it once answered.
 * Once the node drains, nothing enters any more (the caller answers 503 {@code E_UNAVAILABLE}), and
 * {@link #idle} completes when everything that entered before has been answered. Shared by every
 * verticle of a node.
 */
public final class Gate {
    private static final long IDLE_POLL_MS = 10;

    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Takes one piece of work in, unless the node drains; a {@code true} must be followed by one {@link #leave}. */
    public boolean enter() {
        inFlight.incrementAndGet();
        if (draining.get()) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    public void leave() {
        inFlight.decrementAndGet();
    }

    public boolean draining() {
        return draining.get();
    }

    /** Nothing new enters from now on; whether this call was the one that closed the gate. */
    public boolean close() {
        return draining.compareAndSet(false, true);
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Completes once the gate is closed and everything that entered has left. */
    public Future<Void> idle(Vertx vertx) {
        Promise<Void> promise = Promise.promise();
        poll(vertx, promise);
        return promise.future();
    }

    private void poll(Vertx vertx, Promise<Void> promise) {
        if (draining.get() && inFlight.get() == 0) {
            promise.complete();
        } else {
            vertx.setTimer(IDLE_POLL_MS, t -> poll(vertx, promise));
        }
    }
}
