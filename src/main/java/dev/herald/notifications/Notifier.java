package dev.herald.notifications;

import dev.herald.database.Transaction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How a writer hands over the notifications of its transaction: {@link #log} them inside it, as its last
 * statement before COMMIT, then {@link #publish} them once it committed. With the log off
 * ({@code HERALD_NOTIFICATION_LOG=off}, for measurements only) nothing is written and notifications
 * travel without positions, at most once.
 */
public final class Notifier {
    private static final Logger LOG = Logger.getLogger(Notifier.class.getName());

    private final Vertx vertx;
    private final boolean logged;

    public Notifier(Vertx vertx, boolean logged) {
        this.vertx = vertx;
        this.logged = logged;
    }

    public boolean logged() {
        return logged;
    }

    /**
     * Runs {@code body} in a transaction, logs the notifications of its result and commits, then
     * publishes them: the write path of every single request.
     */
    public <R> Future<R> write(Pool pool, Transaction.Isolation isolation, JsonObject origin,
                               Function<Transaction, Future<R>> body, Function<R, List<Notification>> notifications) {
        return Transaction.run(pool, isolation, tx -> body.apply(tx).compose(result ->
                        commit(tx, List.of(new Notification.Change(origin, notifications.apply(result)))).map(out -> new Done<>(result, out))))
                .map(done -> {
                    publish(done.outgoing());
                    return done.result();
                });
    }

    private record Done<R>(R result, Outgoing outgoing) {
    }

    /**
     * Renders the changes, writes them to the log in {@code tx} and sends the COMMIT right behind (one
     * round trip); succeeds once both did. The transaction is over either way.
     */
    public Future<Outgoing> commit(Transaction tx, List<Notification.Change> changes) {
        Outgoing outgoing;
        try {
            outgoing = Outgoing.of(changes);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        Future<Long> logged = !logged() || outgoing.isEmpty() ? Future.succeededFuture(0L) : NotificationLog.append(tx, outgoing);
        Future<Void> committed = tx.commitInPipeline();
        return Future.join(logged, committed).transform(done -> {
            if (committed.failed()) {
                return Future.failedFuture(committed.cause());
            }
            if (logged.failed()) {
                return Future.failedFuture(logged.cause());
            }
            outgoing.numbered(logged.result());
            return Future.succeededFuture(outgoing);
        });
    }

    /** Publishes committed changes once, for every node's subscription verticle; never fails. */
    public void publish(Outgoing outgoing) {
        try {
            Buffer publication = outgoing.publication();
            if (publication != null) {
                vertx.eventBus().publish(NotificationAddresses.NOTIFICATIONS, publication, new DeliveryOptions()
                        .addHeader(NotificationAddresses.COMMITTED_AT, Long.toString(System.currentTimeMillis())));
            }
        } catch (RuntimeException e) {
            // the changes are committed (and logged: every node will read them from the log)
            LOG.log(Level.SEVERE, "committed changes could not be published: " + outgoing.count() + " notification(s)", e);
        }
    }

    /** The publication of outgoing changes (tests). */
    public static Buffer encode(Outgoing outgoing) {
        return outgoing.publication();
    }
}
