package dev.herald.it;

import dev.herald.testing.Tier;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar as an operator runs it (DESIGN §10): {@code /metrics} without a token, and its log lines on
 * stderr, JSON objects with {@code HERALD_LOG_FORMAT=json} and the usual text lines otherwise, while
 * stdout keeps what a person reads.
 */
@Tier.Integration
class OperationsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** One data dir for both runs: the second starts on the first one's database, without another initdb. */
    @TempDir
    static Path dataDir;
    private static final Pattern TEXT_LINE = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO|WARNING|SEVERE|FINE) \\S+ - .*");

    private static Map<String, String> env(Path dataDir, String format) {
        return Map.of("HERALD_DATA_DIR", dataDir.toString(), "HERALD_HTTP_PORT", "0", "HERALD_HTTP_HOST", "127.0.0.1",
                "HERALD_LOG_FORMAT", format, "HERALD_TYPO", "x");
    }

    /** The stderr line that matches, once the process wrote it (stderr is read apart from stdout). */
    private static String awaitStderr(ServerProcess server, Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (String line : server.stderrTail()) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such line on stderr within 30 s: " + server.stderrTail());
    }

    private static JsonObject json(String line) {
        try {
            return new JsonObject(line);
        } catch (DecodeException e) {
            throw new AssertionError("not a JSON object: " + line, e);
        }
    }

    @Test
    void jsonLogsAreOneObjectPerLineOnStderrAndMetricsNeedNoToken() throws Exception {
        try (ServerProcess server = ServerProcess.startEmbedded(env(dataDir, "json"))) {
            String banner = server.awaitLine(l -> l.startsWith("Herald node "));
            String node = banner.split(" ")[2];
            int port = server.awaitPort();

            String up = awaitStderr(server, l -> l.contains(" is up: "));
            List<String> lines = server.stderrTail();
            assertFalse(lines.isEmpty());
            for (String line : lines) {
                JsonObject record = json(line);
                for (String field : List.of("time", "level", "logger", "message")) {
                    assertTrue(record.getValue(field) instanceof String, field + " in " + line);
                }
            }
            JsonObject upRecord = json(up);
            assertEquals("INFO", upRecord.getString("level"));
            assertEquals("dev.herald.Main", upRecord.getString("logger"));
            assertEquals(node, upRecord.getString("node"), "records name the node once it is known");
            JsonObject typo = json(awaitStderr(server, l -> l.contains("HERALD_TYPO")));
            assertEquals("WARN", typo.getString("level"));
            assertEquals("unknown variable HERALD_TYPO ignored (typo?)", typo.getString("message"));

            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("\nherald_sockets "), metrics.body());
            assertTrue(metrics.body().contains("\nvertx_http_server_active_connections"), "Vert.x reports in the jar too");
        }
    }

    @Test
    void malformedOperationsVariablesRefuseToStartNamingTheVariable() throws Exception {
        for (Map.Entry<String, String> bad : List.of(Map.entry("HERALD_LOG_FORMAT", "logfmt"), Map.entry("HERALD_LOG_FORMAT", "{\"json\"}"),
                Map.entry("HERALD_METRICS", "maybe"))) {
            ServerProcess.Result result = ServerProcess.run(Map.of(bad.getKey(), bad.getValue(), "HERALD_DATA_DIR", dataDir.toString()));
            assertEquals(2, result.status(), bad + ": " + result.stderr());
            assertEquals("herald: " + bad.getKey() + "=" + bad.getValue() + " is not " + (bad.getKey().equals("HERALD_METRICS")
                    ? "true or false" : "text or json"), result.stderr().strip(), "one plain line, whatever the format asked for");
        }
    }

    @Test
    void textLogsKeepTheirLines() throws Exception {
        try (ServerProcess server = ServerProcess.startEmbedded(env(dataDir, "text"))) {
            server.awaitPort();
            String up = awaitStderr(server, l -> l.contains(" is up: "));
            assertTrue(TEXT_LINE.matcher(up).matches(), up);
            assertTrue(up.contains(" INFO dev.herald.Main - node "), up);
            String typo = awaitStderr(server, l -> l.contains("HERALD_TYPO"));
            assertTrue(typo.matches(".* WARNING dev\\.herald\\.Main - unknown variable HERALD_TYPO ignored \\(typo\\?\\)"), typo);
            for (String line : server.stderrTail()) {
                assertFalse(line.startsWith("{"), "no JSON in text mode: " + line);
            }
        }
    }
}
