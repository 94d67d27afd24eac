package dev.herald.notifications;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One realtime message implied by a committed change: {@code message} goes to the sockets in the room of
 * record {@code model}/{@code id}, or, when {@code id} is null, to the sockets watching {@code model}'s
 * creations (which then join the new record's room). {@code retire} empties the room after delivery.
 * A writer that already has the message as JSON bytes gives {@code json} instead of {@code message}
 * (null then), and those bytes travel as they are.
 */
public record Notification(String model, Object id, JsonObject message, boolean retire, Buffer json) {
    public Notification(String model, Object id, JsonObject message, boolean retire) {
        this(model, id, message, retire, null);
    }

    public static Notification toRecord(String model, Object id, JsonObject message) {
        return new Notification(model, id, message, false);
    }

    public static Notification destroyed(String model, Object id, JsonObject previous) {
        return new Notification(model, id,
                new JsonObject().put("verb", "destroyed").put("id", id).put("previous", previous), true);
    }

    /** {@code destroyed}, already rendered: {@code json} is the whole message, {@code {"verb":"destroyed","id":..,"previous":..}}. */
    public static Notification destroyed(String model, Object id, Buffer json) {
        return new Notification(model, id, null, true, json);
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

    public String key() {
        return model + "\u0000" + id;
    }
}
