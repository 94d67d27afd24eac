package dev.herald.haystack;

import dev.herald.database.Migrations;
import dev.herald.database.Sql;
import dev.herald.database.Transaction;
import dev.herald.errors.Failures;
import dev.herald.haystack.filter.Filter;
import dev.herald.haystack.filter.FilterParser;
import dev.herald.haystack.filter.FilterSyntaxException;
import dev.herald.haystack.json.GridJson;
import dev.herald.haystack.json.HaystackFormatException;
import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.sql.EntitySql;
import dev.herald.haystack.value.Dict;
import dev.herald.metrics.HeraldMeters;
import dev.herald.notifications.Notifier;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Persistence of Haystack entities: owns their pool and table, runs each op it is asked for on
 * {@link HaystackAddresses#EXECUTE}, writes in one transaction, and after a commit publishes what
 * changed on address {@code entity}: {@code created} (to watchers), {@code updated}, and one
 * {@code destroyed} per deleted entity.
 *
 * <p>Requests: {@code {"op":"read"|"deleteRec", "filter", "limit"}} or {@code {"op", "ids":[..]}};
 * {@code {"op":"createRec"|"updateRec", "rows":[v3 dicts]}}; {@code {"op":"resolve"|"exists", "ids"}}.
 * Replies {@code {"status":200,"body":<grid JSON>}}.
 */
public final class EntitiesVerticle extends VerticleBase {
    public static final String MODEL = "entity";
    /**
     * PostgreSQL connections per node for the Haystack ops, each of which holds one for one read or one
     * request's transaction. Added to the records' pool, it bounds what a node opens: see
     * {@link dev.herald.records.RecordsVerticle}.
     */
    public static final int POOL_SIZE = 8;

    private final PgConnectOptions connectOptions;
    private final boolean logged;
    private final HeraldMeters meters;
    private Notifier notifier;
    private long expiry = -1;
    private Pool pool;
    private Sql reads;

    public EntitiesVerticle(PgConnectOptions connectOptions, boolean logged, HeraldMeters meters) {
        this.connectOptions = connectOptions;
        this.logged = logged;
        this.meters = meters;
    }

    @Override
    public Future<?> start() {
        pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(POOL_SIZE).setName("herald-entities")).connectingTo(new PgConnectOptions(connectOptions).setCachePreparedStatements(true)).using(vertx).build();
        reads = Sql.reads(pool);
        notifier = new Notifier(vertx, logged);
        expiry = vertx.setPeriodic(30_000, t -> Watches.expire(reads)
                .onFailure(e -> java.util.logging.Logger.getLogger(EntitiesVerticle.class.getName())
                        .warning("expired watches could not be removed (will try again): " + e)));
        return Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> tx.query(EntitySql.LOCK_MIGRATIONS)
                        .compose(v -> Migrations.inOrder(tx, EntitySql.DDL))
                        .compose(v -> Migrations.inOrder(tx, Watches.DDL)))
                .compose(v -> vertx.eventBus().<JsonObject>localConsumer(HaystackAddresses.EXECUTE, this::execute).completion());
    }

    @Override
    public Future<?> stop() {
        if (expiry >= 0) {
            vertx.cancelTimer(expiry);
        }
        return pool == null ? Future.succeededFuture() : pool.close();
    }

    private void execute(Message<JsonObject> message) {
        Failures.reply(message, Future.succeededFuture(message.body()).compose(this::run));
    }

    private Future<Object> run(JsonObject request) {
        String op = request.getString("op", "");
        JsonObject origin = request.getJsonObject("origin", new JsonObject());
        return switch (op) {
            case "read" -> read(request).map(GridJson::encode);
            case "deleteRec" -> counted(notifier.write(pool, Transaction.Isolation.READ_COMMITTED, origin, tx -> delete(tx, request),
                    EntityWrites.Result::notifications)).map(result -> GridJson.encode(result.grid()));
            case "createRec" -> write(origin, tx -> EntityWrites.create(tx, rows(request)));
            case "updateRec" -> write(origin, tx -> EntityWrites.update(tx, rows(request)));
            case "watchSub" -> watch(request, Watches::subscribe);
            case "watchUnsub" -> watch(request, Watches::unsubscribe);
            case "watchPoll" -> watch(request, Watches::poll);
            case "resolve" -> EntityStore.resolve(reads, strings(request.getJsonArray("ids"))).map(map -> {
                JsonObject out = new JsonObject();
                map.forEach((given, uuid) -> out.put(given, uuid == null ? null : uuid.toString()));
                return out;
            });
            case "exists" -> EntityStore.resolve(reads, strings(request.getJsonArray("ids"))).map(map -> {
                JsonArray out = new JsonArray();
                map.forEach((given, uuid) -> {
                    if (uuid != null) {
                        out.add(given);
                    }
                });
                return out;
            });
            default -> Future.failedFuture(new IllegalArgumentException("unknown haystack op '" + op + "'"));
        };
    }

    /**
     * A watch op, in one read-committed transaction: the watch's row lock first (concurrent polls of
     * one watch take turns, rather than fail on each other's snapshot), then the log position, then the
     * entities, so nothing committed after the position can be missed (see {@link Watches}).
     */
    private Future<Object> watch(JsonObject request, java.util.function.BiFunction<Sql, Watches.Request, Future<dev.herald.haystack.json.Grid>> op) {
        Dict meta;
        try {
            meta = HaystackJson.decodeDict(request.getJsonObject("meta", new JsonObject()), "meta");
        } catch (HaystackFormatException e) {
            throw HaystackErrors.badRequest(e.getMessage());
        }
        Watches.Request asked = new Watches.Request(meta, strings(request.getJsonArray("ids", new JsonArray())));
        return Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, tx -> op.apply(tx, asked)).map(GridJson::encode);
    }

    private Future<dev.herald.haystack.json.Grid> read(JsonObject request) {
        if (request.containsKey("filter")) {
            return FilterRefs.canonical(reads, parse(request.getString("filter")))
                    .compose(filter -> EntityStore.select(reads, filter, request.getInteger("limit", 0), false))
                    .compose(found -> EntityStore.grid(reads, found, java.util.Map.of()));
        }
        List<String> ids = strings(request.getJsonArray("ids"));
        return pool.withConnection(conn -> {
            Sql one = Sql.reads(conn);
            return EntityWrites.targets(one, ids)
                    .compose(uuids -> EntityStore.byIds(one, uuids, false))
                    .compose(found -> EntityStore.grid(one, found, java.util.Map.of()));
        });
    }

    private Future<EntityWrites.Result> delete(Transaction conn, JsonObject request) {
        if (request.containsKey("filter")) {
            return FilterRefs.canonical(conn, parse(request.getString("filter")))
                    .compose(filter -> EntityStore.select(conn, filter, request.getInteger("limit", 0), true))
                    .compose(found -> EntityWrites.delete(conn,
                    found.stream().map(dev.herald.haystack.sql.TagStorage::entityId).toList(), found));
        }
        return EntityWrites.targets(conn, strings(request.getJsonArray("ids"))).compose(uuids -> EntityStore.byIds(conn, uuids, true)
                .compose(found -> EntityWrites.delete(conn, uuids, found)));
    }

    private static Filter parse(String filter) {
        try {
            return FilterParser.parse(filter);
        } catch (FilterSyntaxException e) {
            throw HaystackErrors.badRequest("Invalid filter: " + e.getMessage());
        }
    }

    private static List<Dict> rows(JsonObject request) {
        List<Dict> rows = new ArrayList<>();
        JsonArray json = request.getJsonArray("rows");
        for (int i = 0; i < json.size(); i++) {
            try {
                rows.add(HaystackJson.decodeDict(json.getJsonObject(i), "rows[" + i + "]"));
            } catch (HaystackFormatException e) {
                throw HaystackErrors.badRequest(e.getMessage());
            }
        }
        return rows;
    }

    private static List<String> strings(JsonArray array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(String.valueOf(v)));
        return out;
    }

    /**
     * {@code herald_destroys_total{model="entity"}}: a deleteRec that deleted counts each entity it deleted
     * (one {@code destroyed} notification each) as {@code ok}; one that failed counts once, by its outcome.
     */
    private Future<EntityWrites.Result> counted(Future<EntityWrites.Result> deleteRec) {
        return deleteRec.onComplete(done -> {
            if (done.succeeded()) {
                meters.destroyed(MODEL, HeraldMeters.DestroyOutcome.OK, done.result().notifications().size());
            } else {
                meters.destroyEnded(MODEL, done.cause());
            }
        });
    }

    private Future<Object> write(JsonObject origin, Function<Transaction, Future<EntityWrites.Result>> body) {
        return notifier.write(pool, Transaction.Isolation.READ_COMMITTED, origin, body, EntityWrites.Result::notifications)
                .map(result -> GridJson.encode(result.grid()));
    }
}
