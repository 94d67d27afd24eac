package dev.herald.records;

import dev.herald.database.Sql;
import dev.herald.database.Transaction;
import dev.herald.errors.ApiError;
import dev.herald.errors.Failures;
import dev.herald.metrics.HeraldMeters;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.notifications.Notifier;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.List;
import java.util.function.Function;

/**
 * The persistence verticle: owns the PostgreSQL pool, applies the schema at start, and runs every
 * blueprint action it is asked for on {@link RecordsAddresses#EXECUTE}. Writes run in one transaction
 * (concurrent destroys of one model share one: {@link DestroyQueue}); after the commit the
 * notifications they imply are written to the notification log in the same transaction and, after the
 * commit, published once on {@link dev.herald.notifications.NotificationAddresses#NOTIFICATIONS} (see
 * {@link Notifier}).
 *
 * <p>Requests: {@code {"op":"find"|"findOne"|"exists"|"create"|"update"|"destroy"|"add"|"remove", "model", "id",
 * "values", "query", "attribute", "childId", "origin":{"node","socketId","subject"}}}; replies
 * {@code {"status":200,"body":..}}; failures carry an {@link ApiError} as JSON.
 */
public final class RecordsVerticle extends VerticleBase {
    /**
     * PostgreSQL connections per node for the records: reads and writes share them, and a write holds
     * one for its whole transaction (concurrent destroys of one model share one, see
     * {@link DestroyQueue}). With the entities' pool ({@link dev.herald.haystack.EntitiesVerticle#POOL_SIZE})
     * and the subscription verticle's two notification-log readers a node opens at most 26, so the three
     * nodes of {@code docker/compose.yaml} stay under PostgreSQL's default {@code max_connections} (100).
     */
    static final int POOL_SIZE = 16;

    private final Models models;
    private final PgConnectOptions connectOptions;
    private final boolean demoData;
    private final boolean logged;
    private final HeraldMeters meters;
    private Notifier notifier;
    private Pool pool;
    private Sql reads;
    private Finder finder;
    private Writer writer;
    private DestroyQueue destroys;
    private MessageConsumer<JsonObject> consumer;

    public RecordsVerticle(Models models, PgConnectOptions connectOptions, boolean demoData, boolean logged, HeraldMeters meters) {
        this.models = models;
        this.connectOptions = connectOptions;
        this.demoData = demoData;
        this.logged = logged;
        this.meters = meters;
    }

    @Override
    public Future<?> start() {
        pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(POOL_SIZE).setName("herald-records"))
                .connectingTo(new PgConnectOptions(connectOptions).setCachePreparedStatements(true))
                .using(vertx)
                .build();
        reads = Sql.reads(pool);
        notifier = new Notifier(vertx, logged);
        Populator populator = new Populator(models);
        finder = new Finder(models, populator);
        writer = new Writer(models, populator);
        destroys = new DestroyQueue(notifier, pool, new Destroyer(models, populator), new BatchDestroyer(models, populator, notifier), meters);
        return new Schema(models).apply(pool, demoData ? new DemoData() : null)
                .compose(v -> {
                    consumer = vertx.eventBus().localConsumer(RecordsAddresses.EXECUTE, this::execute);
                    MessageConsumer<Object> health = vertx.eventBus().localConsumer(RecordsAddresses.HEALTH,
                            message -> pool.query("SELECT 1").execute()
                                    .onSuccess(rows -> message.reply("UP"))
                                    .onFailure(e -> message.fail(503, "database unreachable")));
                    return Future.all(consumer.completion(), health.completion());
                });
    }

    @Override
    public Future<?> stop() {
        return pool == null ? Future.succeededFuture() : pool.close();
    }

    private void execute(Message<JsonObject> message) {
        Failures.reply(message, Future.succeededFuture(message.body()).compose(this::run));
    }

    private Future<Object> run(JsonObject request) {
        Model model = models.find(request.getString("model"))
                .orElseThrow(() -> ApiError.unknownModel(request.getString("model")));
        Object id = request.getValue("id");
        String op = request.getString("op", "");
        JsonObject origin = request.getJsonObject("origin", new JsonObject());
        return switch (op) {
            case "find" -> finder.find(reads, model, request.getJsonObject("query", new JsonObject())).map(a -> a);
            case "findOne" -> finder.findOne(reads, model, id).map(r -> r);
            case "exists" -> finder.existing(reads, model, request.getJsonArray("ids")).map(a -> a);
            case "create" -> write(origin, c -> writer.create(c, model, request.getJsonObject("values")));
            case "update" -> write(origin, c -> writer.update(c, model, id, request.getJsonObject("values")));
            case "add" -> write(origin, c -> writer.add(c, model, id, request.getString("attribute"), request.getValue("childId")));
            case "remove" -> write(origin, c -> writer.remove(c, model, id, request.getString("attribute"), request.getValue("childId")));
            case "destroy" -> destroys.destroy(model, id, origin).onComplete(done -> meters.destroyEnded(model.identity(), done.cause())).map(r -> r);
            default -> Future.failedFuture(new IllegalArgumentException("unknown records op '" + op + "'"));
        };
    }

    private Future<Object> write(JsonObject origin, Function<Transaction, Future<Writer.Result>> body) {
        return notifier.write(pool, Transaction.Isolation.READ_COMMITTED, origin, body, Writer.Result::notifications)
                .map(Writer.Result::record);
    }
}
