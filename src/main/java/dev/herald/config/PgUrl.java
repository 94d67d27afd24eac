package dev.herald.config;

import io.vertx.pgclient.PgConnectOptions;

/** Parses {@code postgresql://user:pass@host:port/db} (also {@code postgres://}) into connect options. */
public final class PgUrl {
    private PgUrl() {
    }

    static String validate(String url) {
        parse(url, "HERALD_PG_URL");
        return url;
    }

    public static PgConnectOptions parse(String url, String variable) {
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new ConfigException(variable + " must look like postgresql://user:pass@host:port/db");
        }
        try {
            PgConnectOptions options = PgConnectOptions.fromUri(url);
            if (options.getDatabase() == null || options.getDatabase().isBlank()) {
                throw new ConfigException(variable + " names no database (postgresql://user:pass@host:port/db)");
            }
            return options;
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigException(variable + " is not a valid PostgreSQL URL: " + e.getMessage());
        }
    }

    /** The URL without its password, for logs and start-up messages. */
    public static String redact(String url) {
        return url.replaceFirst("(://[^:@/]+):[^@]*@", "$1:***@");
    }
}
