package dev.herald.metrics;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Scrape;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /metrics} (DESIGN §10): Prometheus text without a token, Vert.x's and the JVM's meters, and
 * Herald's own, whose values move as the contract says.
 */
@Tier.Component
class MetricsTest {
    static final String MODELS = """
            pony:
              attributes:
                name: { type: string }
                toys: { collection: toy, via: owner, onDestroy: restrict }
            toy:
              attributes:
                label: { type: string }
                owner: { model: pony }
            """;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels(MODELS);

    private static Scrape scrape() {
        HttpResponse<Buffer> response = node.call(HttpMethod.GET, "/metrics", null, null);
        assertEquals(200, response.statusCode(), response.bodyAsString());
        return new Scrape(response.bodyAsString());
    }

    private static double destroys(Scrape scrape, String outcome) {
        return scrape.value("herald_destroys_total", "model", "pony", "outcome", outcome);
    }

    private static long pony() {
        return node.create("pony", new JsonObject().put("name", "p"));
    }

    private static TestSocket socket() {
        return TestSocket.connect(node.vertx(), node.port(), null);
    }

    /** Gauges follow events this test cannot observe otherwise (a socket's close reaching the server). */
    private static void eventually(double expected, DoubleSupplier actual, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        double last = actual.getAsDouble();
        while (last != expected && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            last = actual.getAsDouble();
        }
        assertEquals(expected, last, what);
    }

