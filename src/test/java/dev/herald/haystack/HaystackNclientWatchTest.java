package dev.herald.haystack;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.NodePackages;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Herald's watch ops with the unmodified {@code haystack-nclient} 4.0.4 (on {@code haystack-core}
 * 3.0.13) in Node, through the library's own watch API ({@code client.ops.watch.make}, its poll
 * timer, its diffing into {@code changed} events, {@code watch.close()}). The packages are installed
 * from npm into {@code target/} on first use; without Node.js and npm this test fails.
 *
 * <p>The library is used exactly as shipped: it speaks Zinc ({@code Content-Type: text/zinc}, answers
 * read as Zinc), which Herald reads and answers. It reports the change, and takes Herald's
 * {@code removed} row as a change that removes every tag and adds the marker {@code removed} (it has
 * no notion of a deleted record).
 */
@Tier.Component
class HaystackNclientWatchTest {
    private static final Path CLIENT_DIR = Path.of("target", "haystack-watch-client");
    private static final Path SOURCES = Path.of("src", "test", "js", "haystack-watch");
    /** A guard against a hung client, not a speed check: the client polls once a second. */
    private static final long LINE_TIMEOUT_SECONDS = 90;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    @BeforeAll
    static void installClient() throws IOException, InterruptedException {
        NodePackages.install(SOURCES, CLIENT_DIR.getFileName().toString(), List.of("package.json", "watch-client.js"),
                Map.of("haystack-core", "3.0.13", "haystack-nclient", "4.0.4"));
    }

    private static JsonObject grid(JsonObject meta, List<String> cols, JsonObject... rows) {
        JsonArray columns = new JsonArray();
        cols.forEach(c -> columns.add(new JsonObject().put("name", c)));
        return new JsonObject().put("meta", meta.copy().put("ver", "3.0")).put("cols", columns)
                .put("rows", new JsonArray(List.of((Object[]) rows)));
    }

    private static JsonObject ok(String op, JsonObject body) {
        HttpResponse<Buffer> response = node.call(HttpMethod.POST, "/api/" + op, body);
        assertEquals(200, response.statusCode(), op + ": " + response.bodyAsString());
        return response.bodyAsJsonObject();
    }

    /** The client's stdout, line by line, read on a thread of its own. */
    private static final class Lines {
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();

