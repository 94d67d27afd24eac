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
        // the grants that name no model first: they need no string built (checked per socket and delivery)
        return permissions.contains("*:*") || permissions.contains(action.onEveryModel())
                || permissions.contains(model + ":*") || permissions.contains(model + ":" + action.word());
    }
}
