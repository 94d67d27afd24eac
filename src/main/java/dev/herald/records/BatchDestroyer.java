package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.models.ForeignKey;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.OnDestroy;
import dev.herald.notifications.Notification;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import dev.herald.database.Sql;
import dev.herald.database.Transaction;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Destroys several records of one model in one transaction of its own, with one statement per step
 * for all of them ({@code = ANY($1)}), and gives each record the outcome {@link Destroyer} would have
 * given it alone: its {@code previous}, its own notifications in the same order, or its 404 or 409.
 * Everything goes out in one pipeline, in this order: {@code BEGIN}; the rows locked (in id order, so
 * two batches never deadlock on them); the {@code restrict} children counted; the reads for
 * {@code previous}; the child updates and junction deletes; the delete. Then {@code COMMIT}: in the same
 * pipeline when nothing can be refused or entangled (one round trip), else once the answers are
 * checked (two). When a record turns out to have {@code restrict} children, the batch is rolled back
 * and sent again without it (it gets its 409). {@link BatchOutcomes} attributes the answers to the
 * records; every statement is in {@link DestroySql}.
 *
 * <p>Only models without {@code cascade} children are destroyed this way. When two destroyed records
 * turn out to be associated with each other (directly, or through one child row that refers to both),
 * their outcomes would depend on which went first: the batch rolls back and fails with
 * {@link Unbatchable}, and the caller destroys them one at a time. The pipeline reads one snapshot
 * (repeatable read), so no statement touches a record created after the lock; a conflict with a
 * concurrent writer fails the batch the same way.
 * (Foreign keys guarantee that every changed row points at a record that was found.)
 */
final class BatchDestroyer {

    private final Models models;
    private final Populator populator;
    private final DestroyScope scope;
    private final DestroySql sql = new DestroySql();

    BatchDestroyer(Models models, Populator populator) {
        this.models = models;
        this.populator = populator;
        this.scope = new DestroyScope(models);
    }

    /** What one record of the batch gets: its previous state and notifications, or an error. */
    record Outcome(JsonObject previous, List<Notification> notifications, ApiError error) {
    }

    /**
     * The batch was committed in the same pipeline, but its outcomes could not be worked out (a defect):
     * running its destroys again would answer 404 for records that are gone, so they all fail instead.
     */
    static final class CommittedUnreported extends RuntimeException {
        CommittedUnreported(Throwable cause) {
            super("a committed batch of destroys could not be reported", cause);
        }
    }

    /** The records of one batch cannot be destroyed together (see above); the batch has changed nothing. */
    static final class Unbatchable extends RuntimeException {
        Unbatchable(String why) {
            super(why, null, false, false);
        }
    }

    boolean handles(Model model) {
        return scope.children(model, OnDestroy.CASCADE).isEmpty();
    }

    /** {@code ids} are validated and distinct; the map has an outcome for every one, in their order. */
    Future<Map<Object, Outcome>> destroy(Pool pool, Model model, List<Object> ids) {
        List<Object> keys = ids.stream().map(id -> key(model, id)).toList();
        Map<Object, Outcome> refused = new HashMap<>();
        return attempt(pool, model, keys, refused).map(outcomes -> {
            Map<Object, Outcome> inOrder = new LinkedHashMap<>();
            keys.forEach(k -> inOrder.put(k, refused.containsKey(k) ? refused.get(k) : outcomes.get(k)));
            return inOrder;
        });
    }

    /** Records refused for their {@code restrict} children; the attempt that found them changed nothing. */
    private static final class Refused extends RuntimeException {
        private final Map<Object, Outcome> outcomes;

        Refused(Map<Object, Outcome> outcomes) {
            super("restricted records in the batch", null, false, false);
            this.outcomes = outcomes;
        }
    }

    /** One transaction for {@code keys}; when some are refused, they go to {@code refused} and the rest again. */
    private Future<Map<Object, Outcome>> attempt(Pool pool, Model model, List<Object> keys, Map<Object, Outcome> refused) {
        // one snapshot for the whole pipeline: a statement must not see a record created after the lock
        return Transaction.run(pool, Transaction.Isolation.REPEATABLE_READ, tx -> pipeline(tx, model, keys))
                .recover(failure -> {
                    if (!(failure instanceof Refused r)) {
                        return Future.failedFuture(failure);
                    }
                    refused.putAll(r.outcomes);
                    List<Object> rest = keys.stream().filter(k -> !refused.containsKey(k)).toList();
                    return rest.isEmpty() ? Future.succeededFuture(Map.of()) : attempt(pool, model, rest, refused);
                });
    }

