package dev.herald.notifications;

/** Event-bus addresses of the notifications feature. */
public final class NotificationAddresses {
    /**
     * Published once per commit: the notifications it implies, as one {@link Publication}, for every
     * node's sockets. The value predates this package and travels between the nodes of a cluster: nodes
     * of different versions must agree on it, so it keeps its {@code records} name.
     */
    public static final String NOTIFICATIONS = "herald.records.notifications";
    /**
     * A header of each publication: when its changes committed, in epoch milliseconds on the committing
     * node (for {@code herald_notification_delay_seconds}). A header, not part of the publication's
     * bytes, so that nodes which do not know it still read the publication.
     */
    public static final String COMMITTED_AT = "committedAt";

    private NotificationAddresses() {
    }
}
