package dev.herald.database;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.config.PgUrl;
import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Where the records live: the external PostgreSQL of {@code HERALD_PG_URL}, or an embedded PostgreSQL
 * whose data directory is kept under {@code HERALD_DATA_DIR/postgres} across restarts (see {@link EmbeddedServer}).
 * Either way it is open only once the database answers Herald, waited for at most {@link Reachability#LIMIT}.
 */
public final class Database implements AutoCloseable {
    private final PgConnectOptions connectOptions;
    private final String description;
    private final EmbeddedPostgres embedded;

    private Database(PgConnectOptions connectOptions, String description, EmbeddedPostgres embedded) {
        this.connectOptions = connectOptions;
        this.description = description;
        this.embedded = embedded;
    }

    /** Blocking: starting the embedded server takes a few seconds; call it before Vert.x work begins. */
    public static Database open(HeraldConfig config) {
        if (config.pgUrl().isPresent()) {
            String url = config.pgUrl().get();
            PgConnectOptions options = PgUrl.parse(url, "HERALD_PG_URL");
            Reachability.await(options);
            return new Database(options, "external PostgreSQL " + PgUrl.redact(url), null);
        }
        Database database = openEmbedded(config.dataDir());
        try {
            Reachability.await(database.connectOptions);
            return database;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static Database openEmbedded(Path dataDir) {
        Path dir = dataDir.resolve("postgres").toAbsolutePath();
        try {
            EmbeddedServer.Started started = EmbeddedServer.start(dataDir);
            return new Database(started.role(), started.description(), started.server());
        } catch (ConfigException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("cannot start the embedded PostgreSQL in " + dir + " (HERALD_DATA_DIR): "
                    + e.getMessage() + hint(e) + "; set HERALD_PG_URL to use an external PostgreSQL instead");
        }
    }

    /** A server that refuses the superuser's password: the password file no longer matches the data directory. */
    private static String hint(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && "28P01".equals(sql.getSQLState())) {
                return " (the server refuses the password in " + EmbeddedServer.SUPERUSER_PASSWORD_FILE + ": restore the file"
                        + " that belongs to this data directory, or delete " + HbaFile.NAME + " in it to have Herald set new"
                        + " passwords at its next start)";
            }
        }
        return "";
    }

    public PgConnectOptions connectOptions() {
        return new PgConnectOptions(connectOptions);
    }

    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new IllegalStateException("embedded PostgreSQL did not stop cleanly", e);
            }
        }
    }
}
