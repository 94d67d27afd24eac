package dev.herald.notifications;

import dev.herald.database.Sql;
import dev.herald.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One node's ordered stream of notifications: every committed notification is handed to
 * {@code deliver} exactly once, in {@code seq} order, whether it came as a publication on the event bus
 * (the fast path) or only in the {@link NotificationLog} (its committing node died after COMMIT, or the
 * publication was lost). {@link #cursor()} is the last position handed over.
 *
 * <ul>
 *   <li>A publication that starts right after the cursor is delivered at once.</li>
 *   <li>One that leaves a gap is held; if what fills the gap has not come within {@value #GAP_WAIT_MS} ms,
 *       the log is read from the cursor and everything committed after it is handed over, in order. A
 *       read that begins after a held publication was received sees every committed position below it
 *       (positions follow commit order, see {@link NotificationLog}), so what it does not return below
 *       that publication was never committed (a rolled-back numbering): the held publication is then
 *       behind the cursor and dropped.</li>
 *   <li>The log is also read every {@value #POLL_MS} ms, so nothing committed waits longer than that
 *       (plus the read) even when no further publication comes.</li>
 * </ul>
 * Confined to the context of the verticle that owns it.
 */
public final class LogFollower {
    static final long GAP_WAIT_MS = 10;
    static final long POLL_MS = 500;
    /**
     * The most rows (transactions) one read of the log takes: a row holds a whole transaction's messages
     * (a deleteRec of thousands of entities is megabytes), so a node that fell behind catches up in
     * several bounded reads rather than one that holds everything.
     */
    static final int READ_LIMIT = 64;
    private static final Logger LOG = Logger.getLogger(LogFollower.class.getName());

    private final Vertx vertx;
    private final Sql reads;
    private final Consumer<Publication.Received> deliver;
    private final TreeMap<Long, Held> held = new TreeMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private long cursor;
    private String epoch;
    private long readsBegun;
    private boolean reading;
    private boolean readAgain;
    private long gapTimer = -1;
    private long pollTimer = -1;
    /** When reading the log began to fail (0: it does not): one warning a minute, not one a poll. */
    private long failingSince;
    private long lastWarning;

    private record Held(List<Publication.Received> changes, long first, long last) {
    }

    private record Waiter(long seq, long afterRead, Promise<Void> promise) {
    }

    public LogFollower(Vertx vertx, Sql reads, Consumer<Publication.Received> deliver) {
        this.vertx = vertx;
        this.reads = reads;
        this.deliver = deliver;
    }

    /** Starts from the log's last committed position: what came before is history, for replays. */
    public Future<Void> start() {
        return NotificationLog.state(reads).map(state -> {
            cursor = state.head();
            epoch = state.epoch();
            pollTimer = vertx.setPeriodic(POLL_MS, t -> read());
            return null;
        });
    }

    public void stop() {
        if (pollTimer >= 0) {
            vertx.cancelTimer(pollTimer);
        }
        if (gapTimer >= 0) {
            vertx.cancelTimer(gapTimer);
        }
        waiters.forEach(w -> w.promise().tryFail("stopped"));
        waiters.clear();
    }

    /** The last position handed over: every later notification will be. */
    public long cursor() {
        return cursor;
    }

    public String epoch() {
        return epoch;
    }

    /** A publication from the event bus: the changes of one commit, numbered consecutively. */
    public void offer(List<Publication.Received> changes) {
        long first = -1;
        long last = -1;
        for (Publication.Received change : changes) {
            for (Publication.Delivery d : change.deliveries()) {
                if (first < 0) {
                    first = d.seq();
                }
                last = d.seq();
            }
        }
        if (first < 0 || last <= cursor) {
            return;
        }
        if (first <= cursor + 1) {
            hand(changes, last);
            drain();
            return;
        }
        held.putIfAbsent(first, new Held(changes, first, last));
        armGapTimer();
    }

    /**
     * Completes once every position up to {@code seq} has been handed over; fails with a 400 when the
     * log does not reach {@code seq} (a position nobody can have seen yet).
     */
    public Future<Void> reach(long seq) {
        if (seq <= cursor) {
            return Future.succeededFuture();
        }
        Promise<Void> promise = Promise.promise();
        waiters.add(new Waiter(seq, readsBegun, promise));
        read();
        return promise.future();
    }

    private void hand(List<Publication.Received> changes, long last) {
        for (Publication.Received change : changes) {
            List<Publication.Delivery> fresh = new ArrayList<>(change.deliveries().size());
            for (Publication.Delivery d : change.deliveries()) {
                if (d.seq() > cursor) {
                    fresh.add(d);
                }
            }
            if (!fresh.isEmpty()) {
                cursor = fresh.get(fresh.size() - 1).seq();
                handOver(fresh.size() == change.deliveries().size() ? change : change.with(fresh));
            }
        }
        cursor = Math.max(cursor, last);
    }

    private void handOver(Publication.Received change) {
        try {
            deliver.accept(change);
        } catch (RuntimeException e) {
            LOG.warning("a notification could not be delivered: " + e);
        }
    }

    /** Hands over every held publication that now follows the cursor. */
    private void drain() {
        while (!held.isEmpty() && held.firstKey() <= cursor + 1) {
            Held h = held.pollFirstEntry().getValue();
            if (h.last() > cursor) {
                hand(h.changes(), h.last());
            }
        }
        if (held.isEmpty() && gapTimer >= 0) {
            vertx.cancelTimer(gapTimer);
            gapTimer = -1;
        } else if (!held.isEmpty()) {
            armGapTimer();
        }
        settleWaiters(false, 0);
    }

    private void armGapTimer() {
        if (gapTimer < 0) {
            gapTimer = vertx.setTimer(GAP_WAIT_MS, t -> {
                gapTimer = -1;
                read();
            });
        }
    }

    /** Reads the log from the cursor, hands over what it finds, and closes the gaps it proves empty. */
    private void read() {
        if (reading) {
            readAgain = true;
            return;
        }
        reading = true;
        long readNumber = ++readsBegun;
        NotificationLog.tailRows(reads, cursor, READ_LIMIT).onComplete(done -> {
            reading = false;
            if (done.failed()) {
                long now = System.nanoTime();
                if (failingSince == 0 || now - lastWarning > TimeUnit.SECONDS.toNanos(60)) {
                    LOG.warning("the notification log could not be read" + (failingSince == 0 ? "" : " for "
                            + TimeUnit.NANOSECONDS.toSeconds(now - failingSince) + " s") + " (trying again every " + POLL_MS + " ms): " + done.cause());
                    lastWarning = now;
                }
                failingSince = failingSince == 0 ? now : failingSince;
                return;
            }
            if (failingSince != 0) {
                LOG.info("the notification log can be read again, after " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - failingSince) + " s");
                failingSince = 0;
            }
            for (Publication.Received change : changes(done.result().entries())) {
                hand(List.of(change), cursor);
            }
            boolean complete = done.result().rows() < READ_LIMIT;
            drain();
            settleWaiters(complete, readNumber);
            if (readAgain || !complete) {
                readAgain = false;
                read();
            }
        });
    }

    /** Waiters reached by the cursor succeed; those a complete read begun after them did not reach are ahead of the log. */
    private void settleWaiters(boolean completeRead, long readNumber) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.seq() <= cursor) {
                it.remove();
                w.promise().tryComplete();
            } else if (completeRead && readNumber > w.afterRead()) {
                it.remove();
                w.promise().tryFail(ErrorCode.BAD_FRAME.error("\"since\" " + w.seq() + " is ahead of the notification log (its last position is " + cursor + ")."));
            }
        }
    }

    /** Log entries as changes: consecutive entries with the same origin form one. */
    static List<Publication.Received> changes(List<NotificationLog.Entry> entries) {
        List<Publication.Received> changes = new ArrayList<>();
        Buffer origin = null;
        List<Publication.Delivery> deliveries = null;
        for (NotificationLog.Entry e : entries) {
            if (origin == null || !origin.equals(e.origin())) {
                if (deliveries != null) {
                    changes.add(new Publication.Received(origin, deliveries));
                }
                origin = e.origin();
                deliveries = new ArrayList<>();
            }
            deliveries.add(delivery(e));
        }
        if (deliveries != null) {
            changes.add(new Publication.Received(origin, deliveries));
        }
        return changes;
    }

    /** A logged notification as the rooms see it; its room is its record's id as text (rooms do not mind). */
    public static Publication.Delivery delivery(NotificationLog.Entry e) {
        return new Publication.Delivery(e.seq(), e.model(), e.record(), e.retire(), e.creation(), e.message());
    }
}
