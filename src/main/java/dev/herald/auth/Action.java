package dev.herald.auth;

import java.util.Locale;

/** The actions a permission grants. */
public enum Action {
    READ, CREATE, UPDATE, DESTROY;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
