package dev.herald;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.jul.Log4jBridgeHandler;

/**
 * Every log record goes to Log4j ({@code log4j2.xml}), one per line on stderr (stdout is kept for what a
 * person or a script reads): Herald's own classes log through java.util.logging, bridged here;
 * Vert.x, Netty and the embedded PostgreSQL through SLF4J; Hazelcast is told to use Log4j. A
 * {@code log4j2.configurationFile} given to the JVM replaces Herald's configuration.
 */
final class Logging {
    /** The system property {@code log4j2.xml} reads to pick its appender: {@code text} or {@code json}. */
    static final String FORMAT_PROPERTY = "herald.log.format";

    private Logging() {
    }

    /**
     * Before anything logs. {@code format} is {@code HERALD_LOG_FORMAT} as given; a value that is not a
     * format leaves text on, and the configuration, read next, refuses it.
     */
    static void configure(String format) {
        System.setProperty(FORMAT_PROPERTY, isJson(format) ? "json" : "text");
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "log4j2");
        }
        // started now, with this configuration: started by the first record instead, Log4j could be
        // starting while the JVM already exits (a refused configuration), and say so on stderr
        LogManager.getContext(false);
        Log4jBridgeHandler.install(true, null, true);
    }

    private static boolean isJson(String format) {
        try {
            return format != null && !format.isBlank() && HeraldConfig.LogFormat.parse(format) == HeraldConfig.LogFormat.JSON;
        } catch (ConfigException e) {
            return false;
        }
    }
}
