package dev.herald.haystack;

import dev.herald.auth.Action;
import dev.herald.auth.Principal;
import dev.herald.errors.ApiError;
import dev.herald.errors.Failures;
import dev.herald.haystack.json.Grid;
import dev.herald.haystack.json.GridJson;
import dev.herald.haystack.json.HaystackFormatException;
import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.json.JsonVersion;
import dev.herald.haystack.value.DateTime;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Marker;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Str;
import dev.herald.haystack.zinc.ZincReader;
import dev.herald.haystack.zinc.ZincWriter;
import dev.herald.input.BoundedJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Haystack / WideSky ops under {@code /api/}: grids in, grids out, errors as error grids with
 * WideSky's statuses. GET requests carry a one-row grid as Zinc-encoded query parameters. Grids are
 * JSON or Zinc ({@link GridFormat}): a request body by its {@code Content-Type}, the answer (error
 * grids too) by {@code Accept}.
 */
public final class HaystackApi {
    /** Local only: the entities verticle consumes locally, so the cluster's node selection is skipped. */
    private static final DeliveryOptions DELIVERY = new DeliveryOptions().setSendTimeout(60_000).setLocalOnly(true);
    private static final OffsetDateTime BOOT = OffsetDateTime.now(ZoneOffset.UTC);
    private static final Map<String, String> OPS = new LinkedHashMap<>();

    static {
        OPS.put("about", "Summary information for server");
        OPS.put("ops", "Operations supported by this server");
        OPS.put("formats", "Grid data formats supported by this server");
        OPS.put("read", "Read entity records in database");
        OPS.put("createRec", "Create new rec(s) in the Haystack Server.");
        OPS.put("updateRec", "Update rec(s) in the Haystack Server.");
        OPS.put("deleteRec", "Remove rec(s) from the Haystack Server.");
        OPS.put("watchSub", "Watch entities for changes (a new watch, or more entities for one)");
        OPS.put("watchUnsub", "Stop watching entities, or close a watch");
        OPS.put("watchPoll", "The watched entities changed (or deleted: removed) since the last poll");
    }

    private final Vertx vertx;
    private final String node;

    public HaystackApi(Vertx vertx, String node) {
        this.vertx = vertx;
        this.node = node;
    }

    /** An op for a caller whose token the HTTP layer has already checked (before reading the body). */
    public void handle(RoutingContext ctx, Principal principal) {
        String op = ctx.pathParam("op");
        GridFormat answer = answerFormat(ctx);
        Future.succeededFuture(op)
                .compose(name -> OPS.containsKey(name) ? run(name, principal, ctx)
                        : Future.failedFuture(HaystackErrors.notFound("No op '" + name + "'")))
                .map(grid -> answer == GridFormat.ZINC ? Buffer.buffer(ZincWriter.write(GridJson.decode(json(grid)))) : bytes(grid))
                .onSuccess(body -> send(ctx, 200, answer, body))
                .onFailure(failure -> sendError(ctx, failure));
    }

    /** A grid as the persistence verticle answers it: a JSON object, or its JSON bytes. */
    private static JsonObject json(Object grid) {
        return grid instanceof Buffer bytes ? new JsonObject(bytes) : (JsonObject) grid;
    }

    private static Buffer bytes(Object grid) {
        return grid instanceof Buffer bytes ? bytes : ((JsonObject) grid).toBuffer();
    }

    private static GridFormat answerFormat(RoutingContext ctx) {
        return GridFormat.forAccept(String.join(",", ctx.request().headers().getAll(HttpHeaders.ACCEPT)));
    }

    private Future<Object> run(String op, Principal principal, RoutingContext ctx) {
        requirePermission(op, principal);
        return switch (op) {
            case "about" -> Future.succeededFuture(GridJson.encode(about()));
            case "ops" -> Future.succeededFuture(GridJson.encode(ops()));
            case "formats" -> Future.succeededFuture(GridJson.encode(formats()));
            default -> execute(op, principal, requestGrid(ctx));
        };
    }

    private static void requirePermission(String op, Principal principal) {
        Action action = switch (op) {
            case "read", "watchSub", "watchUnsub", "watchPoll" -> Action.READ;
            case "createRec" -> Action.CREATE;
            case "updateRec" -> Action.UPDATE;
            case "deleteRec" -> Action.DESTROY;
            default -> null;
        };
        if (action != null && !principal.allows(EntitiesVerticle.MODEL, action)) {
            throw ApiError.forbidden("Permission " + EntitiesVerticle.MODEL + ":" + action.word() + " is required.");
        }
    }

