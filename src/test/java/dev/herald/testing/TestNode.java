package dev.herald.testing;

import dev.herald.Herald;
import dev.herald.cluster.Cluster;
import dev.herald.config.HeraldConfig;
import dev.herald.metrics.Metrics;
import dev.herald.models.Models;
import dev.herald.models.ModelsLoader;
import dev.herald.notifications.NotificationAddresses;
import dev.herald.notifications.Publication;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Herald node started in-process for a test class: its own database on the test PostgreSQL, HTTP
 * on a free loopback port, a known JWT secret, and a recorder of the notifications it publishes.
 */
public final class TestNode implements AutoCloseable {
    public static final String SECRET = "test-secret-test-secret-test-secret-0123";

    private final Vertx vertx;
    private final Herald herald;
    private final WebClient client;
    private final Pool sql;
    private final String adminToken;
    private final List<JsonObject> published = new CopyOnWriteArrayList<>();

    private String databaseName;

    /** Cuts this node off its database (connections killed, new ones refused) or lets it back. */
    public void databaseReachable(boolean reachable) {
        TestDatabase.admin("ALTER DATABASE " + databaseName + " ALLOW_CONNECTIONS " + reachable);
        if (!reachable) {
            TestDatabase.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + databaseName + "'");
        }
    }

    private TestNode(Vertx vertx, Herald herald, Pool sql) {
        this.vertx = vertx;
        this.herald = herald;
        this.sql = sql;
        this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(herald.port()));
        this.adminToken = herald.auth().mint("admin", List.of("*:*"), 3600).orElse(null);
        vertx.eventBus().consumer(NotificationAddresses.NOTIFICATIONS, m -> {
            if (m.body() instanceof Buffer publication) {
                try {
                    published.addAll(asJson(publication));
                } catch (IllegalArgumentException garbage) {
                    // tests that publish garbage on purpose check the node's own consumer
                }
            }
        });
    }

    /**
     * A publication as {@code {"origin":{..},"notifications":[{"model","id","message","retire"}]}} per
     * request (no {@code id} for a creation), which is what tests compare.
     */
    private static List<JsonObject> asJson(Buffer publication) {
        List<JsonObject> changes = new ArrayList<>();
        for (Publication.Received change : Publication.decode(publication)) {
            JsonArray notifications = new JsonArray();
            for (Publication.Delivery d : change.deliveries()) {
                JsonObject n = new JsonObject().put("model", d.model()).put("message", new JsonObject(d.message()));
                if (!d.creation()) {
                    n.put("id", d.id());
                }
                if (d.retire()) {
                    n.put("retire", true);
                }
                notifications.add(n);
            }
            changes.add(new JsonObject().put("origin", change.origin()).put("notifications", notifications));
        }
        return changes;
    }

    /** The built-in demo models and records. */
    public static TestNode demo() {
        return demo(Map.of());
    }

    /** The demo with more configuration, such as {@code Map.of("HERALD_AUTH", "none")}. */
    public static TestNode demo(Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>(Map.of("HERALD_DEMO_DATA", "true"));
        env.putAll(extraEnv);
        return start(ModelsLoader.loadDemo(), env);
    }

    public static TestNode withModels(String yaml) {
        return start(ModelsLoader.parse(yaml, "test models", false), Map.of());
    }

    public static TestNode start(Models models, Map<String, String> extraEnv) {
        PgConnectOptions database = TestDatabase.freshDatabase();
        Map<String, String> env = new HashMap<>();
        env.put("HERALD_HTTP_PORT", "0");
        env.put("HERALD_HTTP_HOST", "127.0.0.1");
        env.put("HERALD_JWT_SECRET", SECRET);
        env.put("HERALD_DEMO_DATA", "false");
        env.put("HERALD_DATA_DIR", tempDir().toString());
        env.putAll(extraEnv);
        if (extraEnv.containsKey("HERALD_JWT_PUBLIC_KEY")) {
            env.remove("HERALD_JWT_SECRET");
        }
        HeraldConfig config = HeraldConfig.fromEnv(env);
        Metrics metrics = Metrics.of(config);
        Vertx vertx = metrics.vertx().build();
        Herald herald = Herald.start(Cluster.standalone(vertx), config, models, database, metrics).await();
        Pool sql = PgBuilder.pool().connectingTo(database).using(vertx).build();
        TestNode node = new TestNode(vertx, herald, sql);
        node.databaseName = database.getDatabase();
        return node;
    }

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("herald-test");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public String token(String subject, String... permissions) {
        return herald.auth().mint(subject, List.of(permissions), 3600).orElseThrow();
    }

    public String adminToken() {
        return adminToken;
    }

    public int port() {
        return herald.port();
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Sends a request with the admin token; {@code body} is JSON-encoded unless it is a String. */
    public HttpResponse<Buffer> call(HttpMethod method, String uri, Object body) {
        return call(method, uri, body, adminToken);
    }

    public HttpResponse<Buffer> call(HttpMethod method, String uri, Object body, String token) {
        HttpRequest<Buffer> request = client.request(method, uri);
        if (token != null) {
            request.putHeader("Authorization", "Bearer " + token);
        }
        var future = body == null ? request.send()
                : request.putHeader("content-type", "application/json")
                .sendBuffer(Buffer.buffer(body instanceof String s ? s : io.vertx.core.json.Json.encode(body)));
        try {
            return future.await(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no response to " + method + " " + uri + " within 30 s");
        }
    }

    /**
     * Sends {@code body} (null: none) as it is, with exactly these headers (such as {@code Content-Type}
     * and {@code Accept}) and the admin token.
     */
    public HttpResponse<Buffer> exchange(HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
        HttpRequest<Buffer> request = client.request(method, uri).putHeader("Authorization", "Bearer " + adminToken);
        headers.forEach(request::putHeader);
        var future = body == null ? request.send() : request.sendBuffer(body);
        try {
            return future.await(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no response to " + method + " " + uri + " within 30 s");
        }
    }

    /** {@code POST /<model>} with the admin token, which must succeed; the new record's id. */
    public long create(String model, JsonObject values) {
        HttpResponse<Buffer> response = post("/" + model, values);
        if (response.statusCode() != 200) {
            throw new AssertionError("creating a " + model + " answered " + response.statusCode() + ": " + response.bodyAsString());
        }
        return json(response).getLong("id");
    }

    /** {@code DELETE /<model>/<id>} for every id at once, each on its own connection, with the admin token. */
    public List<HttpResponse<Buffer>> destroyAtOnce(String model, List<?> ids) {
        return destroyAtOnce(model, ids, id -> adminToken);
    }

    /** The same with a token per id; the responses in the order of {@code ids}. */
    public List<HttpResponse<Buffer>> destroyAtOnce(String model, List<?> ids, java.util.function.Function<Object, String> token) {
        return atOnce(HttpMethod.DELETE, ids.stream().map(id -> "/" + model + "/" + id).toList(), null,
                ids.stream().map(token).toList());
    }

    /**
     * Sends every request at once, each on its own connection, with the admin token; {@code bodies} (JSON,
     * one per uri) may be null. The responses in the order of {@code uris}.
     */
    public List<HttpResponse<Buffer>> atOnce(HttpMethod method, List<String> uris, List<?> bodies) {
        return atOnce(method, uris, bodies, uris.stream().map(u -> adminToken).toList());
    }

    private List<HttpResponse<Buffer>> atOnce(HttpMethod method, List<String> uris, List<?> bodies, List<String> tokens) {
        WebClient concurrent = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(herald.port()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(Math.max(1, uris.size())));
        try {
            List<io.vertx.core.Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
            for (int i = 0; i < uris.size(); i++) {
                HttpRequest<Buffer> request = concurrent.request(method, uris.get(i)).putHeader("Authorization", "Bearer " + tokens.get(i));
                calls.add(bodies == null ? request.send() : request.putHeader("content-type", "application/json")
                        .sendBuffer(Buffer.buffer(io.vertx.core.json.Json.encode(bodies.get(i)))));
            }
            io.vertx.core.Future.join(calls).await();
            return calls.stream().map(io.vertx.core.Future::result).toList();
        } finally {
            concurrent.close();
        }
    }

    public HttpResponse<Buffer> get(String uri) {
        return call(HttpMethod.GET, uri, null);
    }

    public HttpResponse<Buffer> delete(String uri) {
        return call(HttpMethod.DELETE, uri, null);
    }

    public HttpResponse<Buffer> post(String uri, Object body) {
        return call(HttpMethod.POST, uri, body);
    }

    public HttpResponse<Buffer> patch(String uri, Object body) {
        return call(HttpMethod.PATCH, uri, body);
    }

    /** This node's database, straight, bypassing Herald. */
    public Pool database() {
        return sql;
    }

    /** Runs SQL straight against this node's database, bypassing Herald. */
    public List<Row> sql(String statement, Object... params) {
        List<Row> rows = new ArrayList<>();
        sql.preparedQuery(statement).execute(Tuple.wrap(params)).await().forEach(rows::add);
        return rows;
    }

    public long count(String table) {
        return sql("SELECT count(*) FROM \"" + table + "\"").get(0).getLong(0);
    }

    /** Every notification batch published so far, oldest first. */
    public List<JsonObject> published() {
        return List.copyOf(published);
    }

    public void clearPublished() {
        published.clear();
    }

    /** The notifications of the batches published so far, flattened. */
    public List<JsonObject> notifications() {
        List<JsonObject> all = new ArrayList<>();
        published.forEach(b -> b.getJsonArray("notifications").forEach(n -> all.add((JsonObject) n)));
        return all;
    }

    /** Waits until {@code count} batches have been published (they are published after the reply). */
    public List<JsonObject> awaitPublished(int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (published.size() < count && System.nanoTime() < deadline) {
            sleep(10);
        }
        sleep(50);
        return published();
    }

    /** Gives a publication that should not happen time to arrive, then returns what did. */
    public List<JsonObject> publishedAfterAPause() {
        sleep(300);
        return published();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static JsonObject json(HttpResponse<Buffer> response) {
        return response.bodyAsJsonObject();
    }

    public static JsonArray array(HttpResponse<Buffer> response) {
        return response.bodyAsJsonArray();
    }

    @Override
    public void close() {
        client.close();
        sql.close().await();
        vertx.close().await();
    }
}
