package dev.herald.realtime;

import dev.herald.auth.Auth;
import dev.herald.blueprint.Blueprint;
import dev.herald.drain.Gate;
import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;
import dev.herald.errors.Failures;
import dev.herald.input.BoundedJson;
import dev.herald.models.Models;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The SockJS endpoint {@code /realtime}: speaks the Vert.x event-bus bridge frames, so the stock
 * {@code @vertx/eventbus-bridge-client.js} and a bare {@code sockjs-client} work unchanged, but answers
 * Herald's own addresses itself instead of bridging to the event bus. This class reads the frames
 * (at most {@value #MAX_FRAME_BYTES} bytes) and routes them by address: virtual requests to
 * {@link VirtualRequests}, subscriptions to {@link SubscriptionFrames}. Protocol problems get
 * {@code err} frames and the socket stays usable; a frame with a reply address always gets a reply,
 * errors included.
 *
 * <p>Limits (README "Limits"): at most {@code maxSockets} sessions at once; a session beyond them, or
 * one opened while the node drains, is sent one {@code err} frame (503) and closed, so its client
 * retries, on another node behind a load balancer. Each socket may send {@code socketRate} frames per
 * second (a burst of as many): {@link SocketSession} refuses the excess, which gets an {@code err} 429
 * and is not executed. Frames that would run something are refused with 503 while the node drains.
 */
public final class SocketEndpoint {
    /** Where the endpoint is mounted; its raw WebSocket transport is {@code /realtime/websocket}. */
    public static final String PATH = "/realtime";
    public static final int MAX_FRAME_BYTES = 1024 * 1024;
    private static final Logger LOG = Logger.getLogger(SocketEndpoint.class.getName());

    private final Vertx vertx;
    private final Auth auth;
    private final SubscriptionVerticle subscriptions;
    private final String node;
    private final VirtualRequests requests;
    private final SubscriptionFrames subscriptionFrames;
    private final Gate gate;
    private final int maxSockets;
    private final int socketRate;
    private final AtomicInteger open = new AtomicInteger();

    public SocketEndpoint(Vertx vertx, Models models, Auth auth, Blueprint blueprint,
                          SubscriptionVerticle subscriptions, String node, Gate gate, int maxSockets, int socketRate) {
        this.vertx = vertx;
        this.gate = gate;
        this.maxSockets = maxSockets;
        this.socketRate = socketRate;
        this.auth = auth;
        this.subscriptions = subscriptions;
        this.node = node;
        VerifiedJoins joins = new VerifiedJoins(vertx, subscriptions);
        this.requests = new VirtualRequests(models, blueprint, subscriptions, joins);
        this.subscriptionFrames = new SubscriptionFrames(vertx, models, subscriptions, joins);
    }

    /**
     * The SockJS router, one per HTTP verticle instance; {@code upgraded} is told the connection of each
     * SockJS WebSocket session (it is the session's for good).
     */
    public Router router(Vertx owner, Handler<HttpConnection> upgraded) {
        return SockJSHandler.create(owner, new SockJSHandlerOptions().setRegisterWriteHandler(false))
                .socketHandler(socket -> {
                    if (socket.routingContext().request().path().endsWith("/websocket")) {
                        upgraded.handle(socket.routingContext().request().connection());
                    }
                    accept(Transport.of(socket));
                });
    }

    /**
     * The raw WebSocket transport ({@code GET /realtime/websocket}), Herald's own: the upgraded WebSocket
     * is all a session keeps (see {@link Transport#of(io.vertx.core.http.ServerWebSocket)}). A request
     * that cannot be upgraded goes on to SockJS, which answers it as it always did (a 400); a handshake that
     * fails (a client's mistake, not the node's) is a 400, or Vert.x's own answer and the connection closed;
     * {@code upgraded} is told the connection of each WebSocket.
     */
    public void rawWebSocket(RoutingContext ctx, Handler<HttpConnection> upgraded) {
        if (!ctx.request().canUpgradeToWebSocket()) {
            ctx.next();
            return;
        }
        HttpConnection connection = ctx.request().connection();
        ctx.request().toWebSocket()
                .onSuccess(ws -> {
                    upgraded.handle(connection);
                    accept(Transport.of(ws));
                })
                .onFailure(e -> {
                    if (ctx.response().ended()) {
                        // Vert.x answered the handshake it refused: nothing left for this connection
                        LOG.fine(() -> "refused a WebSocket handshake: " + e.getMessage());
                        connection.close();
                    } else {
                        ctx.fail(400, ErrorCode.BAD_REQUEST.error("The WebSocket handshake could not be completed."));
                    }
                });
    }

    /** The sessions open on this node now. */
    public int openSockets() {
        return open.get();
    }

    private void accept(Transport socket) {
        if (gate.draining()) {
            refuse(socket, "This node is shutting down; connect to another node.");
            return;
        }
        if (open.incrementAndGet() > maxSockets) {
            open.decrementAndGet();
            LOG.fine(() -> "refused a socket: " + maxSockets + " are open (HERALD_MAX_SOCKETS)");
            refuse(socket, "This node has reached its limit of " + maxSockets + " sockets; connect again later or to another node.");
            return;
        }
        SocketSession session = new SocketSession(UUID.randomUUID().toString(), socket, vertx.getOrCreateContext(), auth, socketRate);
        session.onExpiry(() -> subscriptions.expired(session)
                .onComplete(v -> session.send(Frames.err(401, null, "token expired"))));
        session.onFrames(data -> frame(session, data));
        session.onRefused(data -> tooFast(session, data));
        socket.closeHandler(v -> {
            open.decrementAndGet();
            session.closed();
            subscriptions.close(session.id());
        });
        socket.exceptionHandler(e -> socket.close());
        session.checkAccessToken();
        subscriptions.open(session);
    }

    private static void refuse(Transport socket, String message) {
        socket.write(Frames.err(503, null, message)).onComplete(v -> socket.close(SocketSession.GOING_AWAY, "unavailable"));
    }

    /** A frame over the socket's rate: answered with a 429 (to its reply address, when it can be read), never run. */
    private void tooFast(SocketSession session, Buffer data) {
        String replyAddress = null;
        if (data.length() <= MAX_FRAME_BYTES) {
            try {
                if (Json.decodeValue(data) instanceof JsonObject frame && frame.getValue("replyAddress") instanceof String r) {
                    replyAddress = r;
                }
            } catch (DecodeException e) {
                // no reply address to answer to
            }
        }
        session.send(Frames.err(429, replyAddress, "Too many frames: at most " + socketRate
                + " per second on one socket; this frame was not executed."));
    }

    private void frame(SocketSession session, Buffer data) {
        if (data.length() > MAX_FRAME_BYTES) {
            session.send(Frames.err(413, null, "Frame larger than " + MAX_FRAME_BYTES + " bytes."));
            return;
        }
        JsonObject frame;
        try {
            frame = Json.decodeValue(data) instanceof JsonObject o ? o : null;
        } catch (DecodeException e) {
            frame = null;
        }
        if (frame == null || !(frame.getValue("type") instanceof String type)) {
            session.send(Frames.err(400, null, "Unreadable frame: expected a JSON object with a \"type\"."));
            return;
        }
        Object replyAddress = frame.getValue("replyAddress");
        if (replyAddress != null && !(replyAddress instanceof String)) {
            session.send(Frames.err(400, null, "\"replyAddress\" must be a string."));
            return;
        }
        try {
            BoundedJson.check(frame);
        } catch (BoundedJson.Refused e) {
            session.send(Frames.err(400, (String) replyAddress, "Unreadable frame: " + e.getMessage()));
            return;
        }
        switch (type) {
            case "ping", "register", "unregister" -> {
            }
            case "send", "publish" -> message(session, frame);
            default -> session.send(Frames.err(400, null, "Unknown frame type \"" + type + "\"."));
        }
    }

    private void message(SocketSession session, JsonObject frame) {
        String replyAddress = frame.getValue("replyAddress") instanceof String r ? r : null;
        if (!(frame.getValue("address") instanceof String address)) {
            session.send(Frames.err(400, replyAddress, "A send frame needs an \"address\"."));
            return;
        }
        if (!gate.enter()) {
            ApiError draining = ErrorCode.UNAVAILABLE.error("This node is shutting down; connect to another node.");
            if (address.equals(RealtimeAddresses.REQUEST) && replyAddress != null) {
                session.send(Frames.rec(replyAddress, VirtualRequests.notRun(draining)));
            } else {
                session.send(Frames.err(503, replyAddress, draining.getMessage()));
            }
            return;
        }
        session.requestStarted();
        Future<Object> reply;
        try {
            reply = switch (address) {
                case RealtimeAddresses.REQUEST -> requests.request(session, frame);
                case RealtimeAddresses.SUBSCRIBE -> subscriptionFrames.subscribe(session, frame);
                case RealtimeAddresses.UNSUBSCRIBE -> subscriptionFrames.unsubscribe(session, frame);
                case RealtimeAddresses.WATCH -> subscriptionFrames.watch(session, frame);
                case RealtimeAddresses.WHOAMI -> whoami(session, frame);
                default -> Future.failedFuture(ErrorCode.NO_ADDRESS.error("No handler for address \"" + address + "\"."));
            };
        } catch (RuntimeException e) {
            // every request started is answered, whatever a handler throws before it returns its future
            reply = Future.failedFuture(e);
        }
        // the reply is queued on the socket before the gate is left: a drain closes the socket only after it
        reply.onComplete(result -> {
            if (replyAddress == null) {
                session.requestAnswered(null);
            } else if (result.succeeded()) {
                session.requestAnswered(Frames.rec(replyAddress, result.result()));
            } else {
                ApiError error = Failures.toApiError(result.cause());
                session.requestAnswered(Frames.err(error.status(), replyAddress, error.getMessage()));
            }
            gate.leave();
        });
    }

    /** Who the socket is; a token in the frame authenticates it first, as in any frame. */
    private Future<Object> whoami(SocketSession session, JsonObject frame) {
        Future<?> authenticated = SocketSession.tokenOf(frame, null) == null ? Future.succeededFuture() : session.principalOf(frame, null);
        return authenticated.map(p -> new JsonObject().put("socketId", session.id()).put("node", node)
                .put("subject", session.subject()));
    }
}
