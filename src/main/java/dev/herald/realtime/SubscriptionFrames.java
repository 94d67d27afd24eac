package dev.herald.realtime;

import dev.herald.auth.Action;
import dev.herald.auth.Principal;
import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;
import dev.herald.haystack.EntitiesVerticle;
import dev.herald.haystack.HaystackAddresses;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.records.Values;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code herald.subscribe}, {@code herald.unsubscribe} and {@code herald.watch}: the records a frame
 * names (at most {@value #MAX_IDS}; entities by UUID or fully-qualified name), and the read permission
 * subscribing to a model takes. Unsubscribing needs no permission.
 */
final class SubscriptionFrames {
    private static final int MAX_IDS = 1000;

    private final Vertx vertx;
    private final Models models;
    private final SubscriptionVerticle subscriptions;
    private final VerifiedJoins joins;

    SubscriptionFrames(Vertx vertx, Models models, SubscriptionVerticle subscriptions, VerifiedJoins joins) {
        this.vertx = vertx;
        this.models = models;
        this.subscriptions = subscriptions;
        this.joins = joins;
    }

    /** The frame is checked (400), then the token (401/403), and only then are entity names looked up. */
    Future<Object> subscribe(SocketSession session, JsonObject frame) {
        return Future.succeededFuture(frame).map(f -> named(f.getValue("body")))
                .compose(named -> session.principalOf(frame, null).map(p -> {
                    requireRead(p, named.model());
                    return named;
                }))
                .compose(this::resolve)
                .compose(target -> joins.join(session, Map.of(target.model, target.ids)).map(missing -> {
                    List<Object> notFound = new ArrayList<>(target.unresolved);
                    notFound.addAll(missing.getOrDefault(target.model, List.of()));
                    List<Object> subscribed = target.ids.stream().filter(id -> !notFound.contains(id)).toList();
                    return new JsonObject().put("subscribed", new JsonArray(subscribed)).put("notFound", new JsonArray(notFound));
                }));
    }

    /** A socket without a good token is subscribed to nothing: its entity names are not looked up. */
    Future<Object> unsubscribe(SocketSession session, JsonObject frame) {
        return Future.succeededFuture(frame).map(f -> named(f.getValue("body")))
                .compose(named -> session.authorized() ? resolve(named)
                        : Future.succeededFuture(new Target(named.model(), named.ids(), List.of())))
                .compose(target -> subscriptions.leave(session, target.model, target.ids)
                        .map(v -> new JsonObject().put("unsubscribed", new JsonArray(target.ids))));
    }

    Future<Object> watch(SocketSession session, JsonObject frame) {
        return Future.succeededFuture(frame).map(f -> modelOf(f.getValue("body")))
                .compose(model -> session.principalOf(frame, null).map(p -> {
                    requireRead(p, model);
                    return model;
                }))
                .compose(model -> subscriptions.watch(session, model)
                        .map(v -> new JsonObject().put("watching", model)));
    }

    private static void requireRead(Principal principal, String model) {
        if (!principal.allows(model, Action.READ)) {
            throw ApiError.forbidden("Permission " + model + ":read is required to subscribe.");
        }
    }

    /** The records a subscribe or unsubscribe frame names; {@code unresolved}: entity names that name nothing. */
    private record Target(String model, List<Object> ids, List<Object> unresolved) {
    }

    /** What a frame names, checked: record ids of the model's type, or entity UUIDs or fully-qualified names. */
    private record Named(String model, List<Object> ids) {
    }

    private Named named(Object body) {
        String model = modelOf(body);
        if (!(((JsonObject) body).getValue("ids") instanceof JsonArray raw)) {
            throw ErrorCode.BAD_FRAME.error("\"ids\" must be an array.");
        }
        if (raw.size() > MAX_IDS) {
            throw ErrorCode.BAD_FRAME.error("At most " + MAX_IDS + " ids per frame.");
        }
        List<Object> ids = new ArrayList<>();
        for (Object id : raw) {
            Object valid = model.equals(EntitiesVerticle.MODEL) ? entityName(id) : recordId(models.get(model), id);
            if (!ids.contains(valid)) {
                ids.add(valid);
            }
        }
        return new Named(model, ids);
    }

    private static Object recordId(Model model, Object id) {
        try {
            return Values.id(model, id);
        } catch (ApiError e) {
            throw ErrorCode.BAD_FRAME.error(e.getMessage());
        }
    }

    private static Object entityName(Object id) {
        if (!(id instanceof String s) || s.isBlank() || s.length() > 1024) {
            throw ErrorCode.BAD_FRAME.error("Entity ids are UUIDs or fully-qualified names (strings).");
        }
        return s;
    }

    /** Records are their ids; entities are named by UUID or fully-qualified name, and rooms are keyed by the UUID. */
    private Future<Target> resolve(Named named) {
        if (!named.model().equals(EntitiesVerticle.MODEL)) {
            return Future.succeededFuture(new Target(named.model(), named.ids(), List.of()));
        }
        return vertx.eventBus().<JsonObject>request(HaystackAddresses.EXECUTE,
                new JsonObject().put("op", "resolve").put("ids", new JsonArray(named.ids()))).map(reply -> {
            JsonObject resolved = reply.body().getJsonObject("body");
            List<Object> ids = new ArrayList<>();
            List<Object> unresolved = new ArrayList<>();
            for (Object given : named.ids()) {
                String uuid = resolved.getString((String) given);
                if (uuid == null) {
                    unresolved.add(given);
                } else if (!ids.contains(uuid)) {
                    ids.add(uuid);
                }
            }
            return new Target(EntitiesVerticle.MODEL, ids, unresolved);
        });
    }

    private String modelOf(Object body) {
        if (!(body instanceof JsonObject object) || !(object.getValue("model") instanceof String name)) {
            throw ErrorCode.BAD_FRAME.error("The body needs a \"model\".");
        }
        if (name.equals(EntitiesVerticle.MODEL)) {
            return name;
        }
        return models.find(name).map(Model::identity)
                .orElseThrow(() -> ErrorCode.BAD_FRAME.error("No model named '" + name + "'."));
    }
}
