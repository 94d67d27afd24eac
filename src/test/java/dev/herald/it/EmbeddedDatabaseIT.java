package dev.herald.it;

import dev.herald.testing.PgWire;
import dev.herald.testing.Tier;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jar's embedded PostgreSQL trusts no one, survives a kill -9 of its node, and an unreachable database ends start-up. */
@Tier.Integration
class EmbeddedDatabaseIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private Vertx vertx;

    @BeforeEach
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void closeVertx() {
        vertx.close().await();
    }

    private static Map<String, String> env(Path dataDir) {
        return Map.of("HERALD_DATA_DIR", dataDir.toString(), "HERALD_HTTP_PORT", "0", "HERALD_HTTP_HOST", "127.0.0.1");
    }

    @Test
    void aFreshEmbeddedDatabaseRefusesEveryConnectionWithoutThePassword(@TempDir Path dataDir) throws Exception {
        Path pgData = dataDir.resolve("postgres");
        try (ServerProcess server = ServerProcess.startEmbedded(env(dataDir))) {
            server.awaitPort();
            SocketAddress tcp = new InetSocketAddress(InetAddress.getLoopbackAddress(), PgWire.port(pgData));
            for (SocketAddress address : List.of(tcp, PgWire.unixSocket(pgData))) {
                for (List<String> userAndDatabase : List.of(List.of("postgres", "postgres"), List.of("herald", "herald"))) {
                    PgWire.Answer answer = PgWire.startup(address, userAndDatabase.get(0), userAndDatabase.get(1));
                    assertEquals(new PgWire.Answer('R', PgWire.AUTHENTICATION_SASL, null), answer,
                            userAndDatabase + " over " + address + " must be asked for a SCRAM password");
                }
            }

            PgConnectOptions postgres = new PgConnectOptions().setHost("127.0.0.1").setPort(PgWire.port(pgData))
                    .setDatabase("postgres").setUser("postgres");
            for (String wrong : List.of("postgres", "herald", "wrong-" + UUID.randomUUID())) {
                assertRefused(new PgConnectOptions(postgres).setPassword(wrong));
                assertRefused(new PgConnectOptions(postgres).setUser("herald").setDatabase("herald").setPassword(wrong));
            }

            for (String secret : List.of("jwt-secret", "pg-postgres-password", "pg-herald-password")) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(secret))),
                        secret + " is readable by its owner only");
            }
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pgData)));

            String superuserPassword = Files.readString(dataDir.resolve("pg-postgres-password")).strip();
            PgConnection admin = PgConnection.connect(vertx, new PgConnectOptions(postgres).setPassword(superuserPassword)).await();
            assertEquals("127.0.0.1", admin.query("SHOW listen_addresses").execute().await().iterator().next().getString(0));
            List<String> hba = admin.query("SELECT type || ' ' || auth_method FROM pg_hba_file_rules").execute().await()
                    .stream().map(r -> r.getString(0)).distinct().toList();
            assertEquals(List.of("local scram-sha-256", "host scram-sha-256"), hba);
            admin.close().await();

            String rolePassword = Files.readString(dataDir.resolve("pg-herald-password")).strip();
            PgConnection role = PgConnection.connect(vertx, new PgConnectOptions(postgres)
                    .setUser("herald").setDatabase("herald").setPassword(rolePassword)).await();
            Row attributes = role.query("SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,"
                    + " pg_has_role(current_user, 'pg_read_server_files', 'MEMBER'),"
                    + " pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER')"
                    + " FROM pg_roles WHERE rolname = current_user").execute().await().iterator().next();
            for (int i = 0; i < attributes.size(); i++) {
                assertFalse(attributes.getBoolean(i), "the application role has no power beyond its tables: column " + i);
            }
            assertEquals("herald", role.query("SELECT tableowner FROM pg_tables WHERE tablename = 'pony'").execute().await()
                    .iterator().next().getString(0), "the role owns the tables it works with");
            assertInsufficientPrivilege(role, "SELECT pg_read_file('postgresql.conf')");
            assertInsufficientPrivilege(role, "COPY (SELECT 1) TO PROGRAM 'true'");
            assertInsufficientPrivilege(role, "CREATE ROLE intruder LOGIN SUPERUSER");
            role.close().await();
        }
    }

    private void assertRefused(PgConnectOptions options) {
        PgException refused = assertThrows(PgException.class, () -> PgConnection.connect(vertx, options).await().close().await(),
                options.getUser() + " with password '" + options.getPassword() + "'");
        assertEquals("28P01", refused.getSqlState(), refused.getMessage());
    }

    private static void assertInsufficientPrivilege(PgConnection conn, String sql) {
        PgException denied = assertThrows(PgException.class, () -> conn.query(sql).execute().await(), sql);
        assertEquals("42501", denied.getSqlState(), sql + ": " + denied.getMessage());
    }

    @Test
    void aNodeKilledWithSigkillRestartsOnTheSameDataDirAtTheFirstAttemptWithItsRecords(@TempDir Path dataDir) throws Exception {
        Path pgData = dataDir.resolve("postgres");
        String token;
        long keeper;
        long postmaster;
        try (ServerProcess first = ServerProcess.startEmbedded(env(dataDir))) {
            int port = first.awaitPort();
            token = first.awaitLine(l -> l.startsWith("  ey")).strip();
            HttpResponse<String> created = send("POST", port, "/pony", token, new JsonObject().put("name", "Keeper"));
            assertEquals(200, created.statusCode(), created.body());
            keeper = new JsonObject(created.body()).getLong("id");
            postmaster = PgWire.postmasterPid(pgData);
            first.kill();
        }
        try {
            assertTrue(postgresOf(postmaster, pgData).isPresent(), "kill -9 of the node leaves its PostgreSQL running");
            try (ServerProcess second = ServerProcess.startEmbedded(env(dataDir))) {
                int port = second.awaitPort();
                HttpResponse<String> kept = send("GET", port, "/pony/" + keeper, token, null);
                assertEquals(200, kept.statusCode(), kept.body());
                assertEquals("Keeper", new JsonObject(kept.body()).getString("name"));
                assertNotEquals(postmaster, PgWire.postmasterPid(pgData));
            }
            assertFalse(postgresOf(postmaster, pgData).isPresent(), "the stale postmaster was stopped");
        } finally {
            postgresOf(postmaster, pgData).ifPresent(stale -> {
                stale.destroyForcibly();
                stale.onExit().orTimeout(10, TimeUnit.SECONDS).join();
            });
        }
    }

    /** The process {@code pid} if it is still the postmaster of {@code pgData} (never some process that reused the id). */
    @Test
    void sigtermDrainsTheNodeStopsItsPostgresqlAndExitsZero(@TempDir Path dataDir) throws Exception {
        Path pgData = dataDir.resolve("postgres");
        Map<String, String> env = new java.util.HashMap<>(env(dataDir));
        env.put("HERALD_DRAIN_TIMEOUT", "20s");
        try (ServerProcess node = ServerProcess.startEmbedded(env)) {
            node.awaitPort();
            long postmaster = PgWire.postmasterPid(pgData);
            assertTrue(postgresOf(postmaster, pgData).isPresent());
            node.terminate();
            assertEquals(0, node.awaitExit(40), "drained within HERALD_DRAIN_TIMEOUT: " + node.log());
            assertFalse(postgresOf(postmaster, pgData).isPresent(), "the embedded PostgreSQL was stopped");
            assertFalse(java.nio.file.Files.exists(pgData.resolve("postmaster.pid")), "and stopped cleanly");
            assertTrue(node.log().stream().anyMatch(l -> l.contains("drained in")), node.log().toString());
        }
    }

    private static Optional<ProcessHandle> postgresOf(long pid, Path pgData) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(List::of).orElse(List.of()).contains(pgData.toString()));
    }

    private static HttpResponse<String> send(String method, int port, String path, String token, JsonObject body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aNodeWhoseDatabaseIsUnreachableExitsNamingItButNotItsPassword(@TempDir Path dataDir) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String password = "pw-" + UUID.randomUUID();
        Map<String, String> env = Map.of("HERALD_PG_URL", "postgresql://records_user:" + password + "@127.0.0.1:" + closedPort + "/records",
                "HERALD_DATA_DIR", dataDir.toString(), "HERALD_HTTP_PORT", "0", "HERALD_HTTP_HOST", "127.0.0.1");

        ServerProcess.Result result = ServerProcess.run(env);

        assertNotEquals(0, result.status(), result.stderr());
        for (String named : List.of("127.0.0.1:" + closedPort, "'records'", "'records_user'")) {
            assertTrue(result.stderr().contains(named), "stderr names " + named + ": " + result.stderr());
        }
        assertFalse((result.stdout() + result.stderr()).contains(password), "the password is never printed");
    }
}
