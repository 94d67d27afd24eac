package dev.herald.realtime;

import dev.herald.auth.Action;
import dev.herald.auth.Auth;
import dev.herald.auth.Principal;
import dev.herald.blueprint.ActionRequest;
import dev.herald.blueprint.ActionResponse;
import dev.herald.blueprint.Blueprint;
import dev.herald.errors.ApiError;
import dev.herald.errors.Failures;
import dev.herald.haystack.EntitiesVerticle;
import dev.herald.haystack.HaystackAddresses;
import dev.herald.input.BoundedJson;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.records.RecordsAddresses;
import dev.herald.records.Values;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The SockJS endpoint {@code /realtime}: speaks the Vert.x event-bus bridge frames, so the stock
 * {@code @vertx/eventbus-bridge-client.js} and a bare {@code sockjs-client} work unchanged, but answers
 * Herald's own addresses itself instead of bridging to the event bus. Protocol problems get {@code err}
 * frames and the socket stays usable; virtual requests always get a reply, errors included.
 */
public final class SocketEndpoint {
    public static final int MAX_FRAME_BYTES = 1024 * 1024;
    static final int MAX_IDS = 1000;
    private static final Set<String> METHODS = Set.of("GET", "POST", "PATCH", "PUT", "DELETE");

    private final Vertx vertx;
    private final Models models;
    private final Auth auth;
    private final Blueprint blueprint;
    private final SubscriptionVerticle subscriptions;
    private final String node;

    public SocketEndpoint(Vertx vertx, Models models, Auth auth, Blueprint blueprint,
                          SubscriptionVerticle subscriptions, String node) {
        this.vertx = vertx;
        this.models = models;
        this.auth = auth;
        this.blueprint = blueprint;
        this.subscriptions = subscriptions;
        this.node = node;
    }

    /** The SockJS router, one per HTTP verticle instance. */
    public Router router(Vertx owner) {
        return SockJSHandler.create(owner, new SockJSHandlerOptions().setRegisterWriteHandler(false))
                .socketHandler(this::accept);
    }

    private void accept(SockJSSocket socket) {
        SocketSession session = new SocketSession(UUID.randomUUID().toString(), socket, vertx.getOrCreateContext(), auth.enabled());
        session.onExpiry(() -> subscriptions.expired(session)
                .onComplete(v -> session.send(Frames.err(401, null, "token expired"))));
        socket.handler(data -> frame(session, data));
        socket.closeHandler(v -> {
            session.closed();
            subscriptions.close(session.id());
        });
        socket.exceptionHandler(e -> socket.close());
        String token = accessToken(socket.uri());
        if (token != null) {
            session.connectedWith(auth.authenticate(token)
                    .onSuccess(session::authenticated)
                    .onFailure(e -> session.send(Frames.err(401, null, Failures.toApiError(e).getMessage()))));
        }
        subscriptions.open(session);
    }

