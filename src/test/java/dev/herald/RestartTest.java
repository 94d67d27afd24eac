package dev.herald;

import dev.herald.cluster.Cluster;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.database.Database;
import dev.herald.metrics.Metrics;
import dev.herald.models.ModelsLoader;
import dev.herald.testing.PgWire;
import dev.herald.testing.Tier;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded PostgreSQL keeps its data in HERALD_DATA_DIR: a restart finds the records and the secret. */
@Tier.Component
class RestartTest {

    private record Running(Vertx vertx, Database database, Herald herald, WebClient client) implements AutoCloseable {
        static Running start(Path dataDir) {
            Database database = Database.open(config(dataDir));
            return start(dataDir, database, database.connectOptions());
        }

        static Running start(Path dataDir, Database database, PgConnectOptions connectOptions) {
            Vertx vertx = Vertx.vertx();
            Herald herald = Herald.start(Cluster.standalone(vertx), config(dataDir), ModelsLoader.loadDemo(), connectOptions, Metrics.off()).await();
            return new Running(vertx, database, herald, WebClient.create(vertx));
        }

        static HeraldConfig config(Path dataDir) {
            return HeraldConfig.fromEnv(Map.of("HERALD_DATA_DIR", dataDir.toString(),
                    "HERALD_HTTP_PORT", "0", "HERALD_HTTP_HOST", "127.0.0.1"));
        }

        HttpResponse<Buffer> call(HttpMethod method, String uri, JsonObject body, String token) {
            var request = client.request(method, herald.port(), "127.0.0.1", uri).putHeader("Authorization", "Bearer " + token);
            return (body == null ? request.send() : request.sendJsonObject(body)).await();
        }

        @Override
        public void close() {
            vertx.close().await();
            if (database != null) {
                database.close();
            }
        }
    }

    @Test
    void aRestartKeepsRecordsDestroyedRecordsAndTheGeneratedSecret(@TempDir Path dataDir) {
        String token;
        long keeper;
        try (Running first = Running.start(dataDir)) {
            Pool sql = PgBuilder.pool().connectingTo(first.database().connectOptions()).using(first.vertx()).build();
            for (String durable : List.of("synchronous_commit", "fsync")) {
                assertEquals("on", sql.query("SHOW " + durable).execute().await().iterator().next().getString(0),
                        "the embedded database answers a commit only once it is on disk: " + durable);
            }
            sql.close().await();
            token = first.herald().auth().mint("admin", List.of("*:*"), 600).orElseThrow();
            assertEquals(200, first.call(HttpMethod.DELETE, "/pony/4", null, token).statusCode());
            keeper = first.call(HttpMethod.POST, "/pony", new JsonObject().put("name", "Keeper"), token)
                    .bodyAsJsonObject().getLong("id");
        }
        assertTrue(Files.exists(dataDir.resolve("jwt-secret")));
        assertTrue(Files.isDirectory(dataDir.resolve("postgres")));

        try (Running second = Running.start(dataDir)) {
            var kept = second.call(HttpMethod.GET, "/pony/" + keeper, null, token);
            assertEquals(200, kept.statusCode(), "a token from before the restart is still valid");
            assertEquals("Keeper", kept.bodyAsJsonObject().getString("name"));
            assertEquals(404, second.call(HttpMethod.GET, "/pony/4", null, token).statusCode(),
                    "demo records are seeded once, not again after a restart");
            assertEquals(5, second.call(HttpMethod.GET, "/pony", null, token).bodyAsJsonArray().size());
        }
    }

    @Test
    void anEmbeddedDataDirOfAnEarlierVersionIsLockedDownAndKeepsItsRecords(@TempDir Path dataDir) throws Exception {
        String token;
        long keeper;
        // how earlier versions ran it: initdb's trust authentication, Herald's tables owned by postgres in database postgres
        EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dataDir.resolve("postgres")).setCleanDataDirectory(false)
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start();
        try (Running first = Running.start(dataDir, null, new PgConnectOptions().setHost("127.0.0.1").setPort(old.getPort())
                .setDatabase("postgres").setUser("postgres").setPassword("postgres"))) {
            token = first.herald().auth().mint("admin", List.of("*:*"), 600).orElseThrow();
            assertEquals(200, first.call(HttpMethod.DELETE, "/pony/4", null, token).statusCode());
            keeper = first.call(HttpMethod.POST, "/pony", new JsonObject().put("name", "Keeper"), token)
                    .bodyAsJsonObject().getLong("id");
        } finally {
            old.close();
        }

        try (Running upgraded = Running.start(dataDir)) {
            assertEquals("Keeper", upgraded.call(HttpMethod.GET, "/pony/" + keeper, null, token).bodyAsJsonObject().getString("name"));
            assertEquals(404, upgraded.call(HttpMethod.GET, "/pony/4", null, token).statusCode());
            assertEquals(200, upgraded.call(HttpMethod.POST, "/pony", new JsonObject().put("name", "Newcomer"), token).statusCode(),
                    "the role can still write: the tables and their sequences are its own");
            assertEquals(200, upgraded.call(HttpMethod.DELETE, "/pony/" + keeper, null, token).statusCode());

            PgConnectOptions app = upgraded.database().connectOptions();
            assertEquals("herald", app.getUser());
            PgConnection role = PgConnection.connect(upgraded.vertx(), app).await();
            assertEquals(0L, role.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> current_user")
                    .execute().await().iterator().next().getLong(0), "every table changed hands");
            assertEquals(false, role.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").execute().await()
                    .iterator().next().getBoolean(0));
            role.close().await();

            Path pgData = dataDir.resolve("postgres");
            var tcp = new InetSocketAddress(InetAddress.getLoopbackAddress(), PgWire.port(pgData));
            for (var address : List.of(tcp, PgWire.unixSocket(pgData))) {
                assertEquals(PgWire.AUTHENTICATION_SASL, PgWire.startup(address, "postgres", "postgres").authentication(),
                        "postgres must give a password over " + address + " now");
            }
            PgException refused = assertThrows(PgException.class, () -> PgConnection.connect(upgraded.vertx(), new PgConnectOptions(app)
                    .setUser("postgres").setDatabase("postgres").setPassword("postgres")).await());
            assertEquals("28P01", refused.getSqlState());
        }
    }

    @Test
    void aLostSuperuserPasswordStopsStartUpSayingHowToRecoverAndTheRecoveryKeepsTheRecords(@TempDir Path dataDir) throws Exception {
        String token;
        long keeper;
        try (Running first = Running.start(dataDir)) {
            token = first.herald().auth().mint("admin", List.of("*:*"), 600).orElseThrow();
            keeper = first.call(HttpMethod.POST, "/pony", new JsonObject().put("name", "Keeper"), token)
                    .bodyAsJsonObject().getLong("id");
        }
        Files.delete(dataDir.resolve("pg-postgres-password"));

        ConfigException refused = assertThrows(ConfigException.class, () -> Database.open(Running.config(dataDir)));
        assertTrue(refused.getMessage().contains("pg-postgres-password is missing"), refused.getMessage());
        assertTrue(refused.getMessage().contains("delete " + dataDir.resolve("postgres").resolve("pg_hba.conf")), refused.getMessage());

        Files.delete(dataDir.resolve("postgres").resolve("pg_hba.conf"));
        try (Running recovered = Running.start(dataDir)) {
            assertEquals("Keeper", recovered.call(HttpMethod.GET, "/pony/" + keeper, null, token).bodyAsJsonObject().getString("name"));
        }
        assertTrue(Files.exists(dataDir.resolve("pg-postgres-password")), "a new superuser password was set");
    }
}
