package dev.herald.blueprint;

import dev.herald.auth.Action;
import dev.herald.auth.Principal;
import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;
import dev.herald.errors.Failures;
import dev.herald.input.BoundedJson;
import dev.herald.models.Attribute;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.records.Criteria;
import dev.herald.records.RecordsAddresses;
import dev.herald.records.Values;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Sails' blueprint routes, independent of the transport: HTTP and socket virtual requests both come
 * here, so they share permissions, validation and errors. Order of checks: token (401, by the
 * transport), route and model (404), permission (403), input (400), then the persistence verticle.
 */
public final class Blueprint {
    private static final Pattern EDGE_SLASHES = Pattern.compile("^/+|/+$");
    private static final Set<String> FIND_OPTIONS = Set.of("where", "limit", "skip", "sort");
    private static final Set<String> IGNORED_PARAMETERS = Set.of("access_token");
    /** Local only: the records verticle consumes locally, so the cluster's node selection is skipped. */
    private static final DeliveryOptions DELIVERY = new DeliveryOptions().setSendTimeout(30_000).setLocalOnly(true);

    private final Vertx vertx;
    private final Models models;
    private final String node;

    public Blueprint(Vertx vertx, Models models, String node) {
        this.vertx = vertx;
        this.models = models;
        this.node = node;
    }

    /**
     * An action for a caller already authenticated by its transport: the HTTP layer checks the token
     * before reading a body, a socket when a frame carries one.
     */
    public Future<ActionResponse> handleAs(ActionRequest request, Principal principal) {
        return Future.succeededFuture(principal)
                .compose(p -> dispatch(request, p))
                .map(body -> new ActionResponse(200, body))
                .recover(failure -> Future.succeededFuture(ActionResponse.of(Failures.toApiError(failure))));
    }

    private Future<Object> dispatch(ActionRequest request, Principal principal) {
        String[] segments = segments(request.path());
        request.query().forEach((name, value) -> {
            if (!BoundedJson.isStorable(name) || !BoundedJson.isStorable(value)) {
                throw ApiError.invalidCriteria("The query parameter `" + (BoundedJson.isStorable(name) ? name : "?")
                        + "` contains a NUL character or an unpaired surrogate.");
            }
        });

        if (segments.length == 0 || segments.length == 3 || segments.length > 4) {
            throw ApiError.notFound("No route for " + request.method() + " " + request.path() + ".");
        }
        Model model = models.find(segments[0]).orElseThrow(() -> ApiError.unknownModel(segments[0]));
        Route route = Route.of(request.method(), segments.length);
        if (!principal.allows(model.identity(), route.action)) {
            throw ApiError.forbidden("Permission " + model.identity() + ":" + route.action.word() + " is required.");
        }
        JsonObject command = new JsonObject().put("op", route.op).put("model", model.identity())
                .put("origin", origin(principal, request));
        switch (route) {
            case FIND -> command.put("query", findQuery(model, request.query()));
            case FIND_ONE, UPDATE -> command.put("id", Values.id(model, segments[1]));
            case DESTROY -> command.put("id", Values.id(model, destroyId(request, segments)));
            case ADD, REMOVE -> {
                command.put("id", Values.id(model, segments[1]));
                Attribute collection = model.attribute(segments[2]).filter(Attribute::isCollection)
                        .orElseThrow(() -> ErrorCode.UNKNOWN_ASSOCIATION.error("Model '" + model.identity() + "' has no collection `" + segments[2] + "`."));
                command.put("attribute", collection.name())
                        .put("childId", Values.id(models.get(collection.target()), segments[3]));
            }
            default -> {
            }
        }
        if (route == Route.CREATE || route == Route.UPDATE) {
            JsonObject body = request.bodyObject();
            if (body == null) {
                throw ErrorCode.BAD_REQUEST.error("The request body must be a JSON object of attribute values.");
            }
            command.put("values", Values.attributes(models, model, body, route == Route.CREATE));
        }
        return vertx.eventBus().<JsonObject>request(RecordsAddresses.EXECUTE, command, DELIVERY)
                .map(reply -> Shown.body(models, model, reply.body().getValue("body"), principal));
    }

    /** Sails reads the id from the path, then the body, then the query string. */
    /**
     * Who asked: the node, the subject, and the socket, when the request came through one or named one
     * ({@code X-Herald-Socket-Id}); without a socket the key is left out, so subscribers never parse the origin.
     */
    private JsonObject origin(Principal principal, ActionRequest request) {
        JsonObject origin = new JsonObject().put("node", node).put("subject", principal.subject());
        if (request.socketId() != null) {
            origin.put("socketId", request.socketId());
        }
        return origin.put("viaSocket", request.viaSocket());
    }

