package dev.herald.notifications;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One realtime message implied by a committed change: {@code message} goes to the sockets in the room of
 * record {@code model}/{@code id}, or, when {@code id} is null, to the sockets watching {@code model}'s
 * creations (which then join the new record's room). {@code retire} empties the room after delivery.
 */
public record Notification(String model, Object id, JsonObject message, boolean retire) {
    private static final Logger LOG = Logger.getLogger(Notification.class.getName());

    public static Notification toRecord(String model, Object id, JsonObject message) {
        return new Notification(model, id, message, false);
    }

    public static Notification destroyed(String model, Object id, JsonObject previous) {
        return new Notification(model, id,
                new JsonObject().put("verb", "destroyed").put("id", id).put("previous", previous), true);
    }

    public static Notification updated(String model, Object id, JsonObject data) {
        return toRecord(model, id, new JsonObject().put("verb", "updated").put("id", id).put("data", data));
    }

    public static Notification removedFrom(String model, Object id, String attribute, Object removedId) {
        return toRecord(model, id, new JsonObject().put("verb", "removedFrom").put("id", id)
                .put("attribute", attribute).put("removedId", removedId));
    }

    public static Notification addedTo(String model, Object id, String attribute, Object addedId) {
        return toRecord(model, id, new JsonObject().put("verb", "addedTo").put("id", id)
                .put("attribute", attribute).put("addedId", addedId));
    }

    public static Notification created(String model, Object id, JsonObject data) {
        return new Notification(model, null,
                new JsonObject().put("verb", "created").put("id", id).put("data", data), false);
    }

    /** The notifications of one request, with the origin that decides who is left out. */
    public record Change(JsonObject origin, List<Notification> notifications) {
    }

    /** Publishes one committed request's notifications, once, for every node's subscription verticle. */
    public static void publish(Vertx vertx, JsonObject origin, List<Notification> notifications) {
        publish(vertx, List.of(new Change(origin, notifications)));
    }

    /** Publishes the changes of one commit (one request, or a batch of destroys) as one {@link Publication}. */
    public static void publish(Vertx vertx, List<Change> changes) {
        try {
            Buffer publication = Publication.encode(changes);
            if (publication != null) {
                vertx.eventBus().publish(NotificationAddresses.NOTIFICATIONS, publication);
            }
        } catch (RuntimeException e) {
            // the changes are committed: their answers stand; what could not be published is a defect to fix
            LOG.log(Level.SEVERE, "committed changes could not be published: " + changes.size() + " change(s)", e);
        }
    }

    public String key() {
        return model + "\u0000" + id;
    }
}
