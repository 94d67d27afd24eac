package dev.herald.metrics;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} as Prometheus' own tools see it (DESIGN §10): {@code promtool check metrics} finds
 * nothing wrong with Herald's families, and a real Prometheus server scrapes a node. Both tools come
 * from Debian's {@code prometheus} package, which {@code .ci/run} installs: without them these tests fail.
 */
@Tier.Component
class PrometheusTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    private static String scrape() {
        HttpResponse<Buffer> response = node.call(HttpMethod.GET, "/metrics", null, null);
        assertEquals(200, response.statusCode());
        return response.bodyAsString();
    }

    private record Run(int status, String output) {
    }

    /** Runs a tool of the prometheus package with {@code input} on its stdin. */
    private static Run run(String input, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is missing: install Debian's prometheus package (.ci/run does)", e);
        }
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(List.of(command) + " did not finish");
        }
        return new Run(p.exitValue(), output);
    }

    @Test
    void promtoolFindsNothingWrongWithHeraldsFamilies() throws Exception {
        assertEquals(200, node.delete("/pony/4").statusCode());
        String text = scrape();
        Run all = run(text, "promtool", "check", "metrics");
        List<String> aboutHerald = all.output().lines().filter(l -> l.contains("herald_")).toList();
        assertEquals(List.of(), aboutHerald, "promtool on the whole scrape:\n" + all.output());

        String herald = text.lines().filter(l -> l.contains(" herald_") || l.startsWith("herald_"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertTrue(herald.contains("# HELP herald_destroys_total "), herald);
        Run ours = run(herald, "promtool", "check", "metrics");
        assertEquals(0, ours.status(), "promtool on Herald's families:\n" + ours.output() + "\n" + herald);
        assertEquals("", ours.output().strip());
    }

    @Test
    void aPrometheusServerScrapesTheNode() throws Exception {
        long id = node.create("pony", new JsonObject().put("name", "scraped"));
        assertEquals(200, node.delete("/pony/" + id).statusCode());
        Path dir = Files.createTempDirectory("herald-prometheus");
        int port = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: herald
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(node.port()));
        Process prometheus;
        try {
            prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("prometheus is missing: install Debian's prometheus package (.ci/run does)", e);
        }
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            JsonArray up = awaitResult(http, port, "up{job=\"herald\"}", prometheus, dir);
            assertEquals("1", up.getJsonObject(0).getJsonArray("value").getString(1), "the target is up: " + up);
            JsonArray destroyed = awaitResult(http, port, "herald_destroys_total{job=\"herald\",model=\"pony\",outcome=\"ok\"}", prometheus, dir);
            assertTrue(Double.parseDouble(destroyed.getJsonObject(0).getJsonArray("value").getString(1)) >= 1, destroyed.encode());
            JsonObject target = get(http, port, "/api/v1/targets").getJsonObject("data").getJsonArray("activeTargets").getJsonObject(0);
            assertEquals("up", target.getString("health"), target.encode());
            assertEquals("", target.getString("lastError"), target.encode());
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            delete(dir);
        }
    }

    /** The non-empty result of an instant query, once Prometheus has scraped what it asks for (at most 60 s). */
    private static JsonArray awaitResult(HttpClient http, int port, String query, Process prometheus, Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!prometheus.isAlive()) {
                throw new AssertionError("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
            }
            try {
                JsonObject answer = get(http, port, "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
                JsonArray result = answer.getJsonObject("data").getJsonArray("result");
                if (!result.isEmpty()) {
                    return result;
                }
                last = answer.encode();
            } catch (IOException notListeningYet) {
                last = notListeningYet.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no result for " + query + " within 60 s; last answer " + last + "; log:\n"
                + Files.readString(dir.resolve("prometheus.log")));
    }

    private static JsonObject get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build();
        return new JsonObject(http.send(request, BodyHandlers.ofString()).body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