    private Future<Object> execute(String op, Principal principal, Grid grid) {
        JsonObject command = new JsonObject().put("op", op).put("origin", new JsonObject().put("node", node)
                .put("subject", principal.subject()).put("viaSocket", false));
        if (op.startsWith("watch")) {
            command.put("meta", HaystackJson.encodeDict(grid.meta(), JsonVersion.V3)).put("ids", ids(grid, true));
        } else if (grid.rows().isEmpty()) {
            throw HaystackErrors.badRequest("Request has no rows");
        }
        if (op.equals("read") || op.equals("deleteRec")) {
            targets(grid, command);
        } else {
            JsonArray rows = new JsonArray();
            grid.rows().forEach(row -> rows.add(HaystackJson.encodeDict(row, JsonVersion.V3)));
            command.put("rows", rows);
        }
        return vertx.eventBus().request(HaystackAddresses.EXECUTE, command, DELIVERY)
                .map(reply -> reply.body() instanceof Buffer bytes ? bytes : ((JsonObject) reply.body()).getValue("body"));
    }

    /** WideSky's dispatch: a {@code filter} in the first row wins, else every row's {@code id}. */
    private static void targets(Grid grid, JsonObject command) {
        Dict first = grid.rows().get(0);
        if (first.get("filter") != null) {
            if (!(first.get("filter") instanceof Str filter)) {
                throw HaystackErrors.badRequest("filter must be a Str");
            }
            command.put("filter", filter.value()).put("limit", limit(first.get("limit")));
            return;
        }
        if (grid.column("id") == null) {
            throw HaystackErrors.badRequest("Missing filter or id columns");
        }
        command.put("ids", ids(grid, false));
    }

    /**
     * The {@code id} of every row: a Ref, or a Str holding a UUID or a fully-qualified name (with or
     * without {@code @}); a row without one is a 400 unless {@code optional} (it is then skipped).
     */
    private static JsonArray ids(Grid grid, boolean optional) {
        JsonArray ids = new JsonArray();
        for (int i = 0; i < grid.rows().size(); i++) {
            HaystackValue id = grid.rows().get(i).get("id");
            if (id instanceof Ref ref) {
                ids.add(ref.id());
            } else if (id instanceof Str str && !str.value().isBlank()) {
                ids.add(str.value().startsWith("@") ? str.value().substring(1) : str.value());
            } else if (id != null || !optional) {
                throw HaystackErrors.badRequest("rows[" + i + "].id must be a Ref (a UUID or a fully-qualified name)");
            }
        }
        return ids;
    }

    /** Absent, null or 0: unlimited; negative or not a Number: 400; fractions are truncated. */
    private static int limit(HaystackValue value) {
        if (value == null) {
            return 0;
        }
        if (!(value instanceof Num n) || Double.isNaN(n.value()) || n.value() < 0) {
            throw HaystackErrors.badRequest("Invalid limit: must be a Number, 0 or more (0 = unlimited)");
        }
        return n.value() >= Integer.MAX_VALUE ? 0 : (int) n.value();
    }

    private static Grid requestGrid(RoutingContext ctx) {
        if (ctx.request().method().name().equals("GET") && ctx.pathParam("op").startsWith("watch")) {
            throw HaystackErrors.badRequest(ctx.pathParam("op") + " takes a POST grid (its meta carries watchId, watchDis, lease)");
        }
        if (ctx.request().method().name().equals("GET")) {
            Map<String, HaystackValue> tags = new LinkedHashMap<>();
            ctx.queryParams().forEach(e -> {
                if (!BoundedJson.isStorable(e.getValue())) {
                    throw HaystackErrors.badRequest("Query parameter " + e.getKey() + " contains a NUL character or an unpaired surrogate");
                }
                HaystackValue value = ZincParameter.decode(e.getValue());
                if (value != null && Dict.isTagName(e.getKey())) {
                    tags.putIfAbsent(e.getKey(), value);
                }
            });
            if (tags.isEmpty()) {
                throw HaystackErrors.badRequest("Request has no rows");
            }
            Dict row = new Dict(tags);
            return new Grid(Dict.EMPTY, tags.keySet().stream().map(Grid.Column::named).toList(), List.of(row));
        }
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (GridFormat.ofContentType(contentType) == GridFormat.ZINC) {
            return zincGrid(contentType, ctx.body().buffer());
        }
        try {
            Object body = BoundedJson.decode(ctx.body().buffer());
            if (!(body instanceof JsonObject json)) {
                throw HaystackErrors.badRequest("Cannot parse request grid: not a JSON object");
            }
            return GridJson.decode(json);
        } catch (DecodeException | NullPointerException e) {
            throw HaystackErrors.badRequest("Cannot parse request grid: not valid JSON");
        } catch (HaystackFormatException | BoundedJson.Refused e) {
            throw HaystackErrors.badRequest("Cannot parse request grid: " + e.getMessage());
        }
    }