        Lines(Process process) {
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        queue.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
                queue.add("\u0000EOF");
            }, "haystack-watch-client");
            reader.setDaemon(true);
            reader.start();
        }

        /** The next line starting with {@code tag}, as JSON (or {} when it carries nothing). */
        JsonObject next(String tag) throws InterruptedException {
            return next(tag, j -> true);
        }

        JsonObject next(String tag, Predicate<JsonObject> wanted) throws InterruptedException {
            while (true) {
                String line = queue.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (line == null || line.equals("\u0000EOF")) {
                    throw new AssertionError((line == null ? "no line for " + LINE_TIMEOUT_SECONDS + " s" : "the client ended")
                            + " before printing " + tag + "; it printed:\n" + String.join("\n", seen));
                }
                seen.add(line);
                if (line.startsWith("FAILED")) {
                    throw new AssertionError(line + "\n" + String.join("\n", seen));
                }
                if (line.equals(tag) || line.startsWith(tag + " ")) {
                    JsonObject json = line.equals(tag) ? new JsonObject() : new JsonObject(line.substring(tag.length() + 1));
                    if (wanted.test(json)) {
                        return json;
                    }
                }
            }
        }

        List<JsonObject> all(String tag) {
            return seen.stream().filter(l -> l.startsWith(tag + " ")).map(l -> new JsonObject(l.substring(tag.length() + 1))).toList();
        }
    }

    private static boolean polledWith(JsonObject poll, String id) {
        return poll.getJsonArray("rows").stream().anyMatch(r -> id.equals(((JsonObject) r).getString("id")));
    }

    @Test
    void haystackNclientsWatchSeesTheChangeAndTheRemovedRowOnceAndClosesTheWatch() throws Exception {
        String changed = UUID.randomUUID().toString();
        String deleted = UUID.randomUUID().toString();
        String unwatched = UUID.randomUUID().toString();
        ok("createRec", grid(new JsonObject(), List.of("id", "dis", "temp"),
                new JsonObject().put("id", "r:" + changed).put("dis", "s:Alpha").put("temp", "n:70 °F"),
                new JsonObject().put("id", "r:" + deleted).put("dis", "s:Beta").put("temp", "n:1"),
                new JsonObject().put("id", "r:" + unwatched).put("dis", "s:Gamma")));

        Process client = new ProcessBuilder("node", "watch-client.js", "http://127.0.0.1:" + node.port(), node.adminToken(), changed, deleted)
                .directory(CLIENT_DIR.toFile()).redirectErrorStream(true).start();
        try (OutputStream stdin = client.getOutputStream()) {
            Lines lines = new Lines(client);

            // as shipped: Zinc out, Zinc (or Hayson) expected back
            JsonObject wire = lines.next("WIRE");
            assertEquals("text/zinc", wire.getString("contentType"), wire.encode());
            assertEquals(200, wire.getInteger("status"), wire.encode());
            assertTrue(wire.getString("answer").startsWith("text/zinc"), "Herald answered the library in Zinc: " + wire.encode());

            JsonObject opened = lines.next("OPENED");
            assertEquals(new JsonArray().add(new JsonObject().put("id", changed).put("dis", "Alpha"))
                    .add(new JsonObject().put("id", deleted).put("dis", "Beta")), opened.getJsonArray("rows"));
            lines.next("READY");

            ok("updateRec", grid(new JsonObject(), List.of("id", "temp"), new JsonObject().put("id", "r:" + changed).put("temp", "n:72.5 °F")));
            ok("updateRec", grid(new JsonObject(), List.of("id", "temp"), new JsonObject().put("id", "r:" + unwatched).put("temp", "n:5")));
            ok("deleteRec", grid(new JsonObject(), List.of("id"), new JsonObject().put("id", "r:" + deleted)));

            JsonObject change = lines.next("CHANGED", c -> c.getString("id").equals(changed));
            assertEquals(new JsonArray().add(new JsonObject().put("name", "temp").put("value", "72.5°F").put("oldValue", "70°F")),
                    change.getJsonArray("changed"), change.encode());
            JsonObject removal = lines.next("CHANGED", c -> c.getString("id").equals(deleted));
            assertEquals(new JsonArray().add(new JsonObject().put("name", "removed").put("value", "M")), removal.getJsonArray("added"),
                    "the library takes the removed row as a change: the marker removed is added... " + removal.encode());
            assertEquals(new JsonArray().add(new JsonObject().put("name", "dis").put("value", "\"Beta\"")).add(new JsonObject().put("name", "temp").put("value", "1")),
                    removal.getJsonArray("removed"), "...and every other tag removed");
            assertEquals("{id:@" + deleted + " removed}", removal.getString("row"), "the row the library keeps for it");

            List<JsonObject> polls = lines.all("POLL");
            int removedIn = polls.size();
            lines.next("POLL", p -> p.getInteger("n") >= removedIn + 2);
            polls = lines.all("POLL");
            long removedRows = polls.stream().flatMap(p -> p.getJsonArray("rows").stream())
                    .filter(r -> deleted.equals(((JsonObject) r).getString("id"))).count();
            assertEquals(1, removedRows, "the deleted entity came back once, then left the watch: " + polls);
            assertTrue(polls.stream().flatMap(p -> p.getJsonArray("rows").stream())
                    .filter(r -> deleted.equals(((JsonObject) r).getString("id"))).allMatch(r -> ((JsonObject) r).getBoolean("removed")));
            assertFalse(polls.stream().anyMatch(p -> polledWith(p, unwatched)), "an unwatched entity never comes back: " + polls);
            assertTrue(polls.subList(removedIn, polls.size()).stream().noneMatch(p -> polledWith(p, deleted) || polledWith(p, changed)),
                    "nothing changed after: " + polls);

            stdin.write("close\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            JsonObject closed = lines.next("CLOSED");
            assertEquals(200, closed.getInteger("status"), "the library's watchUnsub close: " + closed.encode());
            assertTrue(client.waitFor(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals(0, client.exitValue(), String.join("\n", lines.seen));

            HttpResponse<Buffer> gone = node.call(HttpMethod.POST, "/api/watchPoll",
                    grid(new JsonObject().put("watchId", "s:" + closed.getString("watchId")), List.of("empty")));
            assertEquals(400, gone.statusCode(), gone.bodyAsString());
            assertTrue(gone.bodyAsJsonObject().getJsonObject("meta").getString("dis").contains("Unknown watch"));
        } finally {
            client.destroyForcibly();
        }
    }
}
