package dev.herald.auth;

import java.util.Set;

/**
 * Who is asking and what they may do: permissions are {@code "<model>:<action>"} strings with
 * {@code *} allowed on either side ({@code "*:*"}, {@code "pony:*"}, {@code "*:read"}).
 */
public record Principal(String subject, Set<String> permissions) {
    public static final Principal ANONYMOUS_ADMIN = new Principal("anonymous", Set.of("*:*"));

    public boolean allows(String model, Action action) {
        String verb = action.word();
        return permissions.contains(model + ":" + verb) || permissions.contains(model + ":*")
                || permissions.contains("*:" + verb) || permissions.contains("*:*");
    }
}
