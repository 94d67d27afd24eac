package dev.herald.database;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.Tier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-transaction-owner rule, on a real PostgreSQL: nothing runs after the end, nothing leaks into the next user. */
@Tier.Component
class TransactionTest {
    private static Vertx vertx;
    private static Pool pool;
    private static Pool admin;
    private static io.vertx.pgclient.PgConnectOptions database;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        database = TestDatabase.freshDatabase();
        pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(database).using(vertx).build();
        admin = PgBuilder.pool().connectingTo(database).using(vertx).build();
        admin.query("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL DEFAULT 0)").execute().await();
    }

    @AfterAll
    static void stop() {
        pool.close().await();
        admin.close().await();
        vertx.close().await();
    }

    @BeforeEach
    void empty() {
        admin.query("TRUNCATE t").execute().await();
    }

    private static long rows() {
        return admin.query("SELECT count(*) FROM t").execute().await().iterator().next().getLong(0);
    }

    @Test
    void aStatementAskedForAfterTheBodyFailedIsNeverSent() {
        Promise<Void> late = Promise.promise();
        AtomicReference<Future<RowSet<Row>>> leftover = new AtomicReference<>();
        Future<Object> outcome = Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> {
            Future<RowSet<Row>> slow = tx.execute("SELECT pg_sleep(0.2)", Tuple.tuple());
            // a continuation that outlives the body's failure, as a cascade chain did
            slow.onComplete(done -> {
                leftover.set(tx.execute("INSERT INTO t (id) VALUES (1)", Tuple.tuple()));
                late.complete();
            });
            return Future.failedFuture(new IllegalStateException("refused"));
        });

        assertThrows(IllegalStateException.class, () -> outcome.await());
        late.future().await();
        assertTrue(leftover.get().failed(), "the late statement failed without being sent");
        // the pool's only connection is reused: nothing of the old transaction may run in this one
        Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> tx.execute("SELECT 1", Tuple.tuple())).await();
        assertEquals(0, rows());
    }

    @Test
    void theConnectionGoesBackOnlyWhenEveryStatementHasAnswered() {
        AtomicInteger answered = new AtomicInteger();
        Future<Object> outcome = Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> {
            tx.execute("INSERT INTO t (id) VALUES (1)", Tuple.tuple()).onComplete(d -> answered.incrementAndGet());
            tx.execute("SELECT pg_sleep(0.3)", Tuple.tuple()).onComplete(d -> answered.incrementAndGet());
            return Future.failedFuture(new IllegalStateException("fail fast"));
        });
        assertThrows(IllegalStateException.class, () -> outcome.await());
        assertEquals(2, answered.get(), "the failure is reported only after both statements answered");
        assertEquals(0, rows(), "and the insert was rolled back");
    }

    @Test
    void aFailedStatementIsNeverFollowedByACommitEvenIfTheBodyIgnoresIt() {
        Future<String> outcome = Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> {
            tx.execute("INSERT INTO t (id) VALUES (1)", Tuple.tuple());
            tx.execute("INSERT INTO t (id) VALUES (1)", Tuple.tuple()).otherwiseEmpty();
            return Future.succeededFuture("done");
        });
        PgException e = assertThrows(PgException.class, () -> outcome.await());
        assertEquals("23505", e.getSqlState());
        assertEquals(0, rows());
    }

    @Test
    void aPipelinedCommitCommitsOnlyWhenEveryStatementBeforeItSucceeded() {
        Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> {
            tx.execute("INSERT INTO t (id) VALUES (1)", Tuple.tuple());
            return tx.commitInPipeline();
        }).await();
        assertEquals(1, rows());

        Future<Void> failing = Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> {
            tx.execute("INSERT INTO t (id) VALUES (2)", Tuple.tuple());
            tx.execute("INSERT INTO t (id) VALUES (1)", Tuple.tuple());
            return tx.commitInPipeline();
        });
        assertEquals("23505", assertThrows(PgException.class, () -> failing.await()).getSqlState());
        assertEquals(1, rows(), "row 2 went with the rollback");
    }

    @Test
    void serializationFailuresAreRetriedAFewTimesThenGiveUp() {
        AtomicInteger attempts = new AtomicInteger();
        Future<RowSet<Row>> outcome = Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> {
            attempts.incrementAndGet();
            return tx.execute("INSERT INTO t (id) VALUES (1)", Tuple.tuple())
                    .compose(v -> tx.query("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$"));
        });
        PgException e = assertThrows(PgException.class, () -> outcome.await());
        assertEquals("40001", e.getSqlState());
        assertEquals(1 + Transaction.MAX_RETRIES, attempts.get(), "the first attempt and the retries");
        assertEquals(0, rows());
    }

    @Test
    void aDeadlockIsRetriedAndBothTransactionsSucceed() {
        Pool two = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(database)
                .using(vertx).build();
        try {
            admin.query("INSERT INTO t (id) VALUES (1), (2)").execute().await();
            AtomicInteger attempts = new AtomicInteger();
            Future<Object> first = crossing(two, 1, 2, attempts);
            Future<Object> second = crossing(two, 2, 1, attempts);
            Future.join(first, second).await();
            assertTrue(first.succeeded() && second.succeeded(), "both succeed: " + first.cause() + " " + second.cause());
            assertTrue(attempts.get() >= 3, "one of them ran again after the deadlock: " + attempts.get());
            assertEquals(4, admin.query("SELECT sum(v) FROM t").execute().await().iterator().next().getLong(0));
        } finally {
            two.close().await();
        }
    }

    /** Locks {@code a}, waits, then locks {@code b}: two of these in opposite order deadlock. */
    private static Future<Object> crossing(Pool pool, int a, int b, AtomicInteger attempts) {
        return Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> {
            attempts.incrementAndGet();
            return tx.execute("UPDATE t SET v = v + 1 WHERE id = $1", Tuple.of(a))
                    .compose(v -> tx.query("SELECT pg_sleep(0.3)"))
                    .compose(v -> tx.execute("UPDATE t SET v = v + 1 WHERE id = $1", Tuple.of(b)))
                    .map(v -> (Object) null);
        });
    }

    @Test
    void aConnectionBrokenMidTransactionIsReportedAndTheNextUserGetsAWorkingOne() {
        Future<RowSet<Row>> outcome = Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx ->
                tx.execute("INSERT INTO t (id) VALUES (1)", Tuple.tuple())
                        .compose(v -> tx.query("SELECT pg_terminate_backend(pg_backend_pid())")));
        Exception failure = assertThrows(Exception.class, () -> outcome.await());
        assertTrue(dev.herald.errors.Failures.isUnavailable(failure), "a lost connection means unavailable: " + failure);
        assertEquals(0, rows());
        assertEquals(1, Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> tx.query("SELECT 1")).await().size());
    }
}
