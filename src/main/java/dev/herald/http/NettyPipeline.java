package dev.herald.http;

import io.netty.channel.ChannelHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The one way into Vert.x internals: a Netty handler put first in an HTTP connection's pipeline, for
 * what no public Vert.x API offers ({@link BytesIn}, {@link FlushBatching}).
 */
final class NettyPipeline {
    private NettyPipeline() {
    }

    /** Adds {@code handler} first in the connection's pipeline; false if this Vert.x does not allow it. */
    static boolean addFirst(HttpConnection connection, String name, ChannelHandler handler) {
        try {
            if (!(connection instanceof ConnectionBase base)) {
                return false;
            }
            base.channel().pipeline().addFirst(name, handler);
            return true;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** Removes the handler named {@code name} from the connection's pipeline, if it is there. */
    static void remove(HttpConnection connection, String name) {
        try {
            if (connection instanceof ConnectionBase base && base.channel().pipeline().get(name) != null) {
                base.channel().pipeline().remove(name);
            }
        } catch (LinkageError | RuntimeException e) {
            // not there (any more): nothing to remove
        }
    }
}
