package dev.herald;

import org.apache.logging.log4j.core.util.ContextDataProvider;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a log record says beyond its message (the JSON format's {@code node} and {@code correlationId}):
 * the node id of this process once it is known, and the correlation id of the failure being logged.
 * Log4j asks for it on every record (a {@link ContextDataProvider}, registered as a service), on the
 * thread that logs, which is the thread of the logging call: Herald's loggers hand records to Log4j
 * synchronously.
 */
public final class LogContext implements ContextDataProvider {
    private static volatile String node;
    private static final ThreadLocal<String> CORRELATION_ID = new ThreadLocal<>();

    /** Every record from now on names this node (one node per process; the last one set in tests). */
    public static void node(String id) {
        node = id;
    }

    /** Runs {@code logging} with {@code correlationId} on its records: the id a client was given for the failure. */
    public static void withCorrelationId(String correlationId, Runnable logging) {
        String outer = CORRELATION_ID.get();
        CORRELATION_ID.set(correlationId);
        try {
            logging.run();
        } finally {
            if (outer == null) {
                CORRELATION_ID.remove();
            } else {
                CORRELATION_ID.set(outer);
            }
        }
    }

    @Override
    public Map<String, String> supplyContextData() {
        String n = node;
        String c = CORRELATION_ID.get();
        if (n == null && c == null) {
            return Map.of();
        }
        Map<String, String> data = new HashMap<>(4);
        if (n != null) {
            data.put("node", n);
        }
        if (c != null) {
            data.put("correlationId", c);
        }
        return data;
    }
}
