package dev.herald;

import dev.herald.cluster.Cluster;
import dev.herald.config.HeraldConfig;
import dev.herald.database.Database;
import dev.herald.models.ModelsLoader;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded PostgreSQL keeps its data in HERALD_DATA_DIR: a restart finds the records and the secret. */
class RestartTest {

    private record Running(Vertx vertx, Database database, Herald herald, WebClient client) implements AutoCloseable {
        static Running start(Path dataDir) {
            HeraldConfig config = HeraldConfig.fromEnv(Map.of("HERALD_DATA_DIR", dataDir.toString(),
                    "HERALD_HTTP_PORT", "0", "HERALD_HTTP_HOST", "127.0.0.1"));
            Database database = Database.open(config);
            Vertx vertx = Vertx.vertx();
            Herald herald = Herald.start(Cluster.standalone(vertx), config, ModelsLoader.loadDemo(), database.connectOptions()).await();
            return new Running(vertx, database, herald, WebClient.create(vertx));
        }

        HttpResponse<Buffer> call(HttpMethod method, String uri, JsonObject body, String token) {
            var request = client.request(method, herald.port(), "127.0.0.1", uri).putHeader("Authorization", "Bearer " + token);
            return (body == null ? request.send() : request.sendJsonObject(body)).await();
        }

        @Override
        public void close() {
            vertx.close().await();
            database.close();
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
}
