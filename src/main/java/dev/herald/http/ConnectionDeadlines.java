package dev.herald.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The connection deadlines of security.md, per HTTP/1.1 connection: a request head must be complete
 * within the head timeout of the connection opening, or of the first byte of the next head on a
 * kept-alive connection; a declared body within the request timeout of its head; a connection with
 * no request in progress is closed after the idle timeout. A connection past its deadline is closed.
 * A request being answered has no deadline here (its work is bounded by the statement and event-bus
 * timeouts), nor has a connection upgraded to WebSocket (SockJS closes silent sessions).
 * One instance per HTTP verticle; everything runs on that verticle's event loop.
 */
final class ConnectionDeadlines {
    private static final Logger LOG = Logger.getLogger(ConnectionDeadlines.class.getName());
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private enum Phase {
        /** Waiting for a complete request head. */
        HEAD,
        /** Waiting for the rest of a declared body. */
        BODY,
        /** Answering: no deadline, looked at again every idle period. */
        BUSY,
        /** Kept alive between requests. */
        IDLE,
        /** Closed, or upgraded to WebSocket. */
        DONE
    }

    private final Vertx vertx;
    private final Context context;
    private final Duration head;
    private final Duration body;
    private final Duration idle;
    private final Map<HttpConnection, Watch> watches = new HashMap<>();

    ConnectionDeadlines(Vertx vertx, Duration head, Duration body, Duration idle) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.head = head;
        this.body = body;
        this.idle = idle;
    }

    void opened(HttpConnection connection) {
        Watch watch = new Watch(connection);
        watches.put(connection, watch);
        connection.closeHandler(v -> watch.stop());
        if (!BytesIn.watch(connection, watch::bytesArrived) && WARNED.compareAndSet(false, true)) {
            LOG.warning("this Vert.x does not show when request bytes arrive: a kept-alive connection's next request head"
                    + " is bounded by the idle timeout (" + idle + ") instead of " + head);
        }
        watch.enter(Phase.HEAD, head);
    }

    void headArrived(HttpServerRequest request) {
        Watch watch = watches.get(request.connection());
        if (watch != null) {
            watch.headArrived(request);
        }
    }

    /**
     * The connection was upgraded to a WebSocket: it has no deadline of ours any more, and its watch lets
     * go of it (a watch kept the upgrade request, and through it the routing context, for the socket's
     * whole life, with a timer re-armed every idle period: the upgrade ends no response it could follow).
     */
    void upgraded(HttpConnection connection) {
        Watch watch = watches.get(connection);
        if (watch != null) {
            watch.stop();
        }
        BytesIn.unwatch(connection);
    }

    /** Follows the end of the response to the request being routed (once per request). */
    void follow(RoutingContext ctx) {
        Watch watch = watches.get(ctx.request().connection());
        if (watch != null && watch.followed != watch.exchange) {
            int exchange = watch.exchange;
            watch.followed = exchange;
            ctx.addEndHandler(ended -> watch.responseEnded(exchange));
        }
    }

    private final class Watch {
        private final HttpConnection connection;
        private HttpServerRequest request;
        private int exchange;
        private int followed = -1;
        private Phase phase;
        private long deadline;
        private long timer = -1;
        private long timerAt;

        Watch(HttpConnection connection) {
            this.connection = connection;
        }

        /** Called by Netty for every read, on this verticle's event loop but outside its context. */
        void bytesArrived() {
            if (phase == Phase.IDLE) {
                context.runOnContext(v -> {
                    if (phase == Phase.IDLE) {
                        enter(Phase.HEAD, head);
                    }
                });
            }
        }

        void headArrived(HttpServerRequest next) {
            request = next;
            exchange++;
            if (HttpVerticle.declaresBody(next)) {
                enter(Phase.BODY, body);
            } else {
                enter(Phase.BUSY, idle);
            }
        }

        void responseEnded(int ofExchange) {
            if (ofExchange != exchange || phase == Phase.DONE) {
                return;
            }
            if (request.response().getStatusCode() == 101) {
                stop();
            } else if (request.isEnded()) {
                enter(Phase.IDLE, idle);
            }
        }

        void enter(Phase next, Duration within) {
            phase = next;
            deadline = System.nanoTime() + within.toNanos();
            if (timer != -1) {
                if (timerAt - deadline <= 0) {
                    return;
                }
                vertx.cancelTimer(timer);
            }
            arm();
        }

        private void arm() {
            timerAt = deadline;
            long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1;
            timer = vertx.setTimer(Math.max(1, millis), id -> expired());
        }

        /**
         * A timer fired: deadlines only move later without cancelling it, so it re-arms if this one did.
         * An end that was not followed (a request answered before routing) is noticed here, at most an
         * idle period late; a WebSocket upgrade is told ({@link #upgraded}).
         */
        private void expired() {
            timer = -1;
            if (phase == Phase.DONE) {
                return;
            }
            if (System.nanoTime() - deadline < 0) {
                arm();
                return;
            }
            switch (phase) {
                case HEAD -> close("no complete request head within " + head);
                case IDLE -> close("idle for " + idle);
                case BODY -> {
                    if (!request.isEnded()) {
                        close("request body not complete within " + body);
                    } else {
                        answeringOrEnded();
                    }
                }
                default -> answeringOrEnded();
            }
        }

        private void answeringOrEnded() {
            if (request.response().ended()) {
                responseEnded(exchange);
            }
            if (phase != Phase.IDLE && phase != Phase.DONE) {
                enter(Phase.BUSY, idle);
            }
        }

        private void close(String reason) {
            LOG.fine(() -> "closing the connection of " + connection.remoteAddress() + ": " + reason);
            stop();
            connection.close();
        }

        void stop() {
            phase = Phase.DONE;
            if (timer != -1) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            watches.remove(connection);
            // nothing of this watch stays reachable from the connection (an upgraded one lives on)
            request = null;
            connection.closeHandler(null);
        }
    }
}
