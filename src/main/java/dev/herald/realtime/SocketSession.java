package dev.herald.realtime;

import dev.herald.auth.Principal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * One connected SockJS socket: its id, the event loop it lives on, who it last authenticated as and
 * when it was last heard from. Writes always hop to the socket's own context.
 */
final class SocketSession {
    private final String id;
    private final SockJSSocket socket;
    private final Context context;
    private volatile Principal principal;
    private volatile Future<Principal> connectAuthentication;
    private volatile long lastSeen = System.nanoTime();

    SocketSession(String id, SockJSSocket socket, Context context) {
        this.id = id;
        this.socket = socket;
        this.context = context;
    }

    String id() {
        return id;
    }

    Principal principal() {
        return principal;
    }

    /** The check of the {@code ?access_token=} the socket connected with; frames without a token wait on it. */
    void connectedWith(Future<Principal> authentication) {
        this.connectAuthentication = authentication;
    }

    Future<Principal> connectAuthentication() {
        return connectAuthentication;
    }

    void authenticated(Principal principal) {
        this.principal = principal;
    }

    String subject() {
        Principal p = principal;
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
