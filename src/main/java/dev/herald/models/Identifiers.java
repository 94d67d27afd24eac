package dev.herald.models;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/** Rules for the names of models and attributes, and quoting of SQL identifiers derived from them. */
public final class Identifiers {
    static final Pattern MODEL = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");
    /** Path segments that other features own, and the attributes every model has. */
    static final Set<String> RESERVED_MODELS = Set.of("api", "health", "metrics", "realtime", "entity");
    static final Set<String> RESERVED_ATTRIBUTES = Set.of(Model.ID, Model.CREATED_AT, Model.UPDATED_AT);
    private static final int MAX_PG_IDENTIFIER = 63;

    private Identifiers() {
    }

    /** Double-quotes an identifier; the names were validated against the patterns above. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Shortens a derived name to PostgreSQL's limit, keeping it unique with a hash suffix. */
    public static String fit(String name) {
        if (name.length() <= MAX_PG_IDENTIFIER) {
            return name;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return name.substring(0, MAX_PG_IDENTIFIER - 9) + "_" + HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
