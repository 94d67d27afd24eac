package dev.herald.http;

import dev.herald.blueprint.ActionRequest;
import dev.herald.blueprint.ActionResponse;
import dev.herald.blueprint.Blueprint;
import dev.herald.errors.ApiError;
import dev.herald.errors.Failures;
import dev.herald.haystack.HaystackApi;
import dev.herald.input.BoundedJson;
import dev.herald.realtime.SocketEndpoint;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP verticle (one instance per event loop): health, the SockJS endpoint {@code /realtime}, then the
 * blueprint routes. Stateless; every action goes through {@link Blueprint}, which the sockets share.
 */
public final class HttpVerticle extends VerticleBase {
    /** Lets an HTTP caller keep its own socket out of the notifications of its request. */
    public static final String SOCKET_HEADER = "X-Herald-Socket-Id";

    private final String host;
    private final int port;
    private final long maxBodyBytes;
    private final Blueprint blueprint;
    private final Health health;
    private final SocketEndpoint sockets;
    private final HaystackApi haystack;

    public HttpVerticle(String host, int port, long maxBodyBytes, Blueprint blueprint, Health health,
                        SocketEndpoint sockets, HaystackApi haystack) {
        this.sockets = sockets;
        this.haystack = haystack;
        this.host = host;
        this.port = port;
        this.maxBodyBytes = maxBodyBytes;
        this.blueprint = blueprint;
        this.health = health;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/health").handler(this::health);
        router.route("/realtime/*").handler(BodyHandler.create(false).setBodyLimit(2L * SocketEndpoint.MAX_FRAME_BYTES));
        router.route("/realtime/*").subRouter(sockets.router(vertx));
        router.route().handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
        router.route("/api/:op").method(HttpMethod.GET).method(HttpMethod.POST).handler(haystack::handle);
        router.route().handler(this::blueprint);
        router.route().failureHandler(this::failure);
        return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
                        .setMaxWebSocketFrameSize(2 * SocketEndpoint.MAX_FRAME_BYTES)
                        .setMaxWebSocketMessageSize(2 * SocketEndpoint.MAX_FRAME_BYTES))
                .requestHandler(router)
                .listen();
    }

    private void health(RoutingContext ctx) {
        health.check().onSuccess(report -> ctx.response()
                .setStatusCode(report.up() ? 200 : 503)
                .putHeader("content-type", "application/json")
                .end(report.json().encode()));
    }

    private void blueprint(RoutingContext ctx) {
        Future.succeededFuture(ctx)
                .map(this::toActionRequest)
                .compose(blueprint::handle)
                .onSuccess(response -> send(ctx, response))
                .onFailure(ctx::fail);
    }

    private ActionRequest toActionRequest(RoutingContext ctx) {
        Object body = null;
        if (ctx.body() != null && ctx.body().length() > 0) {
            try {
                body = BoundedJson.decode(ctx.body().buffer());
            } catch (DecodeException e) {
                throw ApiError.badRequest("E_BAD_REQUEST", "The request body is not valid JSON.");
            } catch (BoundedJson.Refused e) {
                throw ApiError.badRequest(e.kind() == BoundedJson.Kind.TOO_DEEP ? "E_BAD_REQUEST" : "E_INVALID_VALUES", e.getMessage());
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        try {
            ctx.queryParams().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("E_INVALID_CRITERIA", "The query string is not correctly percent-encoded.");
        }
        return new ActionRequest(ctx.request().method().name(), ctx.request().path(), query, body,
                ctx.request().getHeader("Authorization"), ctx.request().getHeader(SOCKET_HEADER), false);
    }

    private static void send(RoutingContext ctx, ActionResponse response) {
        if (response.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        ctx.response()
                .setStatusCode(response.status())
                .putHeader("content-type", "application/json; charset=utf-8")
                .end(Json.encode(response.body()));
    }

    /** Failures raised before the blueprint runs (body too large, bad encoding) and anything unexpected. */
    private void failure(RoutingContext ctx) {
        ApiError error = switch (ctx.statusCode()) {
            case 413 -> new ApiError(413, "E_TOO_LARGE", "The request body is larger than " + maxBodyBytes + " bytes.");
            case 400 -> ctx.failure() instanceof ApiError e ? e : ApiError.badRequest("E_BAD_REQUEST", "The request could not be read.");
            case 404 -> ApiError.notFound("No route for " + ctx.request().method() + " " + ctx.request().path() + ".");
            case 405 -> new ApiError(405, "E_METHOD_NOT_ALLOWED", ctx.request().method() + " is not allowed here.");
            default -> Failures.toApiError(ctx.failure() == null ? new IllegalStateException("status " + ctx.statusCode()) : ctx.failure());
        };
        if (ctx.response().ended()) {
            return;
        }
        send(ctx, new ActionResponse(error.status(), error.toJson()));
    }
}
