package dev.herald.it;

import dev.herald.testing.Browser;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.Tier;
import dev.herald.testing.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser client and the console across a kill -9 of their node and its restart on the same port
 * (twice: the second time the log no longer reaches back, and the page hears resync),
 * while another node on the same database carries on: the page sees every notification exactly once,
 * in order (the ones made while it was away replayed), and the console, opened from the link the node
 * printed, shows connected, reconnecting, connected and catches up by itself. Both nodes run the built
 * jar on the demo models.
 */
@Tier.Integration
class BrowserResumeIT {
    private static final String SECRET = "browser-secret-browser-secret-browser-secret";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ADMIN = Tokens.admin(SECRET);

    @RegisterExtension
    static final Browser browser = new Browser();

    private final List<ServerProcess> processes = new ArrayList<>();
    private io.vertx.pgclient.PgConnectOptions database;
    private Map<String, String> env;
    private String consoleLink;

    private int start(int port) throws Exception {
        Map<String, String> nodeEnv = new HashMap<>(env);
        nodeEnv.put("HERALD_HTTP_PORT", String.valueOf(port));
        nodeEnv.put("HERALD_DATA_DIR", Files.createTempDirectory("herald-browser").toString());
        ServerProcess process = ServerProcess.start(nodeEnv);
        processes.add(process);
        int listening = process.awaitPort();
        consoleLink = process.awaitLine(l -> l.startsWith("console: ")).substring("console: ".length());
        ClusterNodes.awaitHealth(listening, 1);
        return listening;
    }

