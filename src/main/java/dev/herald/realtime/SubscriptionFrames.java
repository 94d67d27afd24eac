package dev.herald.realtime;

import dev.herald.auth.Action;
import dev.herald.auth.Principal;
import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;
import dev.herald.haystack.EntitiesVerticle;
import dev.herald.haystack.HaystackAddresses;
import dev.herald.metrics.HeraldMeters;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.notifications.NotificationLog;
import dev.herald.records.Values;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;

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

    /**
     * The frame is checked (400), then the token (401/403), and only then are entity names looked up.
     * With {@code since}, a resume: see {@link #resume}.
     */
    Future<Object> subscribe(SocketSession session, JsonObject frame) {
        return Future.succeededFuture(frame).map(f -> new Request(named(f.getValue("body")), resumeFrom(f.getValue("body"))))
                .compose(request -> session.principalOf(frame, null).map(p -> {
                    requireRead(p, request.named().model());
                    return request;
                }))
                .compose(request -> resolve(request.named()).compose(target -> {
                    Map<String, List<Object>> rooms = Map.of(target.model, target.ids);
                    if (request.since() == null) {
                        return joins.join(session, rooms, null).map(joined ->
                                subscribed(target, joined.missing(), positioned(new JsonObject(), joined.seq())));
                    }
                    return resume(session, request.since(), target.model, null,
                            seq -> subscriptions.replayRecords(target.model, replayed(target), request.since().seq(), seq),
                            rooms).map(resumed -> subscribed(target, resumed.missing(), resumed.reply()));
                }));
    }

    /**
     * The rooms whose history a resume replays: the records named, and entities named by a UUID that no
     * longer resolves (a deleted entity: its {@code destroyed} is in the log under that UUID).
     */
    private static List<Object> replayed(Target target) {
        Set<Object> ids = new LinkedHashSet<>(target.ids);
        for (Object name : target.unresolved) {
            try {
                String uuid = java.util.UUID.fromString((String) name).toString();
                if (uuid.equalsIgnoreCase((String) name)) {
                    ids.add(uuid);
                }
            } catch (IllegalArgumentException notAUuid) {
                // a fully-qualified name that names nothing has no history
            }
        }
        return new ArrayList<>(ids);
    }

    private static JsonObject subscribed(Target target, Map<String, List<Object>> missing, JsonObject reply) {
        List<Object> notFound = new ArrayList<>(target.unresolved);
        notFound.addAll(missing.getOrDefault(target.model, List.of()));
        Set<Object> gone = new java.util.HashSet<>(notFound);
        List<Object> subscribed = target.ids.stream().filter(id -> !gone.contains(id)).toList();
        JsonObject out = new JsonObject().put("subscribed", new JsonArray(subscribed)).put("notFound", new JsonArray(notFound));
        reply.forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The reply fields that say where live delivery starts; none when the log is off. */
    private JsonObject positioned(JsonObject reply, long seq) {
        if (subscriptions.logged()) {
            reply.put("seq", Long.toString(seq)).put("epoch", subscriptions.epoch());
        }
        return reply;
    }

    /** Where a resume starts: a position of the log of {@code epoch}. */
    record Since(long seq, String epoch) {
    }

    private record Request(Named named, Since since) {
    }

    private record Resume(Map<String, List<Object>> missing, JsonObject reply) {
    }

    /**
     * A resume: when {@code epoch} is this log's and the log still reaches back to {@code since}, the
     * rooms are joined at this node's position {@code p} (once it has delivered up to {@code since}), the
     * entries after {@code since} are read, merged with the frames held meanwhile and sent, and the reply
     * says how many were read from the log; else {@code resync}. A {@code since} ahead of the log is a 400.
     */
    private Future<Resume> resume(SocketSession session, Since since, String model, String watchModel,
                                  java.util.function.LongFunction<Future<NotificationLog.Replay>> replay,
                                  Map<String, List<Object>> rooms) {
        boolean sameLog = subscriptions.logged() && since.epoch().equals(subscriptions.epoch());
        Future<Void> reached = sameLog ? subscriptions.reach(since.seq()) : Future.succeededFuture();
        return reached.compose(v -> subscriptions.beginResume(session, rooms, watchModel)).<Resume>compose(seq -> {
            // which records are gone is read first, then the log: the log's snapshot then holds their destroyed
            Future<Map<String, List<Object>>> missing = rooms.isEmpty() ? Future.succeededFuture(Map.of()) : joins.missing(rooms);
            // everything after since that the log's snapshot holds; what of it also comes live (after the
            // join) is held until the flush, where the two merge by seq, each once
            Future<NotificationLog.Replay> read = missing.compose(m -> sameLog ? replay.apply(Long.MAX_VALUE) : Future.succeededFuture(null));
            // the node delivers up to that snapshot before the flush, so the socket's last seq never gets
            // ahead of what this node has delivered; a missing record's room is left only after the flush
            Future<Void> caughtUp = read.compose(r -> r == null ? Future.succeededFuture() : subscriptions.reach(r.state().head()));
            return caughtUp.transform(done -> {
                if (done.failed()) {
                    Throwable cause = done.cause();
                    return subscriptions.endResume(session, null, watchModel, true)
                            .compose(x -> leaveAll(session, rooms))
                            .transform(x -> Future.failedFuture(cause));
                }
                NotificationLog.Replay r = read.result();
                boolean resync = r == null || since.seq() < r.state().pruned() || r.entries().size() > SubscriptionVerticle.MAX_REPLAY || r.cut();
                return subscriptions.endResume(session, resync ? null : r.entries(), watchModel, resync)
                        .compose(resumed -> joins.leave(session, missing.result()).map(resumed))
                        .map(resumed -> new Resume(missing.result(), positioned(new JsonObject(), seq)
                                .put("replayed", resumed.replayed()).put("resync", resumed.resync())));
            });
        }).onComplete(done -> subscriptions.meters().resumed(done.failed() ? HeraldMeters.ResumeResult.FAILED
                : done.result().reply().getBoolean("resync") ? HeraldMeters.ResumeResult.RESYNC : HeraldMeters.ResumeResult.REPLAYED));
    }

    private Future<Void> leaveAll(SocketSession session, Map<String, List<Object>> rooms) {
        return Future.all(rooms.entrySet().stream().map(e -> subscriptions.leave(session, e.getKey(), e.getValue())).toList()).mapEmpty();
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
        return Future.succeededFuture(frame).map(f -> {
                    String model = modelOf(f.getValue("body"));
                    return Map.entry(model, Optional.ofNullable(resumeFrom(f.getValue("body"))));
                })
                .compose(request -> session.principalOf(frame, null).map(p -> {
                    requireRead(p, request.getKey());
                    return request;
                }))
                .compose(request -> {
                    String model = request.getKey();
                    if (request.getValue().isEmpty()) {
                        return subscriptions.join(session, Map.of(), model)
                                .map(seq -> positioned(new JsonObject().put("watching", model), seq));
                    }
                    Since since = request.getValue().get();
                    return resume(session, since, model, model, seq -> subscriptions.replayWatch(model, since.seq(), seq), Map.of())
                            .map(resumed -> {
                                JsonObject out = new JsonObject().put("watching", model);
                                resumed.reply().forEach(e -> out.put(e.getKey(), e.getValue()));
                                return out;
                            });
                });
    }

    /**
     * The {@code since} and {@code epoch} of a subscribe or watch body; null without {@code since}. A
     * position is a decimal string (or a whole JSON number) from 0 to 2^63-1; anything else is a 400.
     */
    static Since resumeFrom(Object body) {
        if (!(body instanceof JsonObject object) || object.getValue("since") == null) {
            return null;
        }
        Object raw = object.getValue("since");
        long seq;
        if (raw instanceof String text && text.matches("[0-9]{1,19}")) {
            try {
                seq = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw ErrorCode.BAD_FRAME.error("\"since\" is not a position of the notification log.");
            }
        } else if ((raw instanceof Integer || raw instanceof Long) && ((Number) raw).longValue() >= 0) {
            seq = ((Number) raw).longValue();
        } else {
            throw ErrorCode.BAD_FRAME.error("\"since\" must be a position of the notification log: a decimal string such as \"1200\".");
        }
        if (!(object.getValue("epoch") instanceof String epoch) || epoch.isEmpty() || epoch.length() > 200) {
            throw ErrorCode.BAD_FRAME.error("\"since\" needs the \"epoch\" of the log it comes from (a string).");
        }
        return new Since(seq, epoch);
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
        // ordered and distinct, without comparing 1,000 ids pairwise
        Set<Object> ids = new LinkedHashSet<>();
        for (Object id : raw) {
            ids.add(model.equals(EntitiesVerticle.MODEL) ? entityName(id) : recordId(models.get(model), id));
        }
        return new Named(model, new ArrayList<>(ids));
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
            Set<Object> ids = new LinkedHashSet<>();
            List<Object> unresolved = new ArrayList<>();
            for (Object given : named.ids()) {
                String uuid = resolved.getString((String) given);
                if (uuid == null) {
                    unresolved.add(given);
                } else {
                    ids.add(uuid);
                }
            }
            return new Target(EntitiesVerticle.MODEL, new ArrayList<>(ids), unresolved);
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
