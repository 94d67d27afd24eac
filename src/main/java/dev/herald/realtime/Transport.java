package dev.herald.realtime;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * What a {@link SocketSession} needs of the connection under it: Herald's own raw WebSocket
 * ({@code /realtime/websocket}, {@link #of(ServerWebSocket)}), or one of SockJS's transports
 * ({@link #of(SockJSSocket)}).
 */
interface Transport {
    /** The URI the client opened the connection with (its {@code ?access_token=}, if any). */
    String uri();

    /** Where the client's frames go, each as one buffer. */
    void handler(Handler<Buffer> frames);

    void closeHandler(Handler<Void> onClose);

    void exceptionHandler(Handler<Throwable> failed);

    /** Sends one frame; completes once it was written (or failed: the connection is gone). */
    Future<Void> write(Buffer frame);

    void close();

    /** Closes with a WebSocket close code and reason (SockJS: its {@code c[code,"reason"]} frame). */
    void close(int code, String reason);

    /**
     * Stops reading the connection, so the peer's writes wait in TCP (a raw WebSocket); SockJS's
     * transports go on reading whatever the pause, so for them this does nothing and the session holds
     * what arrives meanwhile.
     */
    void pause();

    void resume();

    /**
     * A raw WebSocket, kept alone: not the request it was upgraded from, so an idle session holds the
     * WebSocket's connection and nothing of the HTTP one (SockJS's raw transport keeps its routing
     * context, and through it the HTTP connection and its outbound queue, for the socket's life).
     * Frames go out binary and come in text or binary, as with SockJS's raw transport; once this side closed
     * it, writes fail at once, as they did there.
     */
    static Transport of(ServerWebSocket ws) {
        return new Transport() {
            /** Closed by this side: nothing is written after the close frame (Vert.x would until the peer answers it). */
            private boolean closed;

            @Override
            public String uri() {
                return ws.uri();
            }

            @Override
            public void handler(Handler<Buffer> frames) {
                // whole messages, however fragmented (up to the server's maximum message size)
                ws.binaryMessageHandler(frames);
                ws.textMessageHandler(text -> frames.handle(Buffer.buffer(text)));
            }

            @Override
            public void closeHandler(Handler<Void> onClose) {
                ws.closeHandler(onClose);
            }

            @Override
            public void exceptionHandler(Handler<Throwable> failed) {
                ws.exceptionHandler(failed);
            }

            @Override
            public Future<Void> write(Buffer frame) {
                return closed ? Future.failedFuture("the WebSocket is closed") : ws.writeBinaryMessage(frame);
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    ws.close();
                }
            }

            @Override
            public void close(int code, String reason) {
                if (!closed) {
                    closed = true;
                    ws.close((short) code, reason);
                }
            }

            @Override
            public void pause() {
                ws.pause();
            }

            @Override
            public void resume() {
                ws.resume();
            }
        };
    }

    /** One of SockJS's session transports (WebSocket, XHR, EventSource...), framed by SockJS. */
    static Transport of(SockJSSocket socket) {
        return new Transport() {
            @Override
            public String uri() {
                return socket.uri();
            }

            @Override
            public void handler(Handler<Buffer> frames) {
                socket.handler(frames);
            }

            @Override
            public void closeHandler(Handler<Void> onClose) {
                socket.closeHandler(onClose);
            }

            @Override
            public void exceptionHandler(Handler<Throwable> failed) {
                socket.exceptionHandler(failed);
            }

            @Override
            public Future<Void> write(Buffer frame) {
                return socket.write(frame);
            }

            @Override
            public void close() {
                socket.close();
            }

            @Override
            public void close(int code, String reason) {
                socket.close(code, reason);
            }

            @Override
            public void pause() {
                // SockJS queues what its transports read without bound whatever the pause
            }

            @Override
            public void resume() {
                // nothing was paused
            }
        };
    }
}