    private static Object destroyId(ActionRequest request, String[] segments) {
        if (segments.length == 2) {
            return segments[1];
        }
        if (segments.length != 1) {
            throw ApiError.notFound("No route for DELETE " + request.path() + ".");
        }
        JsonObject body = request.bodyObject();
        if (body != null && body.getValue("id") != null) {
            Object id = body.getValue("id");
            if (id instanceof JsonObject || id instanceof JsonArray) {
                throw ApiError.invalidCriteria("`id` must be a single value, not " + id + ".");
            }
            return id;
        }
        String fromQuery = request.query().get("id");
        if (fromQuery == null) {
            throw ApiError.invalidCriteria("No `id` given: use DELETE /<model>/<id>, ?id= or a body {\"id\": ..}.");
        }
        return fromQuery;
    }

    private JsonObject findQuery(Model model, Map<String, String> parameters) {
        JsonObject query = new JsonObject();
        Map<String, String> plain = new LinkedHashMap<>();
        parameters.forEach((name, value) -> {
            if (IGNORED_PARAMETERS.contains(name)) {
                return;
            }
            if (!FIND_OPTIONS.contains(name)) {
                plain.put(name, value);
                return;
            }
            switch (name) {
                case "where" -> query.put("where", jsonObject("where", value));
                case "sort" -> query.put("sort", value.startsWith("{") || value.startsWith("[") ? json("sort", value) : value);
                default -> query.put(name, wholeNumber(name, value));
            }
        });
        if (!plain.isEmpty()) {
            if (query.containsKey("where")) {
                throw ApiError.invalidCriteria("Give criteria either as `where` or as plain parameters, not both.");
            }
            query.put("where", Criteria.fromParameters(models, model, plain));
        }
        return query;
    }

    private static JsonObject jsonObject(String name, String text) {
        if (json(name, text) instanceof JsonObject object) {
            return object;
        }
        throw ApiError.invalidCriteria("`" + name + "` must be a JSON object.");
    }

    private static Object json(String name, String text) {
        try {
            return BoundedJson.decode(text);
        } catch (DecodeException e) {
            throw ApiError.invalidCriteria("`" + name + "` is not valid JSON.");
        } catch (BoundedJson.Refused e) {
            throw ApiError.invalidCriteria("`" + name + "`: " + e.getMessage());
        }
    }

    private static Object wholeNumber(String name, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiError.invalidCriteria("`" + name + "` must be a whole number.");
        }
    }

    /** The percent-decoded segments of a blueprint path, without leading or trailing slashes. */
    public static String[] segments(String path) {
        String trimmed = EDGE_SLASHES.matcher(path).replaceAll("");
        if (trimmed.isEmpty()) {
            return new String[0];
        }
        String[] parts = trimmed.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            try {
                parts[i] = URLDecoder.decode(parts[i].replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidCriteria("The path is not correctly percent-encoded.");
            }
            if (!BoundedJson.isStorable(parts[i])) {
                throw ApiError.invalidCriteria("The path contains a NUL character.");
            }
        }
        return parts;
    }

    /** The blueprint actions: HTTP method and number of path segments, with the permission each needs. */
    private enum Route {
        FIND("find", Action.READ), FIND_ONE("findOne", Action.READ), CREATE("create", Action.CREATE),
        UPDATE("update", Action.UPDATE), DESTROY("destroy", Action.DESTROY), ADD("add", Action.UPDATE),
        REMOVE("remove", Action.UPDATE);

        final String op;
        final Action action;

        Route(String op, Action action) {
            this.op = op;
            this.action = action;
        }

        static Route of(String method, int segments) {
            Route route = switch (method + " " + segments) {
                case "GET 1" -> FIND;
                case "GET 2" -> FIND_ONE;
                case "POST 1" -> CREATE;
                case "PATCH 2" -> UPDATE;
                case "DELETE 1", "DELETE 2" -> DESTROY;
                case "PUT 4" -> ADD;
                case "DELETE 4" -> REMOVE;
                default -> null;
            };
            if (route == null) {
                throw ErrorCode.METHOD_NOT_ALLOWED.error(method + " is not a blueprint action for this path.");
            }
            return route;
        }
    }
}
