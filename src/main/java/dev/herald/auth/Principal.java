package dev.herald.auth;

import java.util.Set;

/**
 * Who is asking, what they may do and until when: permissions are {@code "<model>:<action>"} strings
 * with {@code *} allowed on either side ({@code "*:*"}, {@code "pony:*"}, {@code "*:read"});
 * {@code expiresAt} is the token's {@code exp} in epoch milliseconds ({@link Long#MAX_VALUE} without one).
 */
public record Principal(String subject, Set<String> permissions, long expiresAt) {
    public static final Principal ANONYMOUS_ADMIN = new Principal("anonymous", Set.of("*:*"), Long.MAX_VALUE);

    /** Whether the token behind this principal has reached its {@code exp}. */
    public boolean expired() {
        return expiresAt != Long.MAX_VALUE && System.currentTimeMillis() >= expiresAt;
    }

    public boolean allows(String model, Action action) {
        String verb = action.word();
        return permissions.contains(model + ":" + verb) || permissions.contains(model + ":*")
                || permissions.contains("*:" + verb) || permissions.contains("*:*");
    }
}
