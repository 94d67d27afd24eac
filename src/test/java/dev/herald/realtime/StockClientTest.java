package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.NodePackages;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonObject;
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
import java.util.List;
import java.util.Map;
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

    @BeforeAll
    static void installClient() throws IOException, InterruptedException {
        NodePackages.install(Path.of("src", "test", "js"), "stock-client", List.of("package.json", "stock-client.js"),
                Map.of("@vertx/eventbus-bridge-client.js", "1.0.0", "sockjs-client", "1.6.1"));
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
