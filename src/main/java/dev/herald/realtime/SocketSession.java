package dev.herald.realtime;

import dev.herald.auth.Auth;
import dev.herald.auth.Principal;
import dev.herald.errors.ApiError;
import dev.herald.errors.Failures;
import dev.herald.metrics.HeraldMeters;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.logging.Logger;

/**
 * One connected SockJS socket: its id, the event loop it lives on, who it is (the token a frame
 * carries, else the one it is authenticated with until that token's {@code exp}, else the
 * {@code ?access_token=} it connected with) and when it was last heard from. Writes always hop to the
 * socket's own context.
 *
 * <p>Back-pressure (security.md): the socket stops being read while more than {@value #PAUSE_BYTES}
 * bytes of frames wait to be written to its peer, or while {@value #MAX_IN_FLIGHT} of its requests
 * are unanswered, and is read again once both are down to half; past {@value #CLOSE_BYTES} waiting
 * bytes (notifications keep coming to a peer that reads nothing) it is closed. A raw WebSocket is
 * paused for real (its peer's writes wait in TCP); the SockJS transports go on reading whatever the
 * peer sends (Vert.x queues it without bound), so their frames that arrive meanwhile are held here,
 * and a peer that sends more than {@value #HELD_BYTES} bytes of them is closed. The bytes waiting for
 * all the sockets of the process (one node) are counted too: past {@value #NODE_WAITING_BYTES} in all, a
 * socket whose peer has left more than {@value #SLOW_BYTES} unread is closed at its next frame, so many
 * sockets that read nothing cannot make a node hold 16 MiB for each.
 *
 * <p>Rate (README "Limits"): a token bucket of {@code rate} frames, refilled at {@code rate} per second,
 * kept as two numbers and updated as frames arrive (no timer). A frame that finds it empty goes to the
 * refused handler instead of being run; a socket that keeps sending too fast for {@value #ABUSE_SECONDS}
 * s (refused frames with never a second between them) is closed.
 */
final class SocketSession {
    static final long PAUSE_BYTES = 1024 * 1024;
    static final long CLOSE_BYTES = 16 * 1024 * 1024;
    static final long NODE_WAITING_BYTES = 256L * 1024 * 1024;
    static final long SLOW_BYTES = 256 * 1024;
    /** Bytes of frames waiting for every socket of this process; a node is one process. */
    private static final java.util.concurrent.atomic.AtomicLong NODE_WAITING = new java.util.concurrent.atomic.AtomicLong();
    /** {@value #NODE_WAITING_BYTES}, lowered by tests. */
    static volatile long nodeWaitingLimit = NODE_WAITING_BYTES;
    static final int MAX_IN_FLIGHT = 64;
    static final long HELD_BYTES = 2L * SocketEndpoint.MAX_FRAME_BYTES;
    static final long ABUSE_SECONDS = 10;
    /** The WebSocket close code of a server going away: clients reconnect, to another node. */
    static final int GOING_AWAY = 1001;
    /** The WebSocket close code of a peer that broke the rules (here: its frame rate, for too long). */
    static final int POLICY_VIOLATION = 1008;
    private static final long NANOS = 1_000_000_000L;
    private static final long ABUSE_NANOS = ABUSE_SECONDS * NANOS;
    private static final Logger LOG = Logger.getLogger(SocketSession.class.getName());

    /**
     * The position of the last notification frame sent to this socket: the next must be larger. Read and
     * written only on the subscription verticle's context (which decides what the socket is sent).
     */
    long lastSeq;

    private final String id;
    private final Transport socket;
    private final Context context;
    private final Auth auth;
    /** Created on the first frame held: most sockets never have one, and 10,000 empty deques are 0.9 MB. */
    private Deque<Buffer> held;
    private long heldBytes;
    private Handler<Buffer> frames = data -> { };
    private Handler<Buffer> refused = data -> { };
    private final long frameCost;
    private final long bucketSize;
    private long credit;
    private long refilledAt = System.nanoTime();
    private long abuseSince;
    private long lastRefused;
    private volatile long unauthenticatedSince = System.nanoTime();
    private volatile Principal principal;
    private volatile Future<Principal> connectAuthentication;
    private volatile long lastSeen = System.nanoTime();
    private volatile Runnable onExpiry = () -> { };
    private long expiryTimer = -1;
    private long waitingBytes;
    private int inFlight;
    private boolean paused;
    private boolean closed;
    /** The thread of the socket's context: its counters are only touched there. */
    private final Thread contextThread = Thread.currentThread();

    SocketSession(String id, Transport socket, Context context, Auth auth, int rate) {
        this.frameCost = NANOS / rate;
        this.bucketSize = frameCost * rate;
        this.credit = bucketSize;
        this.id = id;
        this.socket = socket;
        this.context = context;
        this.auth = auth;
    }

    String id() {
        return id;
    }

