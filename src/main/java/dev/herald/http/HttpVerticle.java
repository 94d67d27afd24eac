package dev.herald.http;

import dev.herald.auth.Auth;
import dev.herald.auth.Principal;
import dev.herald.blueprint.ActionRequest;
import dev.herald.blueprint.ActionResponse;
import dev.herald.blueprint.Blueprint;
import dev.herald.browser.BrowserAssets;
import dev.herald.browser.ModelCatalog;
import dev.herald.config.HeraldConfig;
import dev.herald.drain.Gate;
import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;
import dev.herald.errors.Failures;
import dev.herald.haystack.HaystackApi;
import dev.herald.input.BoundedJson;
import dev.herald.metrics.Metrics;
import dev.herald.realtime.SocketEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.ProtocolUpgradeHandler;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP verticle (one instance per event loop): health and metrics, the browser client and console
 * under {@code /_herald/}, the SockJS endpoint {@code /realtime}, then the Haystack ops, the console's
 * model catalogue and the blueprint routes, which need a token before their body is read. Every
 * action goes through {@link Blueprint}, which the sockets share. Connections are held to the
 * deadlines of {@link ConnectionDeadlines}.
 */
public final class HttpVerticle extends VerticleBase {
    /** Lets an HTTP caller keep its own socket out of the notifications of its request. */
    public static final String SOCKET_HEADER = "X-Herald-Socket-Id";
    /** A SockJS request body (xhr_send) carries JSON-escaped frames: room for one frame at the limit. */
    private static final long SOCKJS_BODY_LIMIT = 2L * SocketEndpoint.MAX_FRAME_BYTES;
    private static final String PRINCIPAL = "herald.principal";

    private final HeraldConfig config;
    private final int port;
    private final Auth auth;
    private final Blueprint blueprint;
    private final Health health;
    private final SocketEndpoint sockets;
    private final HaystackApi haystack;
    private final Metrics metrics;
    private final BrowserAssets browser;
    private final ModelCatalog catalog;
    private final Gate gate;
    private ConnectionDeadlines deadlines;

    public HttpVerticle(HeraldConfig config, int port, Auth auth, Blueprint blueprint, Health health,
                        SocketEndpoint sockets, HaystackApi haystack, Metrics metrics, BrowserAssets browser, ModelCatalog catalog,
                        Gate gate) {
        this.config = config;
        this.port = port;
        this.auth = auth;
        this.blueprint = blueprint;
        this.health = health;
        this.sockets = sockets;
        this.haystack = haystack;
        this.metrics = metrics;
        this.browser = browser;
        this.catalog = catalog;
        this.gate = gate;
    }

    @Override
    public Future<?> start() {
        deadlines = new ConnectionDeadlines(vertx, HeraldConfig.HEAD_TIMEOUT, config.requestTimeout(), config.idleTimeout());
        Router router = Router.router(vertx);
        router.route().handler(this::follow);
        router.get("/health").handler(this::health);
        router.get("/health/live").handler(this::live);
        router.get("/metrics").handler(this::metrics);
        browser.mount(router);
        router.get(SocketEndpoint.PATH + "/websocket").handler((ProtocolUpgradeHandler) ctx -> sockets.rawWebSocket(ctx, deadlines::upgraded));
        router.route(SocketEndpoint.PATH + "/*").handler(BodyHandler.create(false).setBodyLimit(SOCKJS_BODY_LIMIT));
        router.route(SocketEndpoint.PATH + "/*").subRouter(sockets.router(vertx, deadlines::upgraded));
        router.route().handler(this::authenticate);
        router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        router.route("/api/:op").method(HttpMethod.GET).method(HttpMethod.POST).handler(ctx -> haystack.handle(ctx, principal(ctx)));
        router.get(ModelCatalog.PATH).handler(this::catalog);
        router.route().handler(this::blueprint);
        router.route().failureHandler(this::failure);
        router.errorHandler(400, this::unroutable);
        // HTTP/1.1 only: the deadlines are per connection, and h2c would multiplex requests past them.
        return vertx.createHttpServer(new HttpServerOptions().setHost(config.httpHost()).setPort(port)
                        .setHttp2ClearTextEnabled(false)
                        .setMaxWebSocketFrameSize(2 * SocketEndpoint.MAX_FRAME_BYTES)
                        .setMaxWebSocketMessageSize(2 * SocketEndpoint.MAX_FRAME_BYTES))
                .connectionHandler(connection -> {
                    FlushBatching.install(connection);
                    deadlines.opened(connection);
                })
                .requestHandler(request -> {
                    deadlines.headArrived(request);
                    router.handle(request);
                })
                .listen();
    }

