package dev.herald.realtime;

import dev.herald.blueprint.ActionRequest;
import dev.herald.blueprint.ActionResponse;
import dev.herald.blueprint.Blueprint;
import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;
import dev.herald.errors.Failures;
import dev.herald.models.Model;
import dev.herald.models.Models;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;
import java.util.Set;

/**
 * {@code herald.request}: a virtual request is exactly the REST action, run as the frame's principal
 * and answered as {@code {statusCode, headers, body}}, the action's errors included (a body that is
 * not a request gets an {@code err} frame); a successful one autosubscribes the socket, as Sails does.
 */
final class VirtualRequests {
    private static final Logger LOG = Logger.getLogger(VirtualRequests.class.getName());
    private static final Set<String> METHODS = Set.of("GET", "POST", "PATCH", "PUT", "DELETE");

    private final Models models;
    private final Blueprint blueprint;
    private final SubscriptionVerticle subscriptions;
    private final VerifiedJoins joins;

    VirtualRequests(Models models, Blueprint blueprint, SubscriptionVerticle subscriptions, VerifiedJoins joins) {
        this.models = models;
        this.blueprint = blueprint;
        this.subscriptions = subscriptions;
        this.joins = joins;
    }

    Future<Object> request(SocketSession session, JsonObject frame) {
        if (!(frame.getValue("body") instanceof JsonObject body)
                || !(body.getValue("method") instanceof String rawMethod)
                || !METHODS.contains(rawMethod.toUpperCase(Locale.ROOT))
                || !(body.getValue("url") instanceof String url) || !url.startsWith("/")) {
            return Future.failedFuture(ErrorCode.BAD_FRAME.error("herald.request needs a body {\"method\":\"GET|POST|PATCH|PUT|DELETE\",\"url\":\"/model/id\",\"data\":{..}}."));
        }
        String method = rawMethod.toUpperCase(Locale.ROOT);
        QueryStringDecoder decoded;
        Map<String, String> query = new LinkedHashMap<>();
        try {
            // the decoder reads the query string lazily: a bad escape shows up here, not in the constructor
            decoded = new QueryStringDecoder(url);
            decoded.parameters().forEach((k, v) -> query.put(k, v.get(0)));
        } catch (IllegalArgumentException e) {
            return Future.succeededFuture(reply(ActionResponse.of(ApiError.invalidCriteria("The url is not correctly encoded."))));
        }
        Object data = body.getValue("data");
        if (method.equals("GET") && data instanceof JsonObject params) {
            params.forEach(e -> query.putIfAbsent(e.getKey(), e.getValue() instanceof String s ? s : Json.encode(e.getValue())));
            data = null;
        }
        ActionRequest action = new ActionRequest(method, decoded.rawPath(), query, data, session.id(), true);
        return session.principalOf(frame, body)
                .compose(p -> blueprint.handleAs(action, p), e -> Future.succeededFuture(ActionResponse.of(Failures.toApiError(e))))
                .compose(response -> response.status() != 200 ? Future.succeededFuture(new Answer(response, -1))
                        : autosubscribe(session, method, decoded.rawPath(), response).recover(failure -> {
                            if (method.equals("GET")) {
                                return Future.failedFuture(failure);
                            }
                            // the write is committed: its answer stands, without the subscription it would have brought
                            LOG.warning("socket " + session.id() + ": " + method + " " + decoded.rawPath()
                                    + " committed, but subscribing to its record failed: " + failure);
                            return Future.succeededFuture(new Answer(response, -1));
                        }))
                .map(this::reply);
    }

    /** The reply of a virtual request that is not run (the node drains): its error as a response. */
    static Object notRun(ApiError error) {
        return new JsonObject().put("statusCode", error.status()).put("headers", new JsonObject())
                .put("body", ActionResponse.of(error).body());
    }

    /** A virtual request's response, and the position its autosubscribe joined at (-1: none). */
    private record Answer(ActionResponse response, long seq) {
    }

    private Object reply(ActionResponse response) {
        return reply(new Answer(response, -1));
    }

    /** An autosubscribing request answers with {@code X-Herald-Seq}: where live delivery of what it subscribed starts. */
    private Object reply(Answer answer) {
        JsonObject headers = new JsonObject();
        if (answer.seq() >= 0 && subscriptions.logged()) {
            headers.put("X-Herald-Seq", Long.toString(answer.seq()));
        }
        ActionResponse response = answer.response();
        return new JsonObject().put("statusCode", response.status()).put("headers", headers).put("body", response.body());
    }

    /**
     * Sails' autosubscribe: findOne subscribes to the record and its populated children, find to the
     * returned records (and their children) and to the model's creations, create and update to the
     * record, add and remove to the parent. A destroy racing the read ({@link VerifiedJoins}) turns a
     * findOne into a 404.
     */
    private Future<Answer> autosubscribe(SocketSession session, String method, String path, ActionResponse response) {
        String[] segments = Blueprint.segments(path);
        Model model = segments.length == 0 ? null : models.find(segments[0]).orElse(null);
        if (model == null || (method.equals("DELETE") && segments.length <= 2)) {
            return Future.succeededFuture(new Answer(response, -1));
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
        return joins.join(session, rooms, watch ? model.identity() : null).map(joined -> {
            boolean mainGone = mainId != null && joined.missing().getOrDefault(model.identity(), List.of()).contains(mainId);
            return mainGone
                    ? new Answer(ActionResponse.of(ApiError.notFound("No " + model.identity() + " record with id " + mainId + ".")), -1)
                    : new Answer(response, joined.seq());
        });
    }
}
