package dev.herald.auth;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.errors.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.Set;

/**
 * Token checks with Vert.x Auth JWT: an HS256 secret (configured, or generated once into the data dir)
 * or a PEM public key (RS256/ES256, verification only). {@code HERALD_AUTH=none} lets everyone in as
 * an administrator.
 */
public final class Auth {
    private static final int MAX_TOKEN_LENGTH = 8192;
    /** Verified tokens are remembered briefly (never past their {@code exp}) so a busy client pays once. */
    private static final int CACHE_SIZE = 10_000;
    private static final long CACHE_MILLIS = 30_000;

    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    private record Verified(Principal principal, long until) {
    }

    private final JWTAuth jwt;
    private final boolean enabled;
    private final boolean canMint;
    private final HeraldConfig config;

    private Auth(JWTAuth jwt, boolean enabled, boolean canMint, HeraldConfig config) {
        this.jwt = jwt;
        this.enabled = enabled;
        this.canMint = canMint;
        this.config = config;
    }

    public static Auth create(Vertx vertx, HeraldConfig config) {
        if (config.auth() == HeraldConfig.AuthMode.NONE) {
            return new Auth(null, false, false, config);
        }
        JWTOptions jwtOptions = new JWTOptions();
        config.jwtIssuer().ifPresent(jwtOptions::setIssuer);
        config.jwtAudience().ifPresent(aud -> jwtOptions.setAudience(List.of(aud)));
        JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(jwtOptions);
        if (config.jwtPublicKey().isPresent()) {
            String pem = readPem(config.jwtPublicKey().get());
            options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithmOf(pem)).setBuffer(pem));
            return new Auth(JWTAuth.create(vertx, options), true, false, config);
        }
        String secret = sharedSecret(config).orElseThrow();
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret));
        return new Auth(JWTAuth.create(vertx, options), true, true, config);
    }

    /** The HS256 secret every node of a cluster must share: configured, or the data dir's; empty with a public key or auth off. */
    public static Optional<String> sharedSecret(HeraldConfig config) {
        if (config.auth() == HeraldConfig.AuthMode.NONE || config.jwtPublicKey().isPresent()) {
            return Optional.empty();
        }
        return Optional.of(config.jwtSecret().orElseGet(() -> SecretStore.loadOrCreate(config.dataDir())));
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * The principal behind an {@code Authorization} header value ({@code Bearer <token>}) or a bare
     * token; 401 when it is missing, malformed, forged or expired.
     */
    public Future<Principal> authenticate(String authorization) {
        if (!enabled) {
            return Future.succeededFuture(Principal.ANONYMOUS_ADMIN);
        }
        if (authorization == null || authorization.isBlank()) {
            return Future.failedFuture(ApiError.unauthorized("A bearer token is required (Authorization: Bearer <JWT>)."));
        }
        String token = authorization.strip();
        if (token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = token.substring(7).strip();
        }
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH || token.chars().filter(c -> c == '.').count() != 2) {
            return Future.failedFuture(ApiError.unauthorized("The bearer token is not a JWT."));
        }
        Verified known = verified.get(token);
        if (known != null && known.until > System.currentTimeMillis()) {
            return Future.succeededFuture(known.principal);
        }
        String checked = token;
        Future<io.vertx.ext.auth.User> user;
        try {
            user = jwt.authenticate(new TokenCredentials(token));
        } catch (RuntimeException malformedClaims) {
            // Vert.x Auth reads exp, nbf and iat as numbers and throws when they are not
            return Future.failedFuture(invalid());
        }
        return user.recover(e -> Future.failedFuture(invalid()))
                .compose(u -> {
                    // the verified claims: Vert.x keeps the whole payload as the accessToken attribute
                    JsonObject claims = u.attributes().getJsonObject("accessToken", u.principal());
                    Principal principal = principalOf(claims);
                    return principal == null || principal.expired() ? Future.failedFuture(invalid())
                            : Future.succeededFuture(remember(checked, principal));
                });
    }

    private static ApiError invalid() {
        return ApiError.unauthorized("The bearer token is invalid or expired.");
    }

    /** Remembered briefly, and never past the token's {@code exp}. */
    private Principal remember(String token, Principal principal) {
        long until = Math.min(System.currentTimeMillis() + CACHE_MILLIS, principal.expiresAt());
        if (verified.size() >= CACHE_SIZE) {
            verified.clear();
        }
        verified.put(token, new Verified(principal, until));
        return principal;
    }

    /**
     * The principal a verified token's claims describe; null when its {@code exp} is not a finite
     * number of seconds (a token good until an unreadable time is not good at all).
     */
    private static Principal principalOf(JsonObject claims) {
        long expiresAt = Long.MAX_VALUE;
        if (claims.containsKey("exp")) {
            if (!(claims.getValue("exp") instanceof Number exp) || !Double.isFinite(exp.doubleValue())) {
                return null;
            }
            double millis = exp.doubleValue() * 1000;
            expiresAt = millis >= Long.MAX_VALUE ? Long.MAX_VALUE - 1 : (long) Math.ceil(millis);
        }
        Set<String> permissions = new HashSet<>();
        if (claims.getValue("permissions") instanceof JsonArray list) {
            list.forEach(p -> {
                if (p instanceof String s) {
                    permissions.add(s);
                }
            });
        }
        Object sub = claims.getValue("sub");
        return new Principal(sub instanceof String s ? s : null, Set.copyOf(permissions), expiresAt);
    }

    /** A signed token, when this node holds the secret (not with a public key, not with auth off). */
    public Optional<String> mint(String subject, List<String> permissions, int ttlSeconds) {
        if (!canMint) {
            return Optional.empty();
        }
        JWTOptions options = new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(ttlSeconds).setSubject(subject);
        config.jwtIssuer().ifPresent(options::setIssuer);
        config.jwtAudience().ifPresent(aud -> options.setAudience(List.of(aud)));
        return Optional.of(jwt.generateToken(new JsonObject().put("permissions", new JsonArray(permissions)), options));
    }

    private static String readPem(String value) {
        if (value.startsWith("-----BEGIN")) {
            return value;
        }
        try {
            return Files.readString(Path.of(value));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("HERALD_JWT_PUBLIC_KEY is neither a PEM public key nor a readable file: " + value);
        }
    }

    private static String algorithmOf(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("HERALD_JWT_PUBLIC_KEY is not valid PEM (bad base64)");
        }
        for (String[] kind : new String[][]{{"RSA", "RS256"}, {"EC", "ES256"}}) {
            try {
                KeyFactory.getInstance(kind[0]).generatePublic(new X509EncodedKeySpec(der));
                return kind[1];
            } catch (Exception e) {
                // not this kind of key; try the next
            }
        }
        throw new ConfigException("HERALD_JWT_PUBLIC_KEY is not an RSA or EC public key in PEM (SubjectPublicKeyInfo) form");
    }
}