    /** Every statement for {@code keys} at once, and the COMMIT with them when nothing can be refused. */
    private Future<Map<Object, Outcome>> pipeline(Transaction tx, Model model, List<Object> keys) {
        Tuple requested = Tuple.of(Columns.idArray(model.primaryKey(), keys));
        Future<RowSet<Row>> locked = tx.execute(sql.lockBatch(model), requested);
        Future<Map<Object, JsonObject>> blocked = restrictedChildren(tx, model, requested);
        Sent sent = send(tx, model, requested);
        // nothing to decide after the statements: the COMMIT goes in the same pipeline
        Future<Void> commit = decidedInAdvance(model) ? tx.commitInPipeline() : null;
        return Future.join(locked, blocked, sent.answered()).transform(answered -> {
            Map<Object, Row> rows = new LinkedHashMap<>();
            Map<Object, Outcome> refusedNow = new HashMap<>();
            if (locked.succeeded() && blocked.succeeded()) {
                locked.result().forEach(row -> rows.put(Columns.idToJson(row.getValue(Model.ID)), row));
                rows.keySet().stream().filter(blocked.result()::containsKey).forEach(id -> refusedNow.put(id,
                        new Outcome(null, null, Destroyer.hasChildren(model, id, blocked.result().get(id)))));
            }
            if (!refusedNow.isEmpty()) {
                // the delete may well have failed on the foreign key: either way, again without them
                return Future.failedFuture(new Refused(refusedNow));
            }
            if (answered.failed()) {
                return Future.failedFuture(answered.cause());
            }
            Map<Object, Outcome> outcomes;
            try {
                outcomes = new BatchOutcomes(scope, model, rows).of(sent);
            } catch (RuntimeException | StackOverflowError e) {
                return commit == null ? Future.failedFuture(e)
                        : commit.transform(ended -> Future.failedFuture(ended.succeeded() ? new CommittedUnreported(e) : e));
            }
            keys.stream().filter(k -> !rows.containsKey(k)).forEach(k -> outcomes.put(k, new Outcome(null, null,
                    ApiError.notFound("No " + model.identity() + " record with id " + Values.show(k) + "."))));
            return commit == null ? Future.succeededFuture(outcomes) : commit.map(outcomes);
        });
    }

    /**
     * Without {@code restrict} children, without associations from the model to itself, without a
     * child model that refers to it twice, and without a populated association (a singular one, or a
     * collection through a junction) to a model whose records the batch may null, no record can be
     * refused and no two can be entangled: whether to commit is known before the statements run.
     */
    private boolean decidedInAdvance(Model model) {
        String name = model.identity();
        List<ForeignKey> children = models.childrenOf(name);
        long childModels = children.stream().map(ForeignKey::child).distinct().count();
        Set<String> nullable = new HashSet<>();
        children.stream().filter(fk -> fk.policy() == OnDestroy.SET_NULL).forEach(fk -> nullable.add(fk.child()));
        boolean showsNullable = model.attributes().values().stream().anyMatch(a -> nullable.contains(a.target())
                && (a.isSingular() || a.isCollection() && models.oneToMany(name, a.name()).isEmpty()));
        return children.stream().noneMatch(fk -> fk.policy() == OnDestroy.RESTRICT || fk.child().equals(name))
                && childModels == children.size()
                && !showsNullable
                && models.junctionsOf(name).stream().noneMatch(j -> j.modelA().equals(j.modelB()));
    }

    /** The key an id has in rows and in JSON: a number, or the text of a string or UUID. */
    private static Object key(Model model, Object id) {
        return Columns.idToJson(Columns.idParam(model.primaryKey(), id));
    }

    /** Per requested id, the {@code restrict} children that block it ({@code {"<child model>":[ids]}}). */
    private Future<Map<Object, JsonObject>> restrictedChildren(Sql conn, Model model, Tuple requested) {
        List<ForeignKey> restricted = scope.children(model, OnDestroy.RESTRICT);
        List<Future<RowSet<Row>>> checks = restricted.stream()
                .map(fk -> conn.execute(sql.restrictingBatch(fk), requested))
                .toList();
        return Future.join(checks).map(all -> {
            Map<Object, JsonObject> blocked = new HashMap<>();
            for (int i = 0; i < restricted.size(); i++) {
                String child = restricted.get(i).child();
                for (Row r : checks.get(i).result()) {
                    JsonObject children = blocked.computeIfAbsent(Columns.idToJson(r.getValue(0)), k -> new JsonObject());
                    Destroyer.addChildren(children, child, List.of(Columns.idToJson(r.getValue(1))));
                }
            }
            return blocked;
        });
    }

    /** The reads and changes of one attempt, sent at once; {@link BatchOutcomes} attributes them to the records. */
    record Sent(Populator.Pending previous, List<ForeignKey> nulled, List<Future<RowSet<Row>>> updates,
                List<JunctionSide> unlinked, List<Future<RowSet<Row>>> removals, Future<RowSet<Row>> deleted) {

        Future<?> answered() {
            List<Future<?>> all = new ArrayList<>(List.of(previous.loaded()));
            all.addAll(updates);
            all.addAll(removals);
            all.add(deleted);
            return Future.join(all);
        }
    }

    /** The reads for {@code previous}, the child updates and junction deletes, and the delete. */
    private Sent send(Sql conn, Model model, Tuple ids) {
        Populator.Pending previous = populator.populateByIds(conn, model, ids);
        List<ForeignKey> nulled = scope.children(model, OnDestroy.SET_NULL);
        List<Future<RowSet<Row>>> updates = nulled.stream()
                .map(fk -> conn.execute(sql.nullOutBatch(fk), Tuple.of(ids.getValue(0), System.currentTimeMillis())))
                .toList();
        List<JunctionSide> unlinked = scope.junctionSides(model);
        List<Future<RowSet<Row>>> removals = unlinked.stream().map(side -> conn.execute(sql.unlinkBatch(side), ids)).toList();
        Future<RowSet<Row>> deleted = conn.execute(sql.deleteBatch(model), ids);
        return new Sent(previous, nulled, updates, unlinked, removals, deleted);
    }
}
