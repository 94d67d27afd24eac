package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end with the unmodified {@code @vertx/eventbus-bridge-client.js} on {@code sockjs-client} in
 * Node, over each SockJS transport. The packages are installed from npm into {@code target/} on first use.
 */
@Tier.Component
class StockClientTest {
    private static final Path CLIENT_DIR = Path.of("target", "stock-client");

    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    private static boolean nodeJs;

    @BeforeAll
    static void installClientIfNodeJs() throws IOException, InterruptedException {
        nodeJs = commandWorks("node", "--version") && commandWorks("npm", "--version");
        if (nodeJs) {
            installClient();
        }
    }

    @BeforeEach
    void needsNodeJs() {
        Assumptions.assumeTrue(nodeJs, "Node.js and npm are not on the PATH: this end-to-end test needs them (README, Tests)");
    }

    private static boolean commandWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void installClient() throws IOException, InterruptedException {
        Files.createDirectories(CLIENT_DIR);
        Files.copy(Path.of("src/test/js/package.json"), CLIENT_DIR.resolve("package.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of("src/test/js/stock-client.js"), CLIENT_DIR.resolve("stock-client.js"), StandardCopyOption.REPLACE_EXISTING);
        if (Files.isDirectory(CLIENT_DIR.resolve("node_modules/@vertx/eventbus-bridge-client.js"))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(CLIENT_DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(npm.waitFor(5, TimeUnit.MINUTES), "npm install did not finish");
        assertEquals(0, npm.exitValue(), "npm install failed: " + output);
    }

    @ParameterizedTest
    @CsvSource({"websocket, 4", "xhr-streaming, 1", "xhr-polling, 5"})
    void theStockClientSeesTheDestroyedMessage(String transport, long pony) throws Exception {
        Process client = new ProcessBuilder("node", "stock-client.js", "http://127.0.0.1:" + node.port(), node.adminToken(),
                transport, String.valueOf(pony)).directory(CLIENT_DIR.toFile()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            JsonObject subscribed = new JsonObject(nextLine(out, "SUBSCRIBED "));
            assertEquals(new io.vertx.core.json.JsonArray().add(pony), subscribed.getJsonArray("subscribed"));
            assertEquals(new io.vertx.core.json.JsonArray(), subscribed.getJsonArray("notFound"));
            long from = Long.parseLong(subscribed.getString("seq"));

            var response = node.delete("/pony/" + pony);
            assertEquals(200, response.statusCode());

            String seq = new io.vertx.core.json.JsonArray("[" + nextLine(out, "SEQ ") + "]").getString(0);
            assertTrue(seq != null && seq.matches("[0-9]+") && Long.parseLong(seq) > from,
                    "msg.headers.seq is the notification's log position, after the subscribe's: " + seq + " vs " + from);
            JsonObject message = new JsonObject(nextLine(out, "MESSAGE "));
            assertEquals(new JsonObject().put("verb", "destroyed").put("id", pony).put("previous", response.bodyAsJsonObject()), message);
            assertTrue(client.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, client.exitValue());
        } finally {
            client.destroyForcibly();
        }
    }

    private static String nextLine(BufferedReader out, String prefix) throws IOException {
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
            if (line.startsWith("FAILED")) {
                throw new AssertionError(line + "\n" + seen);
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("client ended before printing " + prefix + "\n" + seen);
    }
}
