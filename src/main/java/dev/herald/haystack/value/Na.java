package dev.herald.haystack.value;

/** The NA kind ("not available"), Haystack 3 and later. */
public record Na() implements HaystackValue {
    public static final Na VALUE = new Na();
}
