package dev.herald.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link TestNode} of a component test class, in one line:
 * <pre>{@code
 * @RegisterExtension
 * static final NodeExtension node = NodeExtension.demo();   // or withModels(MODELS), demo(env)
 * }</pre>
 * The node starts before the class's first test and its own {@code @BeforeAll} methods (which may
 * add data or mint tokens), and is closed after its last test, whatever failed. The field must be
 * static: the node lives as long as the class. Its methods are the node's; a method added to
 * {@link TestNode} gets its one-line delegate here.
 */
public final class NodeExtension implements BeforeAllCallback, AfterAllCallback {
    private final Supplier<TestNode> start;
    private TestNode node;

    private NodeExtension(Supplier<TestNode> start) {
        this.start = start;
    }

    /** The built-in demo models and records. */
    public static NodeExtension demo() {
        return of(TestNode::demo);
    }

    /** The demo with more configuration, such as {@code Map.of("HERALD_STATEMENT_TIMEOUT", "1s")}. */
    public static NodeExtension demo(Map<String, String> extraEnv) {
        return of(() -> TestNode.demo(extraEnv));
    }

    public static NodeExtension withModels(String yaml) {
        return of(() -> TestNode.withModels(yaml));
    }

    /** Any other node, such as {@code of(() -> TestNode.start(models, env))}. */
    public static NodeExtension of(Supplier<TestNode> start) {
        return new NodeExtension(start);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        node = start.get();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    private TestNode node() {
        if (node == null) {
            throw new IllegalStateException("no node: register the NodeExtension on a static field");
        }
        return node;
    }

    public void databaseReachable(boolean reachable) {
        node().databaseReachable(reachable);
    }

    public String token(String subject, String... permissions) {
        return node().token(subject, permissions);
    }

    public String adminToken() {
        return node().adminToken();
    }

    public int port() {
        return node().port();
    }

    public Vertx vertx() {
        return node().vertx();
    }

    public HttpResponse<Buffer> call(HttpMethod method, String uri, Object body) {
        return node().call(method, uri, body);
    }

    public HttpResponse<Buffer> call(HttpMethod method, String uri, Object body, String token) {
        return node().call(method, uri, body, token);
    }

    public HttpResponse<Buffer> exchange(HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
        return node().exchange(method, uri, headers, body);
    }

    public long create(String model, JsonObject values) {
        return node().create(model, values);
    }

    public List<HttpResponse<Buffer>> destroyAtOnce(String model, List<?> ids) {
        return node().destroyAtOnce(model, ids);
    }

    public List<HttpResponse<Buffer>> destroyAtOnce(String model, List<?> ids, Function<Object, String> token) {
        return node().destroyAtOnce(model, ids, token);
    }

    public List<HttpResponse<Buffer>> atOnce(HttpMethod method, List<String> uris, List<?> bodies) {
        return node().atOnce(method, uris, bodies);
    }

    public HttpResponse<Buffer> get(String uri) {
        return node().get(uri);
    }

    public HttpResponse<Buffer> delete(String uri) {
        return node().delete(uri);
    }

    public HttpResponse<Buffer> post(String uri, Object body) {
        return node().post(uri, body);
    }

    public HttpResponse<Buffer> patch(String uri, Object body) {
        return node().patch(uri, body);
    }

    public Pool database() {
        return node().database();
    }

    public List<Row> sql(String statement, Object... params) {
        return node().sql(statement, params);
    }

    public long count(String table) {
        return node().count(table);
    }

    public List<JsonObject> published() {
        return node().published();
    }

    public void clearPublished() {
        node().clearPublished();
    }

    public List<JsonObject> notifications() {
        return node().notifications();
    }

    public List<JsonObject> awaitPublished(int count) {
        return node().awaitPublished(count);
    }

    public List<JsonObject> publishedAfterAPause() {
        return node().publishedAfterAPause();
    }
}
