package dev.herald.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.http.HttpConnection;

/**
 * Tells when bytes arrive on an HTTP connection. No public Vert.x API shows the first byte of a
 * request head (the request handler only sees complete heads), and without it the head timeout of a
 * kept-alive connection could only be measured from its previous response. It reaches into Vert.x
 * internals ({@link NettyPipeline}); when it cannot, connections fall back to that coarser bound, and
 * HttpLimitsTest fails.
 */
final class BytesIn {
    private static final String NAME = "herald-bytes-in";

    private BytesIn() {
    }

    /** Stops telling (the handler held {@code onRead}, and what it holds, for the connection's life). */
    static void unwatch(HttpConnection connection) {
        NettyPipeline.remove(connection, NAME);
    }

    /** Runs {@code onRead} on the connection's event loop whenever bytes arrive; false if this Vert.x does not allow it. */
    static boolean watch(HttpConnection connection, Runnable onRead) {
        return NettyPipeline.addFirst(connection, NAME, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                onRead.run();
                ctx.fireChannelRead(msg);
            }
        });
    }
}
