package dev.herald.realtime;

import dev.herald.haystack.EntitiesVerticle;
import dev.herald.haystack.HaystackAddresses;
import dev.herald.records.RecordsAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a socket joins record rooms, for {@code herald.subscribe} and for autosubscribe alike: the rooms
 * are joined first and the records checked after, so a destroy racing the join is either delivered
 * or seen missing; the rooms of missing records are left again.
 */
final class VerifiedJoins {
    /** The records and entities verticles consume locally: no node selection in the cluster. */
    private static final io.vertx.core.eventbus.DeliveryOptions LOCAL = new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true);
    private final Vertx vertx;
    private final SubscriptionVerticle subscriptions;

    VerifiedJoins(Vertx vertx, SubscriptionVerticle subscriptions) {
        this.vertx = vertx;
        this.subscriptions = subscriptions;
    }

    /** The rooms joined, the position from which their notifications reach the socket, and the records found missing. */
    record Joined(long seq, Map<String, List<Object>> missing) {
    }

    /**
     * Joins the rooms (and watches {@code watchModel}, when not null), then checks the records still
     * exist and leaves those that do not: returns them, and the position of the join.
     */
    Future<Joined> join(SocketSession session, Map<String, List<Object>> rooms, String watchModel) {
        return subscriptions.join(session, rooms, watchModel)
                .compose(seq -> check(session, rooms).map(missing -> new Joined(seq, missing)));
    }

    /** Checks that the records of rooms already joined exist, and leaves those that do not: returns them. */
    Future<Map<String, List<Object>>> check(SocketSession session, Map<String, List<Object>> rooms) {
        return missing(rooms).compose(missing -> leave(session, missing).map(missing));
    }

    /** Leaves the rooms of {@code records}. */
    Future<Void> leave(SocketSession session, Map<String, List<Object>> records) {
        return Future.all(records.entrySet().stream().map(e -> subscriptions.leave(session, e.getKey(), e.getValue())).toList()).mapEmpty();
    }

    /** The records of {@code rooms} that do not exist (now), by model. */
    Future<Map<String, List<Object>>> missing(Map<String, List<Object>> rooms) {
        List<Future<Map.Entry<String, List<Object>>>> checks = new ArrayList<>();
        rooms.forEach((model, ids) -> checks.add(vertx.eventBus().<JsonObject>request(existsAddress(model),
                        new JsonObject().put("op", "exists").put("model", model).put("ids", new JsonArray(ids)), LOCAL)
                .map(reply -> {
                    // a set: a subscribe of 1,000 ids must not compare them pairwise
                    Set<Object> existing = new HashSet<>(reply.body().getJsonArray("body").getList());
                    return Map.entry(model, ids.stream().filter(id -> !existing.contains(id)).toList());
                })));
        return Future.all(checks).map(all -> {
            Map<String, List<Object>> missing = new LinkedHashMap<>();
            checks.forEach(c -> missing.put(c.result().getKey(), c.result().getValue()));
            return missing;
        });
    }

    private static String existsAddress(String model) {
        return model.equals(EntitiesVerticle.MODEL) ? HaystackAddresses.EXECUTE : RecordsAddresses.EXECUTE;
    }
}
