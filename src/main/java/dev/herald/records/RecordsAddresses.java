package dev.herald.records;

/** Event-bus addresses of the records feature. */
public final class RecordsAddresses {
    /** Local request/reply: one blueprint action, see {@link RecordsVerticle}. */
    public static final String EXECUTE = "herald.records.execute";
    /** Local request/reply: answers once PostgreSQL answers {@code SELECT 1}. */
    public static final String HEALTH = "herald.records.health";
    /** Published once per committed change: the notifications it implies, for every node's sockets. */
    public static final String NOTIFICATIONS = "herald.records.notifications";

    private RecordsAddresses() {
    }
}