    private static String accessToken(String uri) {
        if (uri == null) {
            return null;
        }
        try {
            List<String> values = new QueryStringDecoder(uri).parameters().get("access_token");
            return values == null || values.isEmpty() ? null : values.get(0);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void frame(SocketSession session, Buffer data) {
        session.heard();
        if (data.length() > MAX_FRAME_BYTES) {
            session.send(Frames.err(413, null, "Frame larger than " + MAX_FRAME_BYTES + " bytes."));
            return;
        }
        JsonObject frame;
        try {
            frame = Json.decodeValue(data) instanceof JsonObject o ? o : null;
        } catch (DecodeException e) {
            frame = null;
        }
        if (frame == null || !(frame.getValue("type") instanceof String type)) {
            session.send(Frames.err(400, null, "Unreadable frame: expected a JSON object with a \"type\"."));
            return;
        }
        Object replyAddress = frame.getValue("replyAddress");
        if (replyAddress != null && !(replyAddress instanceof String)) {
            session.send(Frames.err(400, null, "\"replyAddress\" must be a string."));
            return;
        }
        try {
            BoundedJson.check(frame);
        } catch (BoundedJson.Refused e) {
            session.send(Frames.err(400, (String) replyAddress, "Unreadable frame: " + e.getMessage()));
            return;
        }
        switch (type) {
            case "ping", "register", "unregister" -> {
            }
            case "send", "publish" -> message(session, frame);
            default -> session.send(Frames.err(400, null, "Unknown frame type \"" + type + "\"."));
        }
    }

    private void message(SocketSession session, JsonObject frame) {
        String replyAddress = frame.getValue("replyAddress") instanceof String r ? r : null;
        if (!(frame.getValue("address") instanceof String address)) {
            session.send(Frames.err(400, replyAddress, "A send frame needs an \"address\"."));
            return;
        }
        session.requestStarted();
        Future<Object> reply = switch (address) {
            case RealtimeAddresses.REQUEST -> request(session, frame);
            case RealtimeAddresses.SUBSCRIBE -> subscribe(session, frame);
            case RealtimeAddresses.UNSUBSCRIBE -> unsubscribe(session, frame);
            case RealtimeAddresses.WATCH -> watch(session, frame);
            case RealtimeAddresses.WHOAMI -> whoami(session, frame);
            default -> Future.failedFuture(new ApiError(404, "E_NO_ADDRESS", "No handler for address \"" + address + "\"."));
        };
        reply.onComplete(result -> {
            if (replyAddress == null) {
                session.requestAnswered(null);
            } else if (result.succeeded()) {
                session.requestAnswered(Frames.rec(replyAddress, result.result()));
            } else {
                ApiError error = Failures.toApiError(result.cause());
                session.requestAnswered(Frames.err(error.status(), replyAddress, error.getMessage()));
            }
        });
    }

    /** Who the socket is; a token in the frame authenticates it first, as in any frame. */
    private Future<Object> whoami(SocketSession session, JsonObject frame) {
        Future<?> authenticated = tokenOf(frame, null) == null ? Future.succeededFuture() : principal(session, frame, null);
        return authenticated.map(p -> new JsonObject().put("socketId", session.id()).put("node", node)
                .put("subject", session.subject()));
    }

    private static String tokenOf(JsonObject frame, JsonObject body) {
        String header = stringAt(frame.getValue("headers"), "authorization");
        if (header == null && body != null) {
            header = stringAt(body.getValue("headers"), "authorization");
        }
        return header;
    }

    /**
     * The token of a frame ({@code headers.authorization}), which authenticates the socket, else the one
     * the socket is authenticated with, while it has not expired.
     */
    private Future<Principal> principal(SocketSession session, JsonObject frame, JsonObject body) {
        String header = tokenOf(frame, body);
        if (header != null) {
            return auth.authenticate(header).onSuccess(session::authenticated);
        }
        if (!auth.enabled()) {
            return auth.authenticate(null);
        }
        Principal known = session.principal();
        if (known != null) {
            return Future.succeededFuture(known);
        }
        Future<Principal> connecting = session.connectAuthentication();
        if (connecting != null && !connecting.isComplete()) {
            return connecting.compose(p -> p.expired() ? Future.failedFuture(ApiError.unauthorized("token expired")) : Future.succeededFuture(p));
        }
        if (connecting != null && connecting.failed()) {
            return connecting;
        }
        return Future.failedFuture(ApiError.unauthorized("A bearer token is required: headers.authorization or ?access_token=."));
    }

    private static String stringAt(Object headers, String name) {
        if (headers instanceof JsonObject h) {
            for (String key : h.fieldNames()) {
                if (key.equalsIgnoreCase(name) && h.getValue(key) instanceof String s) {
                    return s;
                }
            }
        }
        return null;
    }

    /** A virtual request: exactly the REST action, answered as {@code {statusCode, headers, body}}. */
    private Future<Object> request(SocketSession session, JsonObject frame) {
        if (!(frame.getValue("body") instanceof JsonObject body)
                || !(body.getValue("method") instanceof String rawMethod)
                || !METHODS.contains(rawMethod.toUpperCase(java.util.Locale.ROOT))
                || !(body.getValue("url") instanceof String url) || !url.startsWith("/")) {
            return Future.failedFuture(ApiError.badRequest("E_BAD_FRAME",
                    "herald.request needs a body {\"method\":\"GET|POST|PATCH|PUT|DELETE\",\"url\":\"/model/id\",\"data\":{..}}."));
        }
        String method = rawMethod.toUpperCase(java.util.Locale.ROOT);
        QueryStringDecoder decoded;
        try {
            decoded = new QueryStringDecoder(url);
        } catch (IllegalArgumentException e) {
            return Future.succeededFuture(reply(ActionResponse.of(ApiError.invalidCriteria("The url is not correctly encoded."))));
        }
        Map<String, String> query = new LinkedHashMap<>();
        decoded.parameters().forEach((k, v) -> query.put(k, v.get(0)));
        Object data = body.getValue("data");
        if (method.equals("GET") && data instanceof JsonObject params) {
            params.forEach(e -> query.putIfAbsent(e.getKey(), e.getValue() instanceof String s ? s : Json.encode(e.getValue())));
            data = null;
        }
        ActionRequest action = new ActionRequest(method, decoded.rawPath(), query, data, session.id(), true);
        return principal(session, frame, body)
                .compose(p -> blueprint.handleAs(action, p), e -> Future.succeededFuture(ActionResponse.of(Failures.toApiError(e))))
                .compose(response -> response.status() == 200
                        ? autosubscribe(session, method, decoded.rawPath(), response)
                        : Future.succeededFuture(response))
                .map(this::reply);
    }

    private Object reply(ActionResponse response) {
        return new JsonObject().put("statusCode", response.status()).put("headers", new JsonObject()).put("body", response.body());
    }

    /**
     * Sails' autosubscribe: findOne subscribes to the record and its populated children, find to the
     * returned records (and their children) and to the model's creations, create and update to the
     * record, add and remove to the parent. The rooms are joined first and the records checked after,
     * so a destroy racing the read is either delivered or turns a findOne into a 404.
     */
    private Future<ActionResponse> autosubscribe(SocketSession session, String method, String path, ActionResponse response) {
        String[] segments = Blueprint.segments(path);
        Model model = segments.length == 0 ? null : models.find(segments[0]).orElse(null);
        if (model == null || (method.equals("DELETE") && segments.length <= 2)) {
            return Future.succeededFuture(response);
        }
        Map<String, List<Object>> rooms = new LinkedHashMap<>();
        boolean watch = false;
        if (method.equals("GET") && response.body() instanceof JsonArray list) {
            list.forEach(r -> Subscribed.addDeep(model, (JsonObject) r, rooms));
            watch = true;
        } else if (method.equals("GET") && response.body() instanceof JsonObject record) {
            Subscribed.addDeep(model, record, rooms);
        } else if (response.body() instanceof JsonObject record) {
            rooms.computeIfAbsent(model.identity(), k -> new ArrayList<>()).add(record.getValue(Model.ID));
        }
        Object mainId = method.equals("GET") && response.body() instanceof JsonObject r ? r.getValue(Model.ID) : null;
        Future<Void> watched = watch ? subscriptions.watch(session, model.identity()) : Future.succeededFuture();
        return watched.compose(v -> joinVerified(session, rooms)).map(missing -> {
            boolean mainGone = mainId != null && missing.getOrDefault(model.identity(), List.of()).contains(mainId);
            return mainGone
                    ? ActionResponse.of(ApiError.notFound("No " + model.identity() + " record with id " + mainId + "."))
                    : response;
        });
    }

    /** Joins the rooms, then checks the records still exist and leaves those that do not: returns them. */
    private Future<Map<String, List<Object>>> joinVerified(SocketSession session, Map<String, List<Object>> rooms) {
        return subscriptions.join(session, rooms).compose(v -> {
            List<Future<Map.Entry<String, List<Object>>>> checks = new ArrayList<>();
            rooms.forEach((model, ids) -> checks.add(vertx.eventBus().<JsonObject>request(existsAddress(model),
                            new JsonObject().put("op", "exists").put("model", model).put("ids", new JsonArray(ids)))
                    .compose(reply -> {
                        List<Object> existing = reply.body().getJsonArray("body").getList();
                        List<Object> missing = ids.stream().filter(id -> !existing.contains(id)).toList();
                        return subscriptions.leave(session, model, missing).map(done -> Map.entry(model, missing));
                    })));
            return Future.all(checks).map(all -> {
                Map<String, List<Object>> missing = new LinkedHashMap<>();
                checks.forEach(c -> missing.put(c.result().getKey(), c.result().getValue()));
                return missing;
            });
        });
    }

    private String existsAddress(String model) {
        return model.equals(EntitiesVerticle.MODEL) ? HaystackAddresses.EXECUTE : RecordsAddresses.EXECUTE;
    }

    private Future<Object> subscribe(SocketSession session, JsonObject frame) {
        return Future.succeededFuture(frame).compose(f -> target(f.getValue("body")))
                .compose(target -> principal(session, frame, null).map(p -> {
                    requireRead(p, target.model);
                    return target;
                }))
                .compose(target -> joinVerified(session, Map.of(target.model, target.ids)).map(missing -> {
                    List<Object> notFound = new ArrayList<>(target.unresolved);
                    notFound.addAll(missing.getOrDefault(target.model, List.of()));
                    List<Object> subscribed = target.ids.stream().filter(id -> !notFound.contains(id)).toList();
                    return new JsonObject().put("subscribed", new JsonArray(subscribed)).put("notFound", new JsonArray(notFound));
                }));
    }

    private Future<Object> unsubscribe(SocketSession session, JsonObject frame) {
        return Future.succeededFuture(frame).compose(f -> target(f.getValue("body")))
                .compose(target -> subscriptions.leave(session, target.model, target.ids)
                        .map(v -> new JsonObject().put("unsubscribed", new JsonArray(target.ids))));
    }

    private Future<Object> watch(SocketSession session, JsonObject frame) {
        return Future.succeededFuture(frame).map(f -> modelOf(f.getValue("body")))
                .compose(model -> principal(session, frame, null).map(p -> {
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

    private Future<Target> target(Object body) {
        String model = modelOf(body);
        if (!(((JsonObject) body).getValue("ids") instanceof JsonArray raw)) {
            throw ApiError.badRequest("E_BAD_FRAME", "\"ids\" must be an array.");
        }
        if (raw.size() > MAX_IDS) {
            throw ApiError.badRequest("E_BAD_FRAME", "At most " + MAX_IDS + " ids per frame.");
        }
        if (model.equals(EntitiesVerticle.MODEL)) {
            return entityTarget(raw);
        }
        Model records = models.get(model);
        List<Object> ids = new ArrayList<>();
        for (Object id : raw) {
            Object valid;
            try {
                valid = Values.id(records, id);
            } catch (ApiError e) {
                throw ApiError.badRequest("E_BAD_FRAME", e.getMessage());
            }
            if (!ids.contains(valid)) {
                ids.add(valid);
            }
        }
        return Future.succeededFuture(new Target(model, ids, List.of()));
    }

    /** Entities are named by UUID or fully-qualified name; rooms are keyed by the UUID. */
    private Future<Target> entityTarget(JsonArray raw) {
        for (Object id : raw) {
            if (!(id instanceof String s) || s.isBlank() || s.length() > 1024) {
                throw ApiError.badRequest("E_BAD_FRAME", "Entity ids are UUIDs or fully-qualified names (strings).");
            }
        }
        return vertx.eventBus().<JsonObject>request(HaystackAddresses.EXECUTE,
                new JsonObject().put("op", "resolve").put("ids", raw)).map(reply -> {
            JsonObject resolved = reply.body().getJsonObject("body");
            List<Object> ids = new ArrayList<>();
            List<Object> unresolved = new ArrayList<>();
            for (Object given : raw) {
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
            throw ApiError.badRequest("E_BAD_FRAME", "The body needs a \"model\".");
        }
        if (name.equals(EntitiesVerticle.MODEL)) {
            return name;
        }
        return models.find(name).map(Model::identity)
                .orElseThrow(() -> ApiError.badRequest("E_BAD_FRAME", "No model named '" + name + "'."));
    }
}
