package dev.herald.it;

import dev.herald.testing.Tier;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's run command, followed as a new user would: start, read the token, destroy Pinkie Pie. */
@Tier.Integration
class ServerJarIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> send(String method, int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theJarStartsPrintsAnAdminTokenAndDestroysPinkiePie(@TempDir Path dataDir) throws Exception {
        Map<String, String> env = Map.of("HERALD_DATA_DIR", dataDir.toString(), "HERALD_HTTP_PORT", "0",
                "HERALD_HTTP_HOST", "127.0.0.1");
        try (ServerProcess server = ServerProcess.start(env)) {
            int port = server.awaitPort();
            server.awaitLine(l -> l.startsWith("admin token"));
            String adminToken = server.awaitLine(l -> l.startsWith("  ey")).strip();
            assertEquals("console: http://localhost:" + port + "/_herald/console/#token=" + adminToken,
                    server.awaitLine(l -> l.startsWith("console: ")), "a link that signs the console in");

            assertEquals(200, send("GET", port, "/health", null).statusCode());
            HttpResponse<String> destroyed = send("DELETE", port, "/pony/4", adminToken);
            assertEquals(200, destroyed.statusCode(), destroyed.body());
            JsonObject pinkie = new JsonObject(destroyed.body());
            assertEquals("Pinkie Pie", pinkie.getString("name"));
            assertEquals("kickin", pinkie.getString("hobby"));
            assertEquals(4, pinkie.getInteger("id"));
            assertTrue(pinkie.getLong("createdAt") > 0 && pinkie.getLong("updatedAt") >= pinkie.getLong("createdAt"));
            assertEquals(404, send("DELETE", port, "/pony/4", adminToken).statusCode());

            ServerProcess.Result minted = ServerProcess.run(Map.of("HERALD_DATA_DIR", dataDir.toString()),
                    "token", "--sub", "alice", "--permissions", "pony:read,pony:destroy");
            assertEquals(0, minted.status(), minted.stderr());
            List<String> lines = minted.stdout().lines().toList();
            assertEquals(1, lines.size(), "the token alone on stdout");
            String alice = lines.get(0);
            assertEquals(200, send("DELETE", port, "/pony/3", alice).statusCode());
            assertEquals(403, send("DELETE", port, "/toy/1", alice).statusCode());
        }
    }

    @Test
    void malformedConfigurationStopsStartUpNamingTheVariable() throws Exception {
        ServerProcess.Result result = ServerProcess.run(Map.of("HERALD_HTTP_PORT", "eighty"));
        assertEquals(2, result.status());
        assertTrue(result.stderr().contains("HERALD_HTTP_PORT=eighty is not a whole number"), result.stderr());
    }

    @Test
    void aBrokenModelsFileStopsStartUpNamingFileModelAndAttribute(@TempDir Path dir) throws Exception {
        Path models = dir.resolve("models.yaml");
        Files.writeString(models, "pony:\n  attributes:\n    owner: { model: usr }\n");
        ServerProcess.Result result = ServerProcess.run(Map.of("HERALD_MODELS", models.toString(),
                "HERALD_DATA_DIR", dir.resolve("data").toString()));
        assertEquals(2, result.status());
        assertTrue(result.stderr().contains(models + ": model 'pony', attribute 'owner': association to unknown model 'usr'"),
                result.stderr());
    }

    @Test
    void theTokenCommandRefusesBadArguments(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("HERALD_DATA_DIR", dir.toString());
        assertEquals(2, ServerProcess.run(env, "token", "--permissions", "pony:read").status(), "--sub is required");
        ServerProcess.Result bad = ServerProcess.run(env, "token", "--sub", "a", "--permissions", "pony:eat");
        assertEquals(2, bad.status());
        assertTrue(bad.stderr().contains("permission 'pony:eat'"), bad.stderr());
        assertEquals(2, ServerProcess.run(env, "frobnicate").status());
    }
}