    /**
     * Every request but the health checks, {@code /metrics} (a drain stays observable) and the SockJS transports (whose frames pass the gate one by one)
     * passes the gate: refused with 503 {@code E_UNAVAILABLE} once the node drains, else counted until
     * its answer is written. Answers written while draining close their connection, so that a client's
     * next request goes to another node.
     */
    private void follow(RoutingContext ctx) {
        if (!(isSockJs(ctx) && ctx.request().canUpgradeToWebSocket())) {
            // an upgrade ends no response to follow (ConnectionDeadlines#upgraded, and a handshake that
            // fails closes the connection), and an end handler would keep the routing context reachable
            // from the upgraded connection for the socket's life; other paths never upgrade
            deadlines.follow(ctx);
        }
        String path = ctx.request().path();
        if (isSockJs(ctx) || path.equals("/health") || path.equals("/health/live") || path.equals("/metrics")) {
            ctx.next();
            return;
        }
        if (!gate.enter()) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            answer(ctx, ErrorCode.UNAVAILABLE.error("This node is shutting down; send the request to another node."));
            return;
        }
        ctx.addEndHandler(v -> gate.leave());
        ctx.addHeadersEndHandler(v -> {
            if (gate.draining()) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            }
        });
        ctx.next();
    }

    /** Liveness, for an orchestrator: the node's event loops answer, draining or not (readiness is {@code /health}). */
    private void live(RoutingContext ctx) {
        ctx.response().putHeader("content-type", "application/json")
                .end(new io.vertx.core.json.JsonObject().put("status", gate.draining() ? "DRAINING" : "ALIVE").encode());
    }

    private void health(RoutingContext ctx) {
        health.check().onSuccess(report -> ctx.response()
                .setStatusCode(report.up() ? 200 : 503)
                .putHeader("content-type", "application/json")
                .end(report.json().encode()));
    }

    /**
     * {@code GET /metrics}, no token needed (like {@code /health}): every meter in the Prometheus text
     * format, rendered off the event loop. With {@code HERALD_METRICS=false}, 404: {@code metrics} is a
     * reserved identity, never a model.
     */
    private void metrics(RoutingContext ctx) {
        if (!metrics.enabled()) {
            answer(ctx, ApiError.notFound("Metrics are off on this node (HERALD_METRICS=false)."));
            return;
        }
        vertx.executeBlocking(metrics::scrape, false)
                .onSuccess(text -> ctx.response().putHeader("content-type", Metrics.CONTENT_TYPE).end(text))
                .onFailure(ctx::fail);
    }

    /**
     * The token, before anything of the body is read: a request announcing a body stays paused while
     * the token is checked (the Vert.x Web 5 router does not pause it; resuming delivers what was queued
     * on a later turn of the event loop, once BodyHandler listens). Without a valid token: 401 and, if
     * a body was announced, a closed connection.
     */
    private void authenticate(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        boolean paused = declaresBody(request) && !request.isEnded();
        if (paused) {
            request.pause();
        }
        auth.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION))
                .onSuccess(principal -> {
                    ctx.put(PRINCIPAL, principal);
                    if (paused && !request.isEnded()) {
                        request.resume();
                    }
                    ctx.next();
                })
                .onFailure(ctx::fail);
    }

    private static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    private void catalog(RoutingContext ctx) {
        ctx.response().putHeader("content-type", "application/json; charset=utf-8")
                .end(catalog.readableBy(principal(ctx)).encode());
    }

    private void blueprint(RoutingContext ctx) {
        Future.succeededFuture(ctx)
                .map(this::toActionRequest)
                .compose(request -> blueprint.handleAs(request, principal(ctx)))
                .onSuccess(response -> send(ctx, response))
                .onFailure(ctx::fail);
    }

    private ActionRequest toActionRequest(RoutingContext ctx) {
        Object body = null;
        if (ctx.body() != null && ctx.body().length() > 0) {
            try {
                body = BoundedJson.decode(ctx.body().buffer());
            } catch (DecodeException e) {
                throw ErrorCode.BAD_REQUEST.error("The request body is not valid JSON.");
            } catch (BoundedJson.Refused e) {
                throw (e.kind() == BoundedJson.Kind.TOO_DEEP ? ErrorCode.BAD_REQUEST : ErrorCode.INVALID_VALUES).error(e.getMessage());
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        try {
            ctx.queryParams().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
        } catch (IllegalArgumentException | HttpException e) {
            throw ApiError.invalidCriteria("The query string is not correctly percent-encoded.");
        }
        return new ActionRequest(ctx.request().method().name(), ctx.request().path(), query, body,
                ctx.request().getHeader(SOCKET_HEADER), false);
    }

    private static final CharSequence JSON_UTF8 = HttpHeaders.createOptimized("application/json; charset=utf-8");

    private static Future<Void> send(RoutingContext ctx, ActionResponse response) {
        if (response.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        // straight into a buffer: no String of the body, and no second pass to turn it into UTF-8
        return ctx.response()
                .setStatusCode(response.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8)
                .end(Json.encodeToBuffer(response.body()));
    }

    /** Failures raised before a handler answered (no or bad token, body too large) and anything unexpected. */
    private void failure(RoutingContext ctx) {
        if (ctx.response().ended()) {
            // answered already (Vert.x answers a WebSocket handshake it refuses, then SockJS fails the
            // route): nothing unexpected to log, and the connection's state is not worth keeping
            ctx.request().connection().close();
            return;
        }
        ApiError error = switch (ctx.statusCode()) {
            case 413 -> ErrorCode.TOO_LARGE.error(isSockJs(ctx)
                    ? "A SockJS request body is larger than " + SOCKJS_BODY_LIMIT + " bytes (frames are limited to "
                    + SocketEndpoint.MAX_FRAME_BYTES + " bytes)."
                    : "The request body is larger than " + config.maxBodyBytes() + " bytes.");
            case 400 -> ctx.failure() instanceof ApiError e ? e : ErrorCode.BAD_REQUEST.error("The request could not be read.");
            case 404 -> ApiError.notFound("No route for " + ctx.request().method() + " " + ctx.request().path() + ".");
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED.error(ctx.request().method() + " is not allowed here.");
            default -> Failures.toApiError(ctx.failure() == null ? new IllegalStateException("status " + ctx.statusCode()) : ctx.failure());
        };
        answer(ctx, error);
    }

    /**
     * The router could not route the request, so no handler has run: its path does not decode (the
     * same answer as a socket's virtual request with that path gets from the blueprint).
     */
    private void unroutable(RoutingContext ctx) {
        answer(ctx, decodes(ctx.request().path()) ? ErrorCode.BAD_REQUEST.error("The request could not be read.")
                : ApiError.invalidCriteria("The path is not correctly percent-encoded."));
    }

    private static boolean decodes(String path) {
        try {
            URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * An error as JSON, or as an error grid under {@code /api/}. A body left unread (refused before or
     * while it was read) is not drained: the connection is closed once the answer is written.
     */
    private void answer(RoutingContext ctx, ApiError error) {
        if (ctx.response().ended()) {
            return;
        }
        deadlines.follow(ctx);
        HttpServerRequest request = ctx.request();
        boolean unread = declaresBody(request) && !request.isEnded();
        if (unread) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        Future<Void> written = request.path().startsWith("/api/") ? HaystackApi.sendError(ctx, error)
                : send(ctx, new ActionResponse(error.status(), error.toJson()));
        if (unread) {
            written.onComplete(v -> request.connection().close());
        }
    }

    /** Whether the request announces a body (a positive Content-Length, or chunked). */
    static boolean declaresBody(HttpServerRequest request) {
        if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            return true;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            return length != null && Long.parseLong(length.trim()) > 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static boolean isSockJs(RoutingContext ctx) {
        return ctx.request().path().startsWith(SocketEndpoint.PATH + "/");
    }
}
