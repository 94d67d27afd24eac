package dev.herald.records;

import io.vertx.core.json.JsonObject;

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

    /** Publishes one committed change's notifications, once, for every node's subscription verticle. */
    public static void publish(io.vertx.core.Vertx vertx, JsonObject origin, java.util.List<Notification> notifications) {
        if (notifications.isEmpty()) {
            return;
        }
        io.vertx.core.json.JsonArray list = new io.vertx.core.json.JsonArray();
        notifications.forEach(n -> list.add(n.toJson()));
        vertx.eventBus().publish(RecordsAddresses.NOTIFICATIONS, new JsonObject().put("origin", origin).put("notifications", list));
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
