package dev.herald.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed configuration, read once from {@code HERALD_*} environment variables (README table).
 * Malformed values are refused; unknown {@code HERALD_*} names are reported as warnings.
 */
public record HeraldConfig(
        String httpHost,
        int httpPort,
        Optional<String> pgUrl,
        Path dataDir,
        Optional<Path> modelsFile,
        boolean demoData,
        boolean cluster,
        Optional<Path> clusterConfig,
        String clusterName,
        int clusterPort,
        AuthMode auth,
        Optional<String> jwtSecret,
        Optional<String> jwtPublicKey,
        Optional<String> jwtIssuer,
        Optional<String> jwtAudience,
        long maxBodyBytes,
        Duration requestTimeout,
        Duration idleTimeout,
        Duration statementTimeout,
        Duration socketIdleTimeout,
        Duration logRetention,
        boolean notificationLog,
        boolean metrics,
        LogFormat logFormat,
        Duration drainTimeout,
        int maxSockets,
        int socketRate,
        List<String> warnings) {

    /** Request heads must arrive within this long (security.md); not configurable. */
    public static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);

    public enum AuthMode { JWT, NONE }

    /** How log records are written on stderr: one line of text, or one JSON object per line. */
    public enum LogFormat {
        TEXT, JSON;

        /** The format {@code HERALD_LOG_FORMAT} names; {@link ConfigException} for anything else. */
        public static LogFormat parse(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw new ConfigException("HERALD_LOG_FORMAT=" + value + " is not text or json");
            };
        }
    }

    static final Set<String> KNOWN = Set.of(
            "HERALD_HTTP_HOST", "HERALD_HTTP_PORT", "HERALD_PG_URL", "HERALD_DATA_DIR", "HERALD_MODELS", "HERALD_DEMO_DATA",
            "HERALD_CLUSTER", "HERALD_CLUSTER_CONFIG", "HERALD_CLUSTER_NAME", "HERALD_CLUSTER_PORT",
            "HERALD_AUTH", "HERALD_JWT_SECRET", "HERALD_JWT_PUBLIC_KEY", "HERALD_JWT_ISSUER",
            "HERALD_JWT_AUDIENCE", "HERALD_MAX_BODY_BYTES", "HERALD_REQUEST_TIMEOUT", "HERALD_IDLE_TIMEOUT",
            "HERALD_STATEMENT_TIMEOUT", "HERALD_SOCKET_IDLE_TIMEOUT", "HERALD_LOG_RETENTION", "HERALD_NOTIFICATION_LOG",
            "HERALD_METRICS", "HERALD_LOG_FORMAT", "HERALD_DRAIN_TIMEOUT", "HERALD_MAX_SOCKETS", "HERALD_SOCKET_RATE");

    public static HeraldConfig fromEnv(Map<String, String> env) {
        Reader r = new Reader(env);
        Optional<Path> models = r.string("HERALD_MODELS").map(Path::of);
        HeraldConfig config = new HeraldConfig(
                r.string("HERALD_HTTP_HOST").orElse("0.0.0.0"),
                r.integer("HERALD_HTTP_PORT", 8080, 0, 65535),
                r.string("HERALD_PG_URL").map(PgUrl::validate),
                Path.of(r.string("HERALD_DATA_DIR").orElse("./herald-data")),
                models,
                r.bool("HERALD_DEMO_DATA", models.isEmpty()),
                r.bool("HERALD_CLUSTER", false),
                r.string("HERALD_CLUSTER_CONFIG").map(Path::of),
                r.string("HERALD_CLUSTER_NAME").orElse("herald"),
                r.integer("HERALD_CLUSTER_PORT", 5701, 1, 65535),
                r.authMode(),
                r.string("HERALD_JWT_SECRET"),
                r.string("HERALD_JWT_PUBLIC_KEY"),
                r.string("HERALD_JWT_ISSUER"),
                r.string("HERALD_JWT_AUDIENCE"),
                r.integer("HERALD_MAX_BODY_BYTES", 16_777_216, 1, Integer.MAX_VALUE),
                r.duration("HERALD_REQUEST_TIMEOUT", Duration.ofSeconds(30)),
                r.duration("HERALD_IDLE_TIMEOUT", Duration.ofSeconds(60)),
                r.duration("HERALD_STATEMENT_TIMEOUT", Duration.ofSeconds(30), MAX_STATEMENT_TIMEOUT),
                r.duration("HERALD_SOCKET_IDLE_TIMEOUT", Duration.ofSeconds(60)),
                r.duration("HERALD_LOG_RETENTION", Duration.ofHours(24)),
                r.bool("HERALD_NOTIFICATION_LOG", true),
                r.bool("HERALD_METRICS", true),
                r.string("HERALD_LOG_FORMAT").map(LogFormat::parse).orElse(LogFormat.TEXT),
                r.duration("HERALD_DRAIN_TIMEOUT", Duration.ofSeconds(30), MAX_DRAIN_TIMEOUT),
                r.integer("HERALD_MAX_SOCKETS", 50_000, 1, 10_000_000),
                r.integer("HERALD_SOCKET_RATE", 200, 1, 1_000_000),
                r.warnings());
        if (config.jwtSecret.isPresent() && config.jwtPublicKey.isPresent()) {
            throw new ConfigException("HERALD_JWT_SECRET and HERALD_JWT_PUBLIC_KEY are both set: choose one");
        }
        if (config.jwtSecret.filter(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32).isPresent()) {
            throw new ConfigException("HERALD_JWT_SECRET must be at least 32 bytes long for HS256");
        }
        return config;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)?");
    private static final Duration MAX_DURATION = Duration.ofDays(30);
    /** PostgreSQL takes at most 2^31-1 ms for statement_timeout (about 24.8 days). */
    private static final Duration MAX_STATEMENT_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);
    /** A drain longer than an hour is a stuck node, not a graceful one. */
    private static final Duration MAX_DRAIN_TIMEOUT = Duration.ofHours(1);

    private static final class Reader {
        private final Map<String, String> env;
        private final List<String> warnings = new ArrayList<>();

        Reader(Map<String, String> env) {
            this.env = env;
            env.keySet().stream()
                    .filter(k -> k.startsWith("HERALD_") && !KNOWN.contains(k))
                    .sorted()
                    .forEach(k -> warnings.add("unknown variable " + k + " ignored (typo?)"));
        }

        Optional<String> string(String name) {
            String v = env.get(name);
            if (v == null || v.isBlank()) {
                return Optional.empty();
            }
            return Optional.of(v.strip());
        }

        int integer(String name, int fallback, int min, int max) {
            return string(name).map(v -> {
                try {
                    int n = Integer.parseInt(v);
                    if (n < min || n > max) {
                        throw new ConfigException(name + "=" + v + " is out of range " + min + ".." + max);
                    }
                    return n;
                } catch (NumberFormatException e) {
                    throw new ConfigException(name + "=" + v + " is not a whole number");
                }
            }).orElse(fallback);
        }

        boolean bool(String name, boolean fallback) {
            return string(name).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new ConfigException(name + "=" + v + " is not true or false");
            }).orElse(fallback);
        }

        /**
         * A duration: a whole number with a unit ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h},
         * {@code 7d}), or a bare number of seconds; from 1 ms to 30 days.
         */
        Duration duration(String name, Duration fallback) {
            return duration(name, fallback, MAX_DURATION);
        }

        Duration duration(String name, Duration fallback, Duration max) {
            return string(name).map(v -> {
                Matcher m = DURATION.matcher(v);
                if (!m.matches()) {
                    throw new ConfigException(name + "=" + v + " is not a duration (examples: 500ms, 30s, 5m, 24h, 7d)");
                }
                Duration d;
                try {
                    long n = Long.parseLong(m.group(1));
                    d = switch (m.group(2) == null ? "s" : m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
                } catch (NumberFormatException | ArithmeticException e) {
                    d = null;
                }
                if (d == null || d.isZero() || d.compareTo(max) > 0) {
                    throw new ConfigException(name + "=" + v + " is out of range 1ms.." + (max.equals(MAX_DURATION) ? "30d" : max.equals(MAX_DRAIN_TIMEOUT) ? "1h" : max.toMillis() + "ms"));
                }
                return d;
            }).orElse(fallback);
        }

        AuthMode authMode() {
            return string("HERALD_AUTH").map(v -> switch (v.toLowerCase(Locale.ROOT)) {
                case "jwt" -> AuthMode.JWT;
                case "none" -> AuthMode.NONE;
                default -> throw new ConfigException("HERALD_AUTH=" + v + " is not jwt or none");
            }).orElse(AuthMode.JWT);
        }

        List<String> warnings() {
            return List.copyOf(warnings);
        }
    }
}
