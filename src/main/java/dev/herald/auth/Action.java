package dev.herald.auth;

import java.util.Locale;

/** The actions a permission grants. */
public enum Action {
    READ, CREATE, UPDATE, DESTROY;

    private final String word = name().toLowerCase(Locale.ROOT);
    private final String onEveryModel = "*:" + word;

    public String word() {
        return word;
    }

    /** The permission that grants this action on every model: {@code "*:<word>"}. */
    String onEveryModel() {
        return onEveryModel;
    }
}