    /** The principal of the socket's token while that token has not expired; null otherwise. */
    Principal principal() {
        Principal p = principal;
        return p == null || p.expired() ? null : p;
    }

    /** Whether notifications may reach this socket now: authentication is off, or its token is still good. */
    boolean authorized() {
        return !auth.enabled() || principal() != null;
    }

    /**
     * Checks the {@code ?access_token=} the socket connected with, if any: frames without a token of their
     * own wait on that check; a refused token is answered with an {@code err} frame.
     */
    void checkAccessToken() {
        String token = accessToken(socket.uri());
        if (token != null) {
            connectAuthentication = auth.authenticate(token)
                    .onSuccess(this::authenticated)
                    .onFailure(e -> send(Frames.err(401, null, Failures.toApiError(e).getMessage())));
        }
    }

    private static String accessToken(String uri) {
        if (uri == null) {
            return null;
        }
        try {
            List<String> values = new QueryStringDecoder(uri).parameters().get("access_token");
            return values == null || values.isEmpty() ? null : values.get(0);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The token a frame carries: its {@code headers.authorization}, else its body's (a virtual request's); null if none. */
    static String tokenOf(JsonObject frame, JsonObject body) {
        String header = stringAt(frame.getValue("headers"), "authorization");
        if (header == null && body != null) {
            header = stringAt(body.getValue("headers"), "authorization");
        }
        return header;
    }

    private static String stringAt(Object headers, String name) {
        if (headers instanceof JsonObject h) {
            for (String key : h.fieldNames()) {
                if (key.equalsIgnoreCase(name) && h.getValue(key) instanceof String s) {
                    return s;
                }
            }
        }
        return null;
    }

    /**
     * Who a frame acts as: the token of the frame, which authenticates the socket, else the one the
     * socket is authenticated with, while it has not expired.
     */
    Future<Principal> principalOf(JsonObject frame, JsonObject body) {
        String header = tokenOf(frame, body);
        if (header != null) {
            return auth.authenticate(header).onSuccess(this::authenticated);
        }
        if (!auth.enabled()) {
            return auth.authenticate(null);
        }
        Principal known = principal();
        if (known != null) {
            return Future.succeededFuture(known);
        }
        Future<Principal> connecting = connectAuthentication;
        if (connecting != null && !connecting.isComplete()) {
            return connecting.compose(p -> p.expired() ? Future.failedFuture(ApiError.unauthorized("token expired")) : Future.succeededFuture(p));
        }
        if (connecting != null && connecting.failed()) {
            return connecting;
        }
        return Future.failedFuture(ApiError.unauthorized("A bearer token is required: headers.authorization or ?access_token=."));
    }

    /** What happens when the socket's token reaches its {@code exp} (set once, before any token is accepted). */
    void onExpiry(Runnable action) {
        this.onExpiry = action;
    }

    /** The socket now acts as {@code principal}, until its token's {@code exp}. */
    void authenticated(Principal principal) {
        this.principal = principal;
        this.unauthenticatedSince = 0;
        context.runOnContext(v -> expireAt(principal));
    }

    private void expireAt(Principal p) {
        if (expiryTimer >= 0) {
            context.owner().cancelTimer(expiryTimer);
            expiryTimer = -1;
        }
        if (principal != p || p.expiresAt() == Long.MAX_VALUE) {
            return;
        }
        long delay = Math.max(1, p.expiresAt() - System.currentTimeMillis());
        expiryTimer = context.owner().setTimer(delay, t -> {
            expiryTimer = -1;
            if (principal == p) {
                principal = null;
                unauthenticatedSince = System.nanoTime();
                connectAuthentication = null;
                onExpiry.run();
            }
        });
    }

    /** The socket is gone: no expiry to wait for. */
    void closed() {
        context.runOnContext(v -> {
            closed = true;
            principal = null;
            if (expiryTimer >= 0) {
                context.owner().cancelTimer(expiryTimer);
                expiryTimer = -1;
            }
        });
    }

    String subject() {
        Principal p = principal();
        return p == null ? null : p.subject();
    }

    /** Where the socket's frames go, in order, while it is read. */
    void onFrames(Handler<Buffer> handler) {
        this.frames = handler;
        socket.handler(this::arrived);
    }

    /** Where frames over the socket's rate go instead (they are not run). */
    void onRefused(Handler<Buffer> handler) {
        this.refused = handler;
    }

    /** Whether the bucket has a frame's worth of credit, taking it; confined to the socket's context. */
    private boolean withinRate(long now) {
        credit = Math.min(bucketSize, credit + (now - refilledAt));
        refilledAt = now;
        if (credit >= frameCost) {
            credit -= frameCost;
            return true;
        }
        if (lastRefused == 0 || now - lastRefused > NANOS) {
            abuseSince = now;
        }
        lastRefused = now;
        return false;
    }

    private void arrived(Buffer data) {
        heard();
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (!withinRate(now)) {
            if (now - abuseSince >= ABUSE_NANOS) {
                LOG.warning(() -> "closing socket " + id + ": it sent frames faster than its rate for " + ABUSE_SECONDS + " s");
                closed = true;
                socket.close(POLICY_VIOLATION, "too many frames");
                return;
            }
            refused.handle(data);
            return;
        }
        if (!paused) {
            frames.handle(data);
            return;
        }
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(data);
        heldBytes += data.length();
        if (heldBytes > HELD_BYTES && !closed) {
            LOG.warning(() -> "closing socket " + id + ": its peer sent more than " + HELD_BYTES
                    + " bytes of frames while its replies waited unread");
            closed = true;
            socket.close();
        }
    }

    void heard() {
        lastSeen = System.nanoTime();
    }

    long silentNanos(long now) {
        return now - lastSeen;
    }

    /** How long the socket has gone without a valid token (0 while it has one, or when authentication is off). */
    long unauthenticatedNanos(long now) {
        long since = unauthenticatedSince;
        return since == 0 || !auth.enabled() || principal() != null ? 0 : now - since;
    }

    void send(Buffer frame) {
        onContext(() -> write(frame));
    }

    /** Sends a notification frame, counted once written, with its delay from {@code committedAt} (0: a replayed one). */
    void sendNotification(Buffer frame, long committedAt, HeraldMeters meters) {
        onContext(() -> write(frame, meters, committedAt));
    }

    /** Notification frames in order, written in one task on the socket's context, each counted like one. */
    void sendNotifications(List<Buffer> frames, long committedAt, HeraldMeters meters) {
        onContext(() -> frames.forEach(frame -> write(frame, meters, committedAt)));
    }

    /**
     * A request of this socket's is being worked on: its reply will follow. Counted at once when called on
     * the socket's context (as its frames are): one read of the transport can hold thousands of frames, and
     * the ones after the {@value #MAX_IN_FLIGHT}th must wait, not run.
     */
    void requestStarted() {
        if (Thread.currentThread() == contextThread) {
            inFlight++;
            flow();
        } else {
            onContext(() -> {
                inFlight++;
                flow();
            });
        }
    }

    /** Sends a request's reply (or nothing, for a request without a reply address) and counts it answered. */
    void requestAnswered(Buffer reply) {
        onContext(() -> {
            inFlight--;
            if (reply != null) {
                write(reply);
            }
            flow();
        });
    }

    /**
     * Runs {@code action} on the socket's context, always queued behind what was asked for before: a
     * reply must never overtake the notification frames sent ahead of it (a resume's replay, the frames a
     * subscribe's {@code seq} counts), even when the caller runs on the same event loop as the socket.
     */
    private void onContext(Runnable action) {
        context.runOnContext(v -> action.run());
    }

    private void write(Buffer frame) {
        write(frame, null, 0);
    }

    /** Hands the frame to the transport, unless the socket is closed; a notification is {@code counted} then. */
    private void write(Buffer frame, HeraldMeters counted, long committedAt) {
        if (closed) {
            return;
        }
        int length = frame.length();
        waitingBytes += length;
        long nodeWaiting = NODE_WAITING.addAndGet(length);
        boolean nodeFull = nodeWaiting > nodeWaitingLimit && waitingBytes > SLOW_BYTES;
        if (waitingBytes > CLOSE_BYTES || nodeFull) {
            waitingBytes -= length;
            NODE_WAITING.addAndGet(-length);
            long unread = waitingBytes;
            LOG.warning(() -> "closing socket " + id + ": its peer left " + unread + " bytes unread"
                    + (nodeFull ? " while this node's sockets wait for more than " + nodeWaitingLimit + " bytes in all" : ""));
            closed = true;
            socket.close();
            return;
        }
        if (counted != null) {
            counted.notificationWritten(committedAt);
        }
        socket.write(frame).onComplete(done -> {
            waitingBytes -= length;
            NODE_WAITING.addAndGet(-length);
            flow();
        });
        flow();
    }

    private void flow() {
        if (closed) {
            return;
        }
        if (!paused && (waitingBytes > PAUSE_BYTES || inFlight >= MAX_IN_FLIGHT)) {
            paused = true;
            socket.pause();
        } else if (paused && waitingBytes <= PAUSE_BYTES / 2 && inFlight <= MAX_IN_FLIGHT / 2) {
            paused = false;
            socket.resume();
            while (!paused && !closed && held != null && !held.isEmpty()) {
                Buffer next = held.poll();
                heldBytes -= next.length();
                frames.handle(next);
            }
        }
    }

    void close() {
        context.runOnContext(v -> {
            closed = true;
            socket.close();
        });
    }

    /**
     * Closes the socket with a WebSocket close code, after whatever was queued for it before (frames
     * already sent go out first); completes once it is closed.
     */
    Future<Void> close(int code, String reason) {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        context.runOnContext(v -> {
            if (!closed) {
                closed = true;
                socket.close(code, reason);
            }
            done.complete();
        });
        return done.future();
    }
}
