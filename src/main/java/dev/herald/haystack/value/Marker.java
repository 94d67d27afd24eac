package dev.herald.haystack.value;

/** The Marker kind: a tag whose presence is its meaning. */
public record Marker() implements HaystackValue {
    public static final Marker VALUE = new Marker();
}
