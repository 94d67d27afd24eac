package dev.herald;

import java.io.IOException;
import java.io.InputStream;
import java.util.logging.LogManager;

/** One-line log records on stderr (stdout is kept for what a person or a script reads). */
final class Logging {
    private Logging() {
    }

    static void configure() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        try (InputStream in = Logging.class.getResourceAsStream("/herald-logging.properties")) {
            LogManager.getLogManager().readConfiguration(in);
        } catch (IOException e) {
            System.err.println("herald: logging configuration not loaded: " + e.getMessage());
        }
    }
}
