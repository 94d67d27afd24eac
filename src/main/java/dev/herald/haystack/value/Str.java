package dev.herald.haystack.value;

import java.util.Objects;

public record Str(String value) implements HaystackValue {
    public Str {
        Objects.requireNonNull(value, "value");
    }
}
