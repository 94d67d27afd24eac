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

    /**
     * A first port P with P and P+1 both free now, below Linux's ephemeral range (32768 and up): a port
     * next to one the OS handed out may be taken next by any outgoing connection (a node's own database
     * connections took the second node's port once, and its start failed with "Address already in use").
     */
    private static int freeRangeOfTwo() throws Exception {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = 20_000 + random.nextInt(12_000);
            try (ServerSocket a = new ServerSocket(first, 50, java.net.InetAddress.getLoopbackAddress());
                 ServerSocket b = new ServerSocket(first + 1, 50, java.net.InetAddress.getLoopbackAddress())) {
                return first;
            } catch (java.io.IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no two free ports next to each other between 20000 and 32000");
    }

    @Test
    void theClusterCommandRunsNodesThatShareDatabaseSecretAndNotifications(@TempDir Path dataDir) throws Exception {
        int first = freeRangeOfTwo();
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
