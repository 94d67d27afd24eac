package dev.herald.realtime;

import dev.herald.auth.Principal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * One connected SockJS socket: its id, the event loop it lives on, who it is authenticated as (until
 * that token's {@code exp}) and when it was last heard from. Writes always hop to the socket's own
 * context.
 */
final class SocketSession {
    private final String id;
    private final SockJSSocket socket;
    private final Context context;
    private final boolean authRequired;
    private volatile Principal principal;
    private volatile Future<Principal> connectAuthentication;
    private volatile long lastSeen = System.nanoTime();
    private volatile Runnable onExpiry = () -> { };
    private long expiryTimer = -1;

    SocketSession(String id, SockJSSocket socket, Context context, boolean authRequired) {
        this.id = id;
        this.socket = socket;
        this.context = context;
        this.authRequired = authRequired;
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
        return !authRequired || principal() != null;
    }

    /** The check of the {@code ?access_token=} the socket connected with; frames without a token wait on it. */
    void connectedWith(Future<Principal> authentication) {
        this.connectAuthentication = authentication;
    }

    Future<Principal> connectAuthentication() {
        return connectAuthentication;
    }

    /** What happens when the socket's token reaches its {@code exp} (set once, before any token is accepted). */
    void onExpiry(Runnable action) {
        this.onExpiry = action;
    }

    /** The socket now acts as {@code principal}, until its token's {@code exp}. */
    void authenticated(Principal principal) {
        this.principal = principal;
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
                connectAuthentication = null;
                onExpiry.run();
            }
        });
    }

    /** The socket is gone: no expiry to wait for. */
    void closed() {
        context.runOnContext(v -> {
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

    void heard() {
        lastSeen = System.nanoTime();
    }

    long silentNanos(long now) {
        return now - lastSeen;
    }

    void send(Buffer frame) {
        context.runOnContext(v -> socket.write(frame));
    }

    void close() {
        context.runOnContext(v -> socket.close());
    }
}
