package dev.herald.records;

/** Event-bus addresses of the records feature. */
public final class RecordsAddresses {
    /** Local request/reply: one blueprint action, see {@link RecordsVerticle}. */
    public static final String EXECUTE = "herald.records.execute";
    /** Local request/reply: answers once PostgreSQL answers {@code SELECT 1}. */
    public static final String HEALTH = "herald.records.health";

    private RecordsAddresses() {
    }
}
