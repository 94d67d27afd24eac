package dev.herald.notifications;

/** Event-bus addresses of the notifications feature. */
public final class NotificationAddresses {
    /**
     * Published once per commit: the notifications it implies, as one {@link Publication}, for every
     * node's sockets. The value predates this package and travels between the nodes of a cluster: nodes
     * of different versions must agree on it, so it keeps its {@code records} name.
     */
    public static final String NOTIFICATIONS = "herald.records.notifications";

    private NotificationAddresses() {
    }
}
