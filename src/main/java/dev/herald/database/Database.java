package dev.herald.database;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.config.PgUrl;
import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the records live: the external PostgreSQL of {@code HERALD_PG_URL}, or an embedded PostgreSQL
 * whose data directory is kept under {@code HERALD_DATA_DIR/postgres} across restarts.
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
            return new Database(PgUrl.parse(url, "HERALD_PG_URL"), "external PostgreSQL " + PgUrl.redact(url), null);
        }
        Path dir = config.dataDir().resolve("postgres").toAbsolutePath();
        try {
            Files.createDirectories(dir);
            // the embedded server's defaults are for tests (fsync and synchronous_commit off): a destroy
            // answered 200 must survive a crash of the machine, so a commit returns only once it is on disk
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .start();
            PgConnectOptions options = new PgConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(pg.getPort())
                    .setDatabase("postgres")
                    .setUser("postgres")
                    .setPassword("postgres");
            return new Database(options, "embedded PostgreSQL (data in " + dir + ", port " + pg.getPort() + ")", pg);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("cannot start the embedded PostgreSQL in " + dir + " (HERALD_DATA_DIR): "
                    + e.getMessage() + "; set HERALD_PG_URL to use an external PostgreSQL instead");
        }
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
