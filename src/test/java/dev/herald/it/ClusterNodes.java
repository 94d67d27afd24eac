package dev.herald.it;

import dev.herald.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Herald nodes as separate JVMs on the built jar, clustered over Hazelcast on loopback under a random
 * cluster name, sharing one fresh database on the test PostgreSQL and one JWT secret.
 */
final class ClusterNodes implements AutoCloseable {
    static final String SECRET = "cluster-secret-cluster-secret-cluster-secret";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, String> env = new HashMap<>();
    private final List<ServerProcess> processes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final PgConnectOptions database;

    ClusterNodes(String models) throws IOException {
        Path dir = Files.createTempDirectory("herald-cluster");
        Path modelsFile = dir.resolve("models.yaml");
        Files.writeString(modelsFile, models);
        env.put("HERALD_CLUSTER", "true");
        env.put("HERALD_CLUSTER_NAME", "herald-it-" + UUID.randomUUID());
        env.put("HERALD_CLUSTER_PORT", String.valueOf(freePortBase()));
        database = TestDatabase.freshDatabase();
        env.put("HERALD_PG_URL", TestDatabase.url(database));
        env.put("HERALD_JWT_SECRET", SECRET);
        env.put("HERALD_HTTP_PORT", "0");
        env.put("HERALD_HTTP_HOST", "127.0.0.1");
        env.put("HERALD_MODELS", modelsFile.toString());
        env.put("HERALD_DATA_DIR", dir.resolve("data").toString());
    }

    /** One more variable for the nodes started from now on. */
    void env(String name, String value) {
        env.put(name, value);
    }

    /** SIGTERM to one node; its exit status once it has drained and exited (at most {@code seconds} later). */
    int drain(int node, long seconds) throws InterruptedException {
        ServerProcess p = processes.get(node);
        p.terminate();
        return p.awaitExit(seconds);
    }

    /** A free port to start Hazelcast's search from (each node takes the next free one above it). */
    private static int freePortBase() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return Math.min(socket.getLocalPort(), 65_000);
        }
    }

    /** Starts {@code count} nodes together and waits until each reports UP with {@code expectedMembers}. */
    List<Integer> start(int count, int expectedMembers) throws Exception {
        List<ServerProcess> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ServerProcess p = ServerProcess.start(env);
            // known to close() at once, so that a start that fails below leaves no process behind
            processes.add(p);
            started.add(p);
        }
        List<Integer> newPorts = new ArrayList<>();
        for (ServerProcess p : started) {
            int port = p.awaitPort();
            ports.add(port);
            newPorts.add(port);
        }
        for (int port : newPorts) {
            awaitHealth(port, expectedMembers);
        }
        return newPorts;
    }

    static JsonObject health(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body()).put("httpStatus", r.statusCode());
    }

    static void awaitHealth(int port, int members) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonObject last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = health(port);
                if (last.getInteger("httpStatus") == 200 && last.getJsonObject("cluster").getInteger("members") == members) {
                    return;
                }
            } catch (IOException e) {
                last = new JsonObject().put("error", e.toString());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("node on port " + port + " not UP with " + members + " members: " + last);
    }

    /** The database the nodes share, for a test to look at (or lock) what they wrote. */
    PgConnectOptions database() {
        return new PgConnectOptions(database);
    }

    int port(int node) {
        return ports.get(node);
    }

    ServerProcess process(int node) {
        return processes.get(node);
    }

    /** kill -9 of one node (its JVM gets SIGKILL: no shutdown hook, no goodbye to the cluster); waits until it is gone. */
    void kill(int node) throws InterruptedException {
        processes.get(node).kill();
    }

    @Override
    public void close() throws InterruptedException {
        for (ServerProcess p : processes) {
            p.close();
        }
    }

    /** {@code count} ponies created over HTTP on the node at {@code port}; their ids. */
    static List<Long> createPonies(int port, String token, int count) throws IOException, InterruptedException {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pony"))
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("name", "p" + i).encode()))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("creating a pony: " + r.statusCode() + " " + r.body());
            }
            ids.add(new JsonObject(r.body()).getLong("id"));
        }
        return ids;
    }
}
