package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.models.ForeignKey;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.OnDestroy;
import dev.herald.notifications.Notification;
import dev.herald.notifications.Notifier;
import dev.herald.notifications.Outgoing;
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
 * {@code previous}; the child updates and junction deletes; the delete. Once the answers are checked,
 * the notifications go to the notification log with the {@code COMMIT} right behind (a second round
 * trip: the log holds the notifications, which are known only from the answers). When a record turns out to have {@code restrict} children, the batch is rolled back
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
    private final Notifier notifier;

    BatchDestroyer(Models models, Populator populator, Notifier notifier) {
        this.models = models;
        this.populator = populator;
        this.scope = new DestroyScope(models);
        this.notifier = notifier;
    }

    /** What one record of the batch gets: its previous state and notifications, or an error. */
    record Outcome(JsonObject previous, List<Notification> notifications, ApiError error) {
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

    /** The outcome of every destroy of a committed batch, in their order, and its notifications, to publish. */
    record Committed(Map<Object, Outcome> outcomes, Outgoing outgoing) {
    }

    /**
     * {@code ids} are validated and distinct, {@code origins} the origin of each (by index); the outcomes
     * have one for every id, in their order.
     */
    Future<Committed> destroy(Pool pool, Model model, List<Object> ids, List<JsonObject> origins) {
        List<Object> keys = ids.stream().map(id -> key(model, id)).toList();
        Map<Object, JsonObject> originOf = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            originOf.put(keys.get(i), origins.get(i));
        }
        Map<Object, Outcome> refused = new HashMap<>();
        return attempt(pool, model, keys, originOf, refused).map(committed -> {
            Map<Object, Outcome> inOrder = new LinkedHashMap<>();
            keys.forEach(k -> inOrder.put(k, refused.containsKey(k) ? refused.get(k) : committed.outcomes().get(k)));
            return new Committed(inOrder, committed.outgoing());
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
    private Future<Committed> attempt(Pool pool, Model model, List<Object> keys, Map<Object, JsonObject> originOf,
                                      Map<Object, Outcome> refused) {
        // one snapshot for the whole pipeline: a statement must not see a record created after the lock
        return Transaction.run(pool, Transaction.Isolation.REPEATABLE_READ, tx -> pipeline(tx, model, keys, originOf))
                .recover(failure -> {
                    if (!(failure instanceof Refused r)) {
                        return Future.failedFuture(failure);
                    }
                    refused.putAll(r.outcomes);
                    List<Object> rest = keys.stream().filter(k -> !refused.containsKey(k)).toList();
                    return rest.isEmpty() ? Future.succeededFuture(new Committed(Map.of(), Outgoing.of(List.of())))
                            : attempt(pool, model, rest, originOf, refused);
                });
    }

    /**
     * Every statement for {@code keys} at once; once their answers are checked, the log and the COMMIT
     * (or the refusal, or the failure, and a rollback).
     */
    private Future<Committed> pipeline(Transaction tx, Model model, List<Object> keys, Map<Object, JsonObject> originOf) {
        Tuple requested = Tuple.of(Columns.idArray(model.primaryKey(), keys));
        Future<RowSet<Row>> locked = tx.execute(sql.lockBatch(model), requested);
        Future<Map<Object, JsonObject>> blocked = restrictedChildren(tx, model, requested);
        Sent sent = send(tx, model, requested);
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
            Map<Object, Outcome> outcomes = new BatchOutcomes(scope, model, rows).of(sent);
            keys.stream().filter(k -> !rows.containsKey(k)).forEach(k -> outcomes.put(k, new Outcome(null, null,
                    ApiError.notFound("No " + model.identity() + " record with id " + Values.show(k) + "."))));
            List<Notification.Change> changes = new ArrayList<>();
            for (Object k : keys) {
                Outcome outcome = outcomes.get(k);
                if (outcome.error() == null) {
                    changes.add(new Notification.Change(originOf.get(k), outcome.notifications()));
                }
            }
            return notifier.commit(tx, changes).map(outgoing -> new Committed(outcomes, outgoing));
        });
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
