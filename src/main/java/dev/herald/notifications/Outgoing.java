package dev.herald.notifications;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The notifications of one transaction, rendered once: what is written to the {@link NotificationLog}
 * before COMMIT and what is published after it are the same bytes, in the same order (their positions
 * are consecutive from {@link #firstSeq()}).
 */
public final class Outgoing {
    private final List<Notification.Change> changes;
    private final List<Buffer> origins;
    private final List<Buffer> messages;
    private final int count;
    private long firstSeq;
    private Buffer publication;

    private Outgoing(List<Notification.Change> changes) {
        this.changes = changes.stream().filter(c -> !c.notifications().isEmpty()).toList();
        this.origins = new ArrayList<>(this.changes.size());
        this.messages = new ArrayList<>();
        for (Notification.Change change : this.changes) {
            origins.add(change.origin().toBuffer());
            change.notifications().forEach(n -> messages.add(Publication.rendered(n)));
        }
        this.count = messages.size();
    }

    public static Outgoing of(List<Notification.Change> changes) {
        return new Outgoing(changes);
    }

    public static Outgoing of(JsonObject origin, List<Notification> notifications) {
        return new Outgoing(List.of(new Notification.Change(origin, notifications)));
    }

    /** The changes that have notifications, in order. */
    List<Notification.Change> changes() {
        return changes;
    }

    List<Buffer> origins() {
        return origins;
    }

    /** Every notification's message, in order (change by change). */
    List<Buffer> messages() {
        return messages;
    }

    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** The log position of the first notification; 0 until logged, and when the log is off. */
    public long firstSeq() {
        return firstSeq;
    }

    void numbered(long firstSeq) {
        this.firstSeq = firstSeq;
        if (publication != null) {
            publication.setLong(0, firstSeq);
        }
    }

    /**
     * The {@link Publication} of these changes, encoded once (null when there is none): the log keeps it
     * without its leading position, the event bus carries it with the position once numbered.
     */
    Buffer publication() {
        if (publication == null && !isEmpty()) {
            publication = Publication.encode(this, firstSeq);
        }
        return publication;
    }

    static byte flags(Notification n) {
        return (byte) ((n.retire() ? NotificationLog.RETIRE : 0) | (n.id() == null ? NotificationLog.CREATION : 0));
    }

    /** The room a notification goes to: its record, or for a creation, the new record's. */
    static Object room(Notification n) {
        return n.id() == null ? n.message().getValue("id") : n.id();
    }
}
