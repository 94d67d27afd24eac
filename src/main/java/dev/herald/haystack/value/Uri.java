package dev.herald.haystack.value;

import java.util.Objects;

public record Uri(String value) implements HaystackValue {
    public Uri {
        Objects.requireNonNull(value, "value");
    }
}
