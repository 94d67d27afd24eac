package dev.herald.database;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The owner of one transaction: every write in Herald (blueprint writes, single and batched destroys
 * and their cascades, Haystack ops) runs through {@link #run}, and every statement of that write goes
 * through the {@code Transaction} it is given. The rule, enforced here and nowhere else:
 * <ul>
 *   <li>all statements of a transaction go to its one connection, in the order they are asked for
 *       (the client pipelines them);</li>
 *   <li>once the transaction ends (its COMMIT or ROLLBACK is sent) nothing more is sent: a statement
 *       asked for later fails without reaching the database, and is logged, since it is a defect;</li>
 *   <li>COMMIT is sent only when no statement failed, so a COMMIT never silently ends in a rollback;</li>
 *   <li>the connection goes back to the pool only when every statement sent on it has been answered,
 *       so no leftover of one transaction can run inside another.</li>
 * </ul>
 * A transaction that fails on a deadlock or a serialization failure (SQLSTATE 40P01, 40001) has
 * changed nothing and is run again, at most {@value #MAX_RETRIES} times, after a short random pause.
 *
 * <p>Confined to the context of the verticle that owns the pool: statements are sent, and answered, there.
 */
public final class Transaction implements Sql {
    private static final Logger LOG = Logger.getLogger(Transaction.class.getName());
    /**
     * Concurrent destroys of one entangled tree (repeatable read) can collide a few times in a row: the
     * notification log's order lock keeps each one's locks until its turn to commit. Measured by the
     * property test: three retries were sometimes not enough for five destroys at once.
     */
    static final int MAX_RETRIES = 8;

    /** The isolation a transaction begins with. */
    public enum Isolation {
        READ_COMMITTED("BEGIN"), REPEATABLE_READ("BEGIN ISOLATION LEVEL REPEATABLE READ");

        private final String begin;

        Isolation(String begin) {
            this.begin = begin;
        }
    }

    private final SqlConnection conn;
    private int pending;
    private boolean ended;
    private boolean commitSent;
    private boolean committed;
    private Throwable firstFailure;
    private Promise<Void> drained;

    private Transaction(SqlConnection conn) {
        this.conn = conn;
    }

    /**
     * Runs {@code body} in a transaction of its own and commits it when the body's future succeeds (or
     * when the body committed in its pipeline, {@link #commitInPipeline}); rolls it back otherwise. The
     * body may run more than once (conflict retries): it must keep its state inside.
     */
    public static <T> Future<T> run(Pool pool, Isolation isolation, Function<Transaction, Future<T>> body) {
        return attempt(pool, isolation, body, 0);
    }

    private static <T> Future<T> attempt(Pool pool, Isolation isolation, Function<Transaction, Future<T>> body, int retries) {
        return pool.getConnection().compose(conn -> {
            Transaction tx = new Transaction(conn);
            tx.send(isolation.begin, () -> conn.query(isolation.begin).execute());
            Future<T> outcome;
            try {
                outcome = body.apply(tx);
            } catch (RuntimeException e) {
                outcome = Future.failedFuture(e);
            }
            return outcome.transform(done -> tx.end(done.failed() ? done.cause() : null).map(done.result()))
                    .eventually(conn::close)
                    .recover(failure -> retries < MAX_RETRIES && !tx.committed && isConflict(failure)
                            ? pause(retries).compose(v -> attempt(pool, isolation, body, retries + 1))
                            : Future.failedFuture(failure));
        });
    }

    /** Deadlock or serialization failure: the transaction was rolled back and may simply run again. */
    static boolean isConflict(Throwable failure) {
        return failure instanceof PgException pg && ("40P01".equals(pg.getSqlState()) || "40001".equals(pg.getSqlState()));
    }

    private static Future<Void> pause(int retries) {
        Context context = Vertx.currentContext();
        long millis = ThreadLocalRandom.current().nextLong(5, Math.min(20L << retries, 320));
        return context == null ? Future.succeededFuture() : context.owner().timer(millis).mapEmpty();
    }

    @Override
    public Future<RowSet<Row>> execute(String sql, Tuple params) {
        return send(sql, () -> conn.preparedQuery(sql).execute(params));
    }

    @Override
    public Future<RowSet<Row>> executeBatch(String sql, List<Tuple> batch) {
        return send(sql, () -> conn.preparedQuery(sql).executeBatch(batch));
    }

    @Override
    public Future<RowSet<Row>> query(String sql) {
        return send(sql, () -> conn.query(sql).execute());
    }

    /**
     * Sends COMMIT right behind the statements already sent, without waiting for their answers (one
     * round trip for the whole transaction). Succeeds only if every one of them and the COMMIT
     * succeeded; when one failed, PostgreSQL has rolled the transaction back and so has this.
     */
    public Future<Void> commitInPipeline() {
        ended = true;
        return commit();
    }

    /** COMMIT; it counts as committed only if no statement before it failed (else PostgreSQL rolled back). */
    private Future<Void> commit() {
        commitSent = true;
        return sendEnding("COMMIT").transform(done -> {
            if (firstFailure != null) {
                return Future.failedFuture(firstFailure);
            }
            if (done.failed()) {
                return Future.failedFuture(done.cause());
            }
            committed = true;
            return Future.succeededFuture();
        });
    }

    /**
     * Ends the transaction: commits when the body succeeded and every statement did, else rolls back;
     * completes once nothing sent is unanswered. Fails with the body's failure, or the first failed
     * statement's, or COMMIT's.
     */
    private Future<Void> end(Throwable failure) {
        if (commitSent) {
            return settled().transform(v -> failure == null ? Future.succeededFuture() : Future.failedFuture(failure));
        }
        ended = true;
        if (failure == null) {
            return settled().compose(v -> {
                if (firstFailure != null) {
                    return rollback(firstFailure);
                }
                return commit();
            });
        }
        return rollback(failure);
    }

    /**
     * Rolls back; fails with {@code failure}, unless it is only PostgreSQL saying the transaction was
     * already aborted (25P02), in which case with the statement failure that aborted it.
     */
    private Future<Void> rollback(Throwable failure) {
        sendEnding("ROLLBACK");
        return settled().transform(v -> Future.failedFuture(isAborted(failure) && firstFailure != null ? firstFailure : failure));
    }

    private static boolean isAborted(Throwable failure) {
        return failure instanceof PgException pg && "25P02".equals(pg.getSqlState());
    }

    /** Completes when every statement sent so far has been answered (successfully or not). */
    private Future<Void> settled() {
        if (pending == 0) {
            return Future.succeededFuture();
        }
        if (drained == null || drained.future().isComplete()) {
            drained = Promise.promise();
        }
        return drained.future();
    }

    private Future<RowSet<Row>> sendEnding(String sql) {
        return counted(() -> conn.query(sql).execute());
    }

    private Future<RowSet<Row>> send(String sql, Supplier<Future<RowSet<Row>>> statement) {
        if (ended) {
            IllegalStateException late = new IllegalStateException("statement asked for after its transaction ended, not sent: "
                    + (sql.length() > 120 ? sql.substring(0, 117) + "..." : sql));
            LOG.warning(late.getMessage());
            return Future.failedFuture(late);
        }
        return counted(statement);
    }

    private Future<RowSet<Row>> counted(Supplier<Future<RowSet<Row>>> statement) {
        pending++;
        Future<RowSet<Row>> answer;
        try {
            answer = statement.get();
        } catch (RuntimeException e) {
            answer = Future.failedFuture(e);
        }
        return answer.andThen(done -> {
            if (done.failed() && firstFailure == null) {
                firstFailure = done.cause();
            }
            if (--pending == 0 && drained != null) {
                drained.tryComplete();
            }
        });
    }
}
