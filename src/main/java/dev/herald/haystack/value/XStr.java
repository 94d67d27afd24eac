package dev.herald.haystack.value;

import java.util.Objects;

/** A typed string such as {@code Bin("text/plain")}; the type name starts with a capital letter. */
public record XStr(String type, String value) implements HaystackValue {

    public XStr {
        if (type == null || !type.matches("[A-Z][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("invalid XStr type '" + type + "'");
        }
        Objects.requireNonNull(value, "value");
    }
}
