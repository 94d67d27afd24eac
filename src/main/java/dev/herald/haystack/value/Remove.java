package dev.herald.haystack.value;

/** The Remove kind: in an update, asks for the tag to be removed. It is never stored. */
public record Remove() implements HaystackValue {
    public static final Remove VALUE = new Remove();
}
