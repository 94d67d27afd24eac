package dev.herald.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Tells when bytes arrive on an HTTP connection. No public Vert.x API shows the first byte of a
 * request head (the request handler only sees complete heads), and without it the head timeout of a
 * kept-alive connection could only be measured from its previous response. This is the one place
 * that reaches into Vert.x internals (the connection's Netty channel); when it cannot, connections
 * fall back to that coarser bound, and HttpLimitsTest fails.
 */
final class BytesIn {
    private BytesIn() {
    }

    /** Runs {@code onRead} on the connection's event loop whenever bytes arrive; false if this Vert.x does not allow it. */
    static boolean watch(HttpConnection connection, Runnable onRead) {
        try {
            if (!(connection instanceof ConnectionBase base)) {
                return false;
            }
            base.channel().pipeline().addFirst("herald-bytes-in", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    onRead.run();
                    ctx.fireChannelRead(msg);
                }
            });
            return true;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
