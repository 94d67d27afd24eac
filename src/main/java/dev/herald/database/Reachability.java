package dev.herald.database;

import dev.herald.config.ConfigException;
import dev.herald.config.PgUrl;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlClient;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Start-up waits for the database to answer, at most {@link #LIMIT}: a database that is still
 * starting (a compose file's, say) is waited for; one that stays unreachable ends start-up with a
 * message naming it. Refusals that waiting cannot cure (wrong password, no such database, no
 * permission) end it at once.
 */
final class Reachability {
    static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(Reachability.class.getName());
    private static final long PAUSE_MS = 1000;
    private static final long ATTEMPT_MS = 10_000;
    private static final long CLOSE_SECONDS = 2;

    private Reachability() {
    }

    /** Blocking: returns once {@code options} let Herald run a query, else throws a {@link ConfigException}. */
    static void await(PgConnectOptions options) {
        Vertx vertx = Vertx.vertx();
        try {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            for (int attempt = 1; ; attempt++) {
                long attemptMs = Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()), ATTEMPT_MS));
                Throwable failure = probe(vertx, options, attemptMs);
                if (failure == null) {
                    return;
                }
                if (isPermanent(failure)) {
                    throw new ConfigException("the database refused Herald: " + PgUrl.describe(options) + ": " + reason(failure));
                }
                if (TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) <= PAUSE_MS) {
                    throw new ConfigException("cannot reach the database within " + LIMIT.toSeconds() + " s: "
                            + PgUrl.describe(options) + ": " + reason(failure));
                }
                if (attempt == 1) {
                    LOG.warning("waiting up to " + LIMIT.toSeconds() + " s for the database (" + PgUrl.describe(options)
                            + "): " + reason(failure));
                }
                Thread.sleep(PAUSE_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while waiting for the database (" + PgUrl.describe(options) + ")");
        } finally {
            close(vertx);
        }
    }

    /**
     * One connection and {@code SELECT 1} within {@code timeoutMs}: null when it worked, else why not.
     * The connection's own timeouts end it too, so a server that accepts and then says nothing leaves
     * no connection behind.
     */
    private static Throwable probe(Vertx vertx, PgConnectOptions options, long timeoutMs) {
        NetClientOptions tcp = new NetClientOptions().setConnectTimeout((int) timeoutMs)
                .setIdleTimeout((int) timeoutMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        SqlClient client = PgBuilder.client().with(tcp).connectingTo(options).using(vertx).build();
        try {
            client.query("SELECT 1").execute().timeout(timeoutMs, TimeUnit.MILLISECONDS).await();
            return null;
        } catch (Exception e) {
            // await rethrows the failure as it is, a checked ConnectException included
            return e;
        } finally {
            client.close();
        }
    }

    /** Authorization failures (class 28), a missing database (3D000), a denied CONNECT (42501). */
    private static boolean isPermanent(Throwable failure) {
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            String state = pg.getSqlState();
            return state.startsWith("28") || state.equals("3D000") || state.equals("42501");
        }
        return false;
    }

    private static void close(Vertx vertx) {
        try {
            vertx.close().await(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warning("the client that waited for the database did not close within " + CLOSE_SECONDS + " s");
        }
    }

    private static String reason(Throwable failure) {
        if (failure instanceof PgException pg) {
            return pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")";
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }
}