    @Test
    void metricsNeedNoTokenAndArePrometheusTextWithVertxJvmAndHeraldFamilies() {
        node.get("/pony");
        HttpResponse<Buffer> response = node.call(HttpMethod.GET, "/metrics", null, null);
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.getHeader("content-type"));
        String text = response.bodyAsString();
        for (String family : List.of("herald_destroys_total counter", "herald_destroy_batch_size histogram",
                "herald_notifications_total counter", "herald_notification_delay_seconds histogram", "herald_sockets gauge",
                "herald_subscriptions gauge", "herald_log_seq gauge", "herald_resumes_total counter")) {
            assertTrue(text.contains("# TYPE " + family + "\n"), family + " in:\n" + text);
            assertTrue(text.contains("# HELP " + family.split(" ")[0] + " "), "HELP of " + family);
        }
        Scrape scrape = new Scrape(text);
        assertTrue(scrape.has("vertx_http_server_requests_total", "method", "GET", "code", "200"), "Vert.x HTTP server metrics");
        assertTrue(scrape.has("vertx_eventbus_handlers"), "Vert.x event-bus metrics");
        for (String pool : List.of("herald-records", "herald-entities", "herald-log")) {
            assertTrue(scrape.has("vertx_pool_in_use", "pool_type", "sql", "pool_name", pool), "Vert.x pool metrics of " + pool);
        }
        assertTrue(scrape.has("jvm_memory_used_bytes"), "JVM metrics");
        assertTrue(scrape.has("process_files_open_files"), "file descriptors");
        for (String outcome : List.of("ok", "not_found", "refused", "error")) {
            assertTrue(scrape.has("herald_destroys_total", "model", "pony", "outcome", outcome), outcome + " is there from the start");
            assertTrue(scrape.has("herald_destroys_total", "model", "entity", "outcome", outcome), "entity " + outcome);
        }
    }

    @Test
    void destroysAreCountedByOutcome() {
        long gone = pony();
        long parent = pony();
        node.post("/toy", new JsonObject().put("label", "ball").put("owner", parent));
        Scrape before = scrape();

        assertEquals(200, node.delete("/pony/" + gone).statusCode());
        assertEquals(404, node.delete("/pony/" + gone).statusCode());
        assertEquals(404, node.delete("/pony/999999").statusCode());
        assertEquals(409, node.delete("/pony/" + parent).statusCode());
        assertEquals(400, node.delete("/pony/not-a-number").statusCode());

        Scrape after = scrape();
        assertEquals(1, destroys(after, "ok") - destroys(before, "ok"));
        assertEquals(2, destroys(after, "not_found") - destroys(before, "not_found"));
        assertEquals(1, destroys(after, "refused") - destroys(before, "refused"));
        assertEquals(0, destroys(after, "error") - destroys(before, "error"), "a 400 is no destroy");
        assertEquals(0, after.value("herald_destroys_total", "model", "toy", "outcome", "ok")
                - before.value("herald_destroys_total", "model", "toy", "outcome", "ok"));
    }

    private static HttpResponse<Buffer> haystack(String op, String col, String... values) {
        JsonArray rows = new JsonArray();
        for (String v : values) {
            rows.add(new JsonObject().put(col, v));
        }
        JsonObject grid = new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                .put("cols", new JsonArray().add(new JsonObject().put("name", col))).put("rows", rows);
        return node.post("/api/" + op, grid);
    }

    private static double entities(Scrape scrape, String outcome) {
        return scrape.value("herald_destroys_total", "model", "entity", "outcome", outcome);
    }

    @Test
    void deleteRecCountsTheEntitiesItDeletedOrItsOneRefusal() {
        String parent = UUID.randomUUID().toString();
        String child = UUID.randomUUID().toString();
        String lone = UUID.randomUUID().toString();
        JsonObject rows = new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                .put("cols", new JsonArray().add(new JsonObject().put("name", "id")).add(new JsonObject().put("name", "siteRef")))
                .put("rows", new JsonArray()
                        .add(new JsonObject().put("id", "r:" + parent))
                        .add(new JsonObject().put("id", "r:" + child).put("siteRef", "r:" + parent))
                        .add(new JsonObject().put("id", "r:" + lone)));
        assertEquals(200, node.post("/api/createRec", rows).statusCode());
        Scrape before = scrape();

        assertEquals(400, haystack("deleteRec", "id", "r:" + parent).statusCode(), "the child refers to it");
        assertEquals(404, haystack("deleteRec", "id", "r:" + UUID.randomUUID()).statusCode());
        assertEquals(200, haystack("deleteRec", "id", "r:" + child, "r:" + lone).statusCode());

        Scrape after = scrape();
        assertEquals(2, entities(after, "ok") - entities(before, "ok"), "two entities deleted");
        assertEquals(1, entities(after, "refused") - entities(before, "refused"));
        assertEquals(1, entities(after, "not_found") - entities(before, "not_found"));
        assertEquals(0, entities(after, "error") - entities(before, "error"));
    }

    @Test
    void everyDestroyIsInExactlyOneTransactionOfTheBatchSizeHistogram() {
        Scrape before = scrape();
        assertEquals(200, node.delete("/pony/" + pony()).statusCode());
        Scrape single = scrape();
        assertEquals(1, single.value("herald_destroy_batch_size_count") - before.value("herald_destroy_batch_size_count"));
        assertEquals(1, single.value("herald_destroy_batch_size_bucket", "le", "1.0")
                - before.value("herald_destroy_batch_size_bucket", "le", "1.0"), "a lone destroy is a batch of one");

        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            ids.add(pony());
        }
        node.destroyAtOnce("pony", ids).forEach(r -> assertEquals(200, r.statusCode(), r.bodyAsString()));
        Scrape after = scrape();
        double transactions = after.value("herald_destroy_batch_size_count") - single.value("herald_destroy_batch_size_count");
        assertEquals(24, after.value("herald_destroy_batch_size_sum") - single.value("herald_destroy_batch_size_sum"),
                "each destroy counted in one transaction");
        assertTrue(transactions >= 1 && transactions <= 24, "transactions: " + transactions);
        assertEquals(transactions, after.value("herald_destroy_batch_size_bucket", "le", "+Inf")
                - single.value("herald_destroy_batch_size_bucket", "le", "+Inf"));
    }

    @Test
    void notificationFramesAreCountedWithTheirDelayAndTheLogPosition() {
        long a = pony();
        long b = pony();
        try (TestSocket s = socket()) {
            JsonObject reply = s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(a).add(b)),
                    node.adminToken());
            assertEquals(2, reply.getJsonObject("body").getJsonArray("subscribed").size(), reply.encode());
            Scrape before = scrape();
            assertEquals(200, node.delete("/pony/" + a).statusCode());
            assertEquals(200, node.patch("/pony/" + b, new JsonObject().put("name", "renamed")).statusCode());
            s.await(f -> "pony".equals(f.getString("address")));
            JsonObject last = s.await(f -> "pony".equals(f.getString("address")));
            Scrape after = scrape();
            assertEquals(2, after.value("herald_notifications_total") - before.value("herald_notifications_total"));
            assertEquals(2, after.value("herald_notification_delay_seconds_count") - before.value("herald_notification_delay_seconds_count"));
            assertTrue(after.value("herald_notification_delay_seconds_sum") >= before.value("herald_notification_delay_seconds_sum"));
            long lastSeq = Long.parseLong(last.getJsonObject("headers").getString("seq"));
            assertEquals(lastSeq, (long) after.value("herald_log_seq"), "the node has delivered up to the last frame's seq");
        }
    }

    @Test
    void socketsAndSubscriptionsAreGauged() {
        List<Long> ids = List.of(pony(), pony(), pony());
        Scrape before = scrape();
        double sockets = before.value("herald_sockets");
        double subscriptions = before.value("herald_subscriptions");
        try (TestSocket s = socket(); TestSocket idle = socket()) {
            s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray(new ArrayList<>(ids))), node.adminToken());
            s.ask("herald.watch", new JsonObject().put("model", "toy"), node.adminToken());
            Scrape open = scrape();
            assertEquals(sockets + 2, open.value("herald_sockets"));
            assertEquals(subscriptions + 4, open.value("herald_subscriptions"), "three records and one watch");

            s.ask("herald.unsubscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(ids.get(0))), node.adminToken());
            assertEquals(subscriptions + 3, scrape().value("herald_subscriptions"));
            assertEquals(200, node.delete("/pony/" + ids.get(1)).statusCode());
            s.await(f -> "pony".equals(f.getString("address")));
            eventually(subscriptions + 2, () -> scrape().value("herald_subscriptions"), "a destroyed record's room is left");
        }
        eventually(sockets, () -> scrape().value("herald_sockets"), "closed sockets are gone");
        eventually(subscriptions, () -> scrape().value("herald_subscriptions"), "with their subscriptions");
    }

    @Test
    void resumesAreCountedByResult() {
        long id = pony();
        Scrape before = scrape();
        try (TestSocket s = socket()) {
            JsonObject first = s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(id)), node.adminToken());
            String seq = first.getJsonObject("body").getString("seq");
            String epoch = first.getJsonObject("body").getString("epoch");
            JsonObject replayed = s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(id))
                    .put("since", seq).put("epoch", epoch), node.adminToken());
            assertEquals(false, replayed.getJsonObject("body").getBoolean("resync"), replayed.encode());
            JsonObject resync = s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(id))
                    .put("since", seq).put("epoch", "another-log"), node.adminToken());
            assertEquals(true, resync.getJsonObject("body").getBoolean("resync"), resync.encode());
            JsonObject ahead = s.ask("herald.watch", new JsonObject().put("model", "pony")
                    .put("since", "999999999999").put("epoch", epoch), node.adminToken());
            assertEquals("err", ahead.getString("type"), ahead.encode());
        }
        Scrape after = scrape();
        for (String result : List.of("replayed", "resync", "failed")) {
            assertEquals(1, after.value("herald_resumes_total", "result", result) - before.value("herald_resumes_total", "result", result), result);
        }
    }
}
