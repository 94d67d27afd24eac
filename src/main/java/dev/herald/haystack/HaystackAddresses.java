package dev.herald.haystack;

/** Event-bus addresses of the Haystack feature. */
public final class HaystackAddresses {
    /** Local request/reply: one Haystack op, see {@link EntitiesVerticle}. */
    public static final String EXECUTE = "herald.haystack.execute";

    private HaystackAddresses() {
    }
}
