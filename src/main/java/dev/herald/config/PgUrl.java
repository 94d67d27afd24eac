package dev.herald.config;

import io.vertx.pgclient.PgConnectOptions;

import java.util.regex.Pattern;

/** Parses {@code postgresql://user:pass@host:port/db} (also {@code postgres://}) into connect options. */
public final class PgUrl {
    /** A password given as a query parameter ({@code ?user=u&password=p}), which the client also accepts. */
    private static final Pattern QUERY_PASSWORD = Pattern.compile("([?&]password=)[^&#]*", Pattern.CASE_INSENSITIVE);
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
            String reason = String.valueOf(e.getMessage()).replace(url, redact(url));
            throw new ConfigException(variable + " is not a valid PostgreSQL URL: " + reason);
        }
    }

    /**
     * The URL without its password, for logs and start-up messages. The password runs to the last {@code @}
     * (an unescaped {@code @} or {@code /} may be part of it), so a doubt hides too much, never too little.
     */
    public static String redact(String url) {
        String hidden = QUERY_PASSWORD.matcher(url).replaceAll("$1***");
        int start = hidden.indexOf("://") + 3;
        int at = hidden.lastIndexOf('@');
        int colon = hidden.indexOf(':', start);
        if (start < 3 || at < start || colon < 0 || colon > at) {
            return hidden;
        }
        return hidden.substring(0, colon + 1) + "***" + hidden.substring(at);
    }

    /** Names the server, database and user of {@code options} for messages; never the password. */
    public static String describe(PgConnectOptions options) {
        return "PostgreSQL at " + options.getHost() + ":" + options.getPort() + ", database '" + options.getDatabase()
                + "', user '" + options.getUser() + "'";
    }
}