    private static JsonObject call(int port, String method, String path, JsonObject body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), method + " " + path + ": " + response.body());
        return new JsonObject(response.body());
    }

    @Test
    void aPageSeesEachNotificationOnceAcrossAKillAndARestartOnTheSamePort() throws Exception {
        database = TestDatabase.freshDatabase();
        env = Map.of("HERALD_PG_URL", TestDatabase.url(database), "HERALD_JWT_SECRET", SECRET,
                "HERALD_HTTP_HOST", "127.0.0.1", "HERALD_DEMO_DATA", "true");
        try {
            int a = start(0);
            String printedLink = consoleLink;
            int b = start(0);
            List<Long> ponies = new ArrayList<>();
            for (String name : List.of("Blossom", "Bubbles", "Buttercup", "Mojo")) {
                ponies.add(call(b, "POST", "/pony", new JsonObject().put("name", name)).getLong("id"));
            }
            WebDriver driver = browser.driver();
            String page = driver.getWindowHandle();
            openClient(a, ponies);
            driver.switchTo().newWindow(WindowType.WINDOW);
            String console = driver.getWindowHandle();
            openConsole(printedLink);

            call(b, "DELETE", "/pony/" + ponies.get(0), null);
            // the last message before the kill is of a record still subscribed: a resume from just before it
            // would deliver it twice but for the client's dropping of seqs already delivered
            call(b, "PATCH", "/pony/" + ponies.get(3), new JsonObject().put("hobby", "plotting"));
            driver.switchTo().window(page);
            messagesOnceThereAre(2);

            processes.get(0).kill();
            browser.await("the page reconnecting", d -> browser.script("return t.statuses").equals(List.of("connected", "reconnecting")));
            driver.switchTo().window(console);
            browser.await("the console reconnecting", d -> status().equals("reconnecting"));

            call(b, "DELETE", "/pony/" + ponies.get(1), null);
            call(b, "DELETE", "/pony/" + ponies.get(2), null);
            call(b, "PATCH", "/pony/" + ponies.get(3), new JsonObject().put("hobby", "world domination"));
            long toy = call(b, "POST", "/toy", new JsonObject().put("label", "found while away")).getLong("id");

            assertEquals(a, start(a), "the node comes back on its port");

            browser.await("the console connected again", d -> status().equals("connected"));
            for (long gone : ponies.subList(0, 3)) {
                browser.await("pony " + gone + " removed from the console", d -> browser.findAll(
                        "tr[data-herald-model='pony'][data-herald-id='" + gone + "']").isEmpty());
            }
            browser.await("the console caught up on the update", d -> browser.find("tr[data-herald-model='pony'][data-herald-id='"
                    + ponies.get(3) + "'] td[data-herald-attribute='hobby']").getText().equals("world domination"));
            assertEquals(List.of("reconnecting", "connected"), browser.script("return statusHistory"));
            browser.screenshot(Path.of("target", "browser-screenshots", "console-after-restart.png"));

            driver.switchTo().window(page);
            messagesOnceThereAre(6);
            call(b, "DELETE", "/pony/" + ponies.get(3), null);
            call(b, "PATCH", "/toy/" + toy, new JsonObject().put("label", "returned"));
            JsonArray messages = messagesOnceThereAre(8);

            assertEquals(List.of("destroyed " + ponies.get(0), "updated " + ponies.get(3),
                    "destroyed " + ponies.get(1), "destroyed " + ponies.get(2),
                    "updated " + ponies.get(3), "created " + toy, "destroyed " + ponies.get(3), "updated " + toy),
                    messages.stream().map(m -> ((JsonObject) m).getString("verb") + " " + ((JsonObject) m).getValue("id")).toList(),
                    "each notification once, in order: " + messages.encode());
            long previous = -1;
            for (Object m : messages) {
                long seq = Long.parseLong(((JsonObject) m).getString("seq"));
                assertTrue(seq > previous, "seqs strictly increase: " + messages.encode());
                previous = seq;
            }
            assertEquals(List.of(), browser.script("return t.resyncs"), "nothing was lost: no resync");
            assertEquals(List.of("connected", "reconnecting", "connected"), browser.script("return t.statuses"));

            // history lost while the page is away (retention removed what it would replay): it hears resync, not the change
            processes.get(2).kill();
            browser.await("the page reconnecting again", d -> ((List<?>) browser.script("return t.statuses")).size() == 4);
            call(b, "PATCH", "/toy/" + toy, new JsonObject().put("label", "changed while the log forgot"));
            pruneEverything();
            assertEquals(a, start(a), "the node comes back on its port again");
            browser.await("a resync in the page", d -> !((List<?>) browser.script("return t.resyncs")).isEmpty());
            JsonArray resyncs = new JsonArray((String) browser.script("return JSON.stringify(t.resyncs)"));
            assertTrue(resyncs.stream().anyMatch(r -> "toy".equals(((JsonObject) r).getString("model"))), resyncs.encode());
            assertEquals(List.of("connected", "reconnecting", "connected", "reconnecting", "connected"), browser.script("return t.statuses"));
            assertEquals(8, ((Number) browser.script("return t.messages.length")).intValue(), "nothing replayed after a resync");
        } finally {
            for (ServerProcess p : processes) {
                p.close();
            }
        }
    }

    /** As retention would: the log no longer reaches back before its last position. */
    private void pruneEverything() {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            io.vertx.sqlclient.Pool pool = io.vertx.pgclient.PgBuilder.pool().connectingTo(database).using(vertx).build();
            pool.query("UPDATE herald_meta SET value = (SELECT max(last) FROM herald_log)::text WHERE key = 'log.pruned'").execute().await();
            pool.close().await();
        } finally {
            vertx.close().await();
        }
    }

    private void openClient(int port, List<Long> ponies) {
        browser.driver().get("http://127.0.0.1:" + port + "/health");
        Object ready = browser.asyncScript("""
                const [token, ponies, done] = arguments;
                import('/_herald/herald.js').then(({ connect }) => {
                  const t = window.t = { messages: [], statuses: [], resyncs: [] };
                  t.h = connect({ token });
                  t.h.on('status', s => t.statuses.push(s));
                  t.h.on('resync', r => t.resyncs.push(r));
                  const receive = m => t.messages.push(m);
                  Promise.all([t.h.subscribe('pony', ponies, receive).ready, t.h.watch('toy', receive).ready])
                    .then(() => done(true), e => done(String(e)));
                }, e => done(String(e)));
                """, ADMIN, ponies);
        assertEquals(true, ready, "the page subscribed: " + ready);
    }

    /** The link the node printed, as a person opens it. */
    private void openConsole(String link) {
        browser.driver().get(link);
        browser.await("the console connected", d -> status().equals("connected"));
        browser.script("""
                window.statusHistory = [];
                const status = document.querySelector('[data-herald-status]');
                new MutationObserver(() => statusHistory.push(status.textContent))
                  .observe(status, { childList: true, characterData: true, subtree: true });
                """);
    }

    private String status() {
        return browser.find("[data-herald-status]").getText();
    }

    private JsonArray messagesOnceThereAre(int count) {
        browser.await(count + " message(s) in the page", d -> ((Number) browser.script("return t.messages.length")).intValue() >= count);
        return new JsonArray((String) browser.script("return JSON.stringify(t.messages)"));
    }
}
