package dev.herald.records;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One realtime message implied by a committed change: {@code message} goes to the sockets in the room of
 * record {@code model}/{@code id}, or, when {@code id} is null, to the sockets watching {@code model}'s
 * creations (which then join the new record's room). {@code retire} empties the room after delivery.
 */
public record Notification(String model, Object id, JsonObject message, boolean retire) {

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

    /**
     * Publishes the changes of one commit (one request, or a batch of destroys) in one message: JSON
     * {@code {"changes":[{"origin":{..},"notifications":[..]},..]}} encoded once, as bytes, so neither
     * the remote nodes nor the local delivery make it encode again.
     */
    public static void publish(Vertx vertx, List<Change> changes) {
        JsonArray list = new JsonArray();
        for (Change change : changes) {
            if (!change.notifications().isEmpty()) {
                JsonArray notifications = new JsonArray();
                change.notifications().forEach(n -> notifications.add(n.toJson()));
                list.add(new JsonObject().put("origin", change.origin()).put("notifications", notifications));
            }
        }
        if (!list.isEmpty()) {
            vertx.eventBus().publish(RecordsAddresses.NOTIFICATIONS, new JsonObject().put("changes", list).toBuffer());
        }
    }

    /** The changes of one publication: each {@code {"origin":{..},"notifications":[..]}}. */
    public static List<JsonObject> changes(Buffer publication) {
        List<JsonObject> changes = new ArrayList<>();
        new JsonObject(publication).getJsonArray("changes").forEach(c -> changes.add((JsonObject) c));
        return changes;
    }

    public String key() {
        return model + "\u0000" + id;
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("model", model).put("message", message);
        if (id != null) {
            json.put("id", id);
        }
        if (retire) {
            json.put("retire", true);
        }
        return json;
    }
}
