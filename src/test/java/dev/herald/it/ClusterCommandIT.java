package dev.herald.it;

import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cluster.md, "A cluster on one machine, in one command": one command, two nodes, a destroy on one reaches a socket on the other. */
@Tier.Integration
class ClusterCommandIT {
    private static final Pattern TOKEN = Pattern.compile("\\[node \\d] {3}ey.*");

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void theClusterCommandRunsNodesThatShareDatabaseSecretAndNotifications(@TempDir Path dataDir) throws Exception {
        int first = Math.min(freePort(), 64_000);
        Map<String, String> env = Map.of("HERALD_DATA_DIR", dataDir.toString(), "HERALD_HTTP_HOST", "127.0.0.1",
                "HERALD_CLUSTER_NAME", "herald-cmd-" + UUID.randomUUID(), "HERALD_CLUSTER_PORT", String.valueOf(freePort()));
        Vertx vertx = Vertx.vertx();
        try (ServerProcess cluster = ServerProcess.start(env, "cluster", "2", "--port", String.valueOf(first))) {
            // the two nodes start together: their lines interleave in any order
            int listening = 0;
            String token = null;
            while (listening < 2 || token == null) {
                String line = cluster.awaitLine(l -> l.startsWith("[node ") && (l.contains("listening on port") || TOKEN.matcher(l).matches()));
                if (line.contains("listening on port")) {
                    listening++;
                } else if (token == null) {
                    token = line.replaceFirst("\\[node \\d] +", "");
                }
            }
            ClusterNodes.awaitHealth(first, 2);
            ClusterNodes.awaitHealth(first + 1, 2);

            try (TestSocket onSecond = TestSocket.connect(vertx, first + 1, "access_token=" + token)) {
                JsonObject subscribed = onSecond.ask("herald.subscribe",
                        new JsonObject().put("model", "pony").put("ids", new JsonArray().add(4)), null);
                assertEquals(new JsonArray().add(4), subscribed.getJsonObject("body").getJsonArray("subscribed"));

                HttpResponse<String> destroyed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + first + "/pony/4")).DELETE()
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, destroyed.statusCode(), "a token printed by one node works on the other");

                JsonObject message = onSecond.await(f -> "pony".equals(f.getString("address"))).getJsonObject("body");
                assertEquals(new JsonObject().put("verb", "destroyed").put("id", 4).put("previous", new JsonObject(destroyed.body())),
                        message);
            }
            cluster.terminate();
            assertEquals(0, cluster.awaitExit(60), "SIGTERM stops the command: " + cluster.log());
            for (String node : List.of("[node 1]", "[node 2]")) {
                assertTrue(cluster.log().stream().anyMatch(l -> l.startsWith(node) && l.contains("drained in")),
                        node + " was drained: " + cluster.log());
            }
        } finally {
            vertx.close().await();
        }
    }
}
