package dev.herald.config;

/** A configuration value that Herald refuses to start with; the message names the variable. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
