package dev.herald.auth;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import io.vertx.core.Vertx;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code token --sub NAME --permissions 'pony:read,pony:destroy' [--ttl SECONDS]}: prints one token,
 * alone on stdout, signed with the same secret as the node (HERALD_JWT_SECRET or the data dir's).
 */
public final class TokenCommand {
    private static final Pattern PERMISSION = Pattern.compile("(\\*|[a-z][a-z0-9_]*):(\\*|read|create|update|destroy)");
    private static final int DEFAULT_TTL = 24 * 3600;

    private TokenCommand() {
    }

    public static int run(HeraldConfig config, List<String> args) {
        String sub = null;
        String permissions = null;
        int ttl = DEFAULT_TTL;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (i + 1 >= args.size()) {
                throw usage("missing value after " + flag);
            }
            String value = args.get(++i);
            switch (flag) {
                case "--sub" -> sub = value;
                case "--permissions" -> permissions = value;
                case "--ttl" -> ttl = ttl(value);
                default -> throw usage("unknown option " + flag);
            }
        }
        if (sub == null || sub.isBlank()) {
            throw usage("--sub is required");
        }
        List<String> granted = permissions == null ? List.of()
                : Arrays.stream(permissions.split(",")).map(String::strip).filter(p -> !p.isEmpty()).toList();
        for (String p : granted) {
            if (!PERMISSION.matcher(p).matches()) {
                throw usage("permission '" + p + "' is not <model>:<read|create|update|destroy|*>");
            }
        }
        if (config.auth() == HeraldConfig.AuthMode.NONE) {
            throw new ConfigException("HERALD_AUTH=none: there are no tokens to mint");
        }
        Vertx vertx = Vertx.vertx();
        try {
            String token = Auth.create(vertx, config).mint(sub, granted, ttl).orElseThrow(() -> new ConfigException(
                    "HERALD_JWT_PUBLIC_KEY is set: tokens come from the holder of the private key, not from Herald"));
            System.out.println(token);
            return 0;
        } finally {
            vertx.close();
        }
    }

    private static int ttl(String value) {
        try {
            int seconds = Integer.parseInt(value);
            if (seconds > 0) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage("--ttl must be a positive number of seconds");
    }

    private static ConfigException usage(String problem) {
        return new ConfigException(problem + "; usage: token --sub NAME --permissions 'pony:read,pony:destroy' [--ttl SECONDS]");
    }
}
