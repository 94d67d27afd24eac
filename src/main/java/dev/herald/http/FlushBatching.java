package dev.herald.http;

import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;

/**
 * One flush per event-loop task on an HTTP connection, not one per write. Vert.x flushes every write
 * made outside a read at once: a change that sends a socket a thousand frames cost a thousand
 * {@code write} system calls. Netty's {@link FlushConsolidationHandler}, first in the connection's
 * pipeline, lets the flushes of one task through as one, in a task right behind it (and at once every
 * 256 flushes, when the channel stops being writable, and before a close). It reaches into Vert.x
 * internals ({@link NettyPipeline}); when it cannot, writes flush one by one as before.
 */
final class FlushBatching {
    static final String NAME = "herald-flush-batching";

    private FlushBatching() {
    }

    /** Installs the batching on the connection; false if this Vert.x does not allow it. */
    static boolean install(HttpConnection connection) {
        return NettyPipeline.addFirst(connection, NAME, new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    }
}