    /** A Zinc body: UTF-8 (a charset parameter, if any, must say so), within the bounds of JSON bodies. */
    private static Grid zincGrid(String contentType, Buffer body) {
        String charset = GridFormat.charset(contentType);
        if (charset != null && !charset.equals("utf-8") && !charset.equals("utf8")) {
            throw HaystackErrors.badRequest("Cannot parse request grid: Zinc bodies must be UTF-8, not " + charset);
        }
        try {
            return ZincReader.readGrid(body == null ? new byte[0] : body.getBytes());
        } catch (HaystackFormatException e) {
            throw HaystackErrors.badRequest("Cannot parse request grid: " + e.getMessage());
        }
    }

    private Grid about() {
        Map<String, HaystackValue> row = new LinkedHashMap<>();
        row.put("haystackVersion", new Str("3.0"));
        row.put("serverName", new Str(node));
        row.put("serverTime", new DateTime(OffsetDateTime.now(ZoneOffset.UTC), "UTC"));
        row.put("serverBootTime", new DateTime(BOOT, "UTC"));
        row.put("productName", new Str("Herald"));
        row.put("productVersion", new Str(String.valueOf(HaystackApi.class.getPackage().getImplementationVersion())));
        row.put("moduleName", new Str("herald"));
        row.put("vendorName", new Str("Herald"));
        row.put("tz", new Str("UTC"));
        return new Grid(Dict.EMPTY, row.keySet().stream().map(Grid.Column::named).toList(), List.of(new Dict(row)));
    }

    private static Grid ops() {
        List<Dict> rows = new ArrayList<>();
        OPS.forEach((name, summary) -> rows.add(new Dict(Map.of("name", new Str(name), "summary", new Str(summary)))));
        return new Grid(Dict.EMPTY, List.of(Grid.Column.named("name"), Grid.Column.named("summary")), rows);
    }

    private static Grid formats() {
        List<Dict> rows = new ArrayList<>();
        for (GridFormat format : GridFormat.values()) {
            Map<String, HaystackValue> row = new LinkedHashMap<>();
            row.put("mime", new Str(format.mime()));
            row.put("receive", Marker.VALUE);
            row.put("send", Marker.VALUE);
            rows.add(new Dict(row));
        }
        return new Grid(Dict.EMPTY, List.of(Grid.Column.named("mime"), Grid.Column.named("receive"), Grid.Column.named("send")),
                rows);
    }

    private static Future<Void> send(RoutingContext ctx, int status, GridFormat format, Buffer body) {
        return ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, format.contentType())
                .putHeader(HttpHeaders.VARY, "Accept").end(body);
    }

    /** An error grid: {@code err} marker and {@code dis} = "HBadRequestError: …" (no stack traces); completes once written. */
    public static Future<Void> sendError(RoutingContext ctx, Throwable failure) {
        ApiError error = Failures.toApiError(failure);
        String kind = error.errorCode().haystackKind().code();
        String dis = kind + ": " + error.getMessage() + (error.details() != null && error.details().containsKey("correlationId")
                ? " (correlation id " + error.details().getString("correlationId") + ")" : "");
        GridFormat format = answerFormat(ctx);
        String body;
        if (format == GridFormat.ZINC) {
            Map<String, HaystackValue> meta = new LinkedHashMap<>();
            meta.put("err", Marker.VALUE);
            meta.put("dis", new Str(dis));
            body = ZincWriter.write(Grid.empty(new Dict(meta)));
        } else {
            body = new JsonObject()
                    .put("meta", new JsonObject().put("ver", "2.0").put("err", "m:").put("dis", "s:" + dis))
                    .put("cols", new JsonArray().add(new JsonObject().put("name", "empty")))
                    .put("rows", new JsonArray())
                    .encode();
        }
        if (error.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        return send(ctx, error.status(), format, Buffer.buffer(body));
    }
}
