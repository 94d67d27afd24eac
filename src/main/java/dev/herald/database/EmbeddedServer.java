package dev.herald.database;

import dev.herald.auth.SecretStore;
import dev.herald.config.ConfigException;
import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The embedded PostgreSQL in {@code HERALD_DATA_DIR/postgres}, locked down: it listens on 127.0.0.1
 * only, its Unix socket (in the library's default directory, {@code /tmp}) is usable by its owner only,
 * every connection needs a password (scram-sha-256; passwords generated into the data dir, mode 0600),
 * and Herald connects as the role {@value Provisioning#ROLE}, which is no superuser.
 *
 * <p>A new data directory is initialised with the superuser's password and password authentication
 * already (initdb's {@code --pwfile} and {@code --auth}), so it never accepts a connection without a
 * password. A data directory of an earlier version (initdb's trust authentication) is upgraded at its
 * first start: see {@link HbaFile} and {@link Provisioning}.
 */
final class EmbeddedServer {
    static final String SUPERUSER_PASSWORD_FILE = "pg-postgres-password";
    static final String ROLE_PASSWORD_FILE = "pg-herald-password";
    private static final Logger LOG = Logger.getLogger(EmbeddedServer.class.getName());
    /** Crash recovery after a kill may take a while on a busy machine; the library's default is 10 s. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);
    private static final String LOST_PASSWORD = "the embedded PostgreSQL's superuser password %s is missing, and the server"
            + " requires it; restore the file, or delete %s to have Herald set new passwords at its next start";

    private EmbeddedServer() {
    }

    record Started(EmbeddedPostgres server, PgConnectOptions role, String description) {
    }

    /** Blocking: starts (and if needed initialises or upgrades) the server, then provisions the role. */
    static Started start(Path dataDir) throws IOException {
        Path pgData = dataDir.resolve("postgres").toAbsolutePath().normalize();
        boolean fresh = !Files.exists(pgData.resolve("postgresql.conf"));
        boolean upgrading = !fresh && HbaFile.letsAnyoneIn(pgData);
        if (!fresh && !upgrading && !Files.exists(dataDir.resolve(SUPERUSER_PASSWORD_FILE))) {
            throw new ConfigException(LOST_PASSWORD.formatted(dataDir.resolve(SUPERUSER_PASSWORD_FILE), pgData.resolve(HbaFile.NAME)));
        }
        String superuserPassword = SecretStore.loadOrCreate(dataDir, SUPERUSER_PASSWORD_FILE, "the embedded PostgreSQL's superuser password");
        String rolePassword = SecretStore.loadOrCreate(dataDir, ROLE_PASSWORD_FILE, "the embedded PostgreSQL's password for Herald");
        SecretStore.createOwnerOnlyDirectories(pgData);
        StalePostmaster.stopIfAny(pgData);
        if (upgrading) {
            LOG.warning("the embedded PostgreSQL in " + pgData + " lets every local account in (made by an earlier version);"
                    + " setting passwords and handing its tables to the role '" + Provisioning.ROLE + "'");
        }
        EmbeddedPostgres server = builder(dataDir, pgData, superuserPassword, upgrading).start();
        try {
            String database = Provisioning.run(server, upgrading, superuserPassword, rolePassword);
            if (upgrading) {
                HbaFile.writeLocked(pgData);
                Provisioning.reloadConfiguration(server);
                LOG.info("the embedded PostgreSQL in " + pgData + " now requires a password for every connection");
            }
            PgConnectOptions role = new PgConnectOptions().setHost("127.0.0.1").setPort(server.getPort())
                    .setDatabase(database).setUser(Provisioning.ROLE).setPassword(rolePassword);
            String description = "embedded PostgreSQL (data in " + pgData + ", port " + server.getPort() + ", database '"
                    + database + "', role '" + Provisioning.ROLE + "')";
            return new Started(server, role, description);
        } catch (SQLException | IOException | RuntimeException e) {
            server.close();
            throw new ConfigException("cannot set up the embedded PostgreSQL in " + pgData + ": " + e.getMessage());
        }
    }

    /**
     * The library's test defaults are changed: fsync and synchronous_commit on (a destroy answered 200
     * survives a crash of the machine), loopback TCP only, an owner-only Unix socket, SCRAM passwords.
     * initdb's options are passed as "locale config", the library's only way to add initdb arguments
     * (each becomes {@code --key=value}, after its own {@code -A trust}, which they override).
     */
    private static EmbeddedPostgres.Builder builder(Path dataDir, Path pgData, String superuserPassword, boolean upgrading) {
        return EmbeddedPostgres.builder()
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                .setPGStartupWait(STARTUP_WAIT)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_permissions", "0700")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setLocaleConfig("auth", "scram-sha-256")
                .setLocaleConfig("pwfile", dataDir.resolve(SUPERUSER_PASSWORD_FILE).toAbsolutePath().toString())
                .setConnectConfig("password", superuserPassword)
                .setDataDirectoryCustomizer(dir -> {
                    try {
                        if (upgrading) {
                            HbaFile.writeUpgrading(pgData);
                        } else {
                            HbaFile.writeLocked(pgData);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write " + pgData.resolve(HbaFile.NAME), e);
                    }
                });
    }
}
