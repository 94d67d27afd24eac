package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.models.Attribute;
import dev.herald.models.ForeignKey;
import dev.herald.models.Junction;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.OnDestroy;
import dev.herald.notifications.Notification;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import dev.herald.database.Sql;
import dev.herald.database.Transaction;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.herald.models.Identifiers.quote;

/**
 * Destroys several records of one model in one transaction of its own, with one statement per step
 * for all of them ({@code = ANY($1)}), and gives each record the outcome {@link Destroyer} would have
 * given it alone: its {@code previous}, its own notifications in the same order, or its 404 or 409.
 * Everything goes out in one pipeline, in this order: {@code BEGIN}; the rows locked (in id order, so
 * two batches never deadlock on them); the {@code restrict} children counted; the reads for
 * {@code previous}; the child updates and junction deletes; the delete. Then {@code COMMIT}: in the same
 * pipeline when nothing can be refused or entangled (one round trip), else once the answers are
 * checked (two). When a record turns out to have {@code restrict} children, the batch is rolled back
 * and sent again without it (it gets its 409).
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
    private final Statements statements = new Statements();

    BatchDestroyer(Models models, Populator populator) {
        this.models = models;
        this.populator = populator;
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
        return models.childrenOf(model.identity()).stream().noneMatch(fk -> fk.policy() == OnDestroy.CASCADE);
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
        String lock = statements.get("lock " + model.identity(), () -> "SELECT " + Columns.selectList(model, "")
                + " FROM " + Columns.table(model) + " WHERE " + quote(Model.ID) + " = ANY($1) ORDER BY "
                + quote(Model.ID) + " FOR UPDATE");
        Future<RowSet<Row>> locked = tx.execute(lock, requested);
        Future<Map<Object, JsonObject>> blocked = restrictedChildren(tx, model, requested);
        Run run = new Run(tx, model, requested);
        // nothing to decide after the statements: the COMMIT goes in the same pipeline
        Future<Void> commit = decidedInAdvance(model) ? tx.commitInPipeline() : null;
        return Future.join(locked, blocked, run.sent()).transform(sent -> {
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
            if (sent.failed()) {
                return Future.failedFuture(sent.cause());
            }
            Map<Object, Outcome> outcomes;
            try {
                outcomes = run.outcomes(rows);
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
        Set<String> nullable = new java.util.HashSet<>();
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
        List<ForeignKey> restricted = models.childrenOf(model.identity()).stream()
                .filter(fk -> fk.policy() == OnDestroy.RESTRICT).toList();
        List<Future<RowSet<Row>>> checks = restricted.stream()
                .map(fk -> conn.execute(statements.get("restrict " + fk.child() + "." + fk.fk(), () -> "SELECT __parent, "
                        + quote(Model.ID) + " FROM (SELECT " + quote(fk.fk()) + " AS __parent, " + quote(Model.ID)
                        + ", row_number() OVER (PARTITION BY " + quote(fk.fk()) + " ORDER BY " + quote(Model.ID) + ") AS __rank"
                        + " FROM " + quote(fk.child()) + " WHERE " + quote(fk.fk()) + " = ANY($1)) s WHERE __rank <= "
                        + Destroyer.RESTRICT_LISTED + " ORDER BY __parent, " + quote(Model.ID)), requested))
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

    /** The reads and changes of one attempt, sent at once; attributed to the records once they are known. */
    private final class Run {
        private final Sql conn;
        private final Model model;
        private final Tuple ids;
        private final Populator.Pending previous;
        private final List<ForeignKey> nulled;
        private final List<Future<RowSet<Row>>> updates;
        private final List<Unlink> unlinks;
        private final List<Future<RowSet<Row>>> removals;
        private final Future<RowSet<Row>> deleted;
        private final Map<Object, List<Notification>> sideEffects = new HashMap<>();
        private final Map<String, Object> nulledBy = new HashMap<>();
        private Map<Object, Row> rows;

        Run(Sql conn, Model model, Tuple ids) {
            this.conn = conn;
            this.model = model;
            this.ids = ids;
            this.previous = populator.populateByIds(conn, model, ids);
            this.nulled = models.childrenOf(model.identity()).stream().filter(fk -> fk.policy() == OnDestroy.SET_NULL).toList();
            this.updates = nulled.stream().map(this::nullOut).toList();
            this.unlinks = unlinks();
            this.removals = unlinks.stream().map(this::unlink).toList();
            String delete = statements.get("delete " + model.identity(), () -> "DELETE FROM " + Columns.table(model)
                    + " WHERE " + quote(Model.ID) + " = ANY($1)");
            this.deleted = conn.execute(delete, ids);
        }

        Future<?> sent() {
            List<Future<?>> all = new ArrayList<>(List.of(previous.loaded()));
            all.addAll(updates);
            all.addAll(removals);
            all.add(deleted);
            return Future.join(all);
        }

        /** Each found record's previous state and notifications, in the order {@link Destroyer} gives them. */
        Map<Object, Outcome> outcomes(Map<Object, Row> found) {
            this.rows = found;
            found.keySet().forEach(id -> sideEffects.put(id, new ArrayList<>()));
            for (int i = 0; i < nulled.size(); i++) {
                collectUpdated(nulled.get(i), updates.get(i).result());
            }
            for (int i = 0; i < unlinks.size(); i++) {
                collectRemoved(unlinks.get(i), removals.get(i).result());
            }
            found.forEach((id, row) -> parents(id, Columns.toJson(model, row, true)));
            List<JsonObject> records = previous.fill(found.values().stream().map(r -> Columns.toJson(model, r, false)).toList())
                    .result();
            List<Object> order = new ArrayList<>(found.keySet());
            for (int i = 0; i < order.size(); i++) {
                shownUnchanged(order.get(i), records.get(i));
            }
            Map<Object, Outcome> outcomes = new LinkedHashMap<>();
            for (int i = 0; i < order.size(); i++) {
                Object id = order.get(i);
                JsonObject record = records.get(i);
                Notification own = Notification.destroyed(model.identity(), id, record);
                List<Notification> notifications = new ArrayList<>();
                notifications.add(own);
                sideEffects.get(id).stream().filter(n -> !n.key().equals(own.key())).forEach(notifications::add);
                outcomes.put(id, new Outcome(record, notifications, null));
            }
            return outcomes;
        }

        /** Children keep their rows; the statement returns each child with the parent it had. */
        private Future<RowSet<Row>> nullOut(ForeignKey fk) {
            String sql = statements.get("null " + fk.child() + "." + fk.fk(), () -> "WITH old AS (SELECT " + quote(Model.ID)
                    + ", " + quote(fk.fk()) + " FROM " + quote(fk.child()) + " WHERE " + quote(fk.fk()) + " = ANY($1) FOR UPDATE)"
                    + " UPDATE " + quote(fk.child()) + " c SET " + quote(fk.fk()) + " = NULL, " + quote(Model.UPDATED_AT)
                    + " = $2 FROM old WHERE c." + quote(Model.ID) + " = old." + quote(Model.ID)
                    + " RETURNING c." + quote(Model.ID) + ", old." + quote(fk.fk()));
            return conn.execute(sql, Tuple.of(ids.getValue(0), System.currentTimeMillis()));
        }

        private void collectUpdated(ForeignKey fk, RowSet<Row> changed) {
            for (Row r : changed) {
                Object child = Columns.idToJson(r.getValue(0));
                Object parent = Columns.idToJson(r.getValue(1));
                untangled(fk.child(), child, parent);
                Object earlier = nulledBy.putIfAbsent(fk.child() + "\u0000" + child, parent);
                if (earlier != null && !earlier.equals(parent)) {
                    throw new Unbatchable(fk.child() + " " + child + " refers to both " + earlier + " and " + parent);
                }
                sideEffects.get(parent).add(Notification.updated(fk.child(), child, new JsonObject().putNull(fk.fk())));
            }
        }

        /** The junction rows to remove: both columns of a symmetric one, else the side(s) that are this model. */
        private List<Unlink> unlinks() {
            List<Unlink> unlinks = new ArrayList<>();
            for (Junction j : models.junctionsOf(model.identity())) {
                if (j.symmetric()) {
                    unlinks.add(new Unlink(j, j.columnA(), j.columnB(), j.modelB(), j.attrB()));
                    continue;
                }
                if (j.modelA().equals(model.identity())) {
                    unlinks.add(new Unlink(j, j.columnA(), j.columnB(), j.modelB(), j.attrB()));
                }
                if (j.modelB().equals(model.identity())) {
                    unlinks.add(new Unlink(j, j.columnB(), j.columnA(), j.modelA(), j.attrA()));
                }
            }
            return unlinks;
        }

        private Future<RowSet<Row>> unlink(Unlink u) {
            Junction j = u.junction();
            String sql = statements.get("unlink " + j.table() + "." + u.mine(), () -> "DELETE FROM " + quote(j.table())
                    + " WHERE " + quote(u.mine()) + " = ANY($1)" + (j.symmetric() ? " OR " + quote(u.other()) + " = ANY($1)" : "")
                    + " RETURNING " + quote(u.mine()) + ", " + quote(u.other()));
            return conn.execute(sql, ids);
        }

        /** Each removed link tells the other side, once per pair, if the other side lists it. */
        private void collectRemoved(Unlink u, RowSet<Row> removed) {
            Map<Object, Set<Object>> othersByRoot = new LinkedHashMap<>();
            for (Row r : removed) {
                Object mine = Columns.idToJson(r.getValue(0));
                Object other = Columns.idToJson(r.getValue(1));
                if (u.junction().symmetric() && !rows.containsKey(mine)) {
                    Object swap = mine;
                    mine = other;
                    other = swap;
                }
                untangled(u.otherModel(), other, mine);
                othersByRoot.computeIfAbsent(mine, k -> new LinkedHashSet<>()).add(other);
            }
            if (u.otherAttr() == null) {
                return;
            }
            othersByRoot.forEach((root, others) -> others.forEach(o -> sideEffects.get(root)
                    .add(Notification.removedFrom(u.otherModel(), o, u.otherAttr(), root))));
        }

        /** Parents that list a destroyed record in a collection see it removed from that collection. */
        private void parents(Object id, JsonObject raw) {
            for (Attribute a : model.singulars()) {
                ForeignKey fk = models.singular(model.identity(), a.name());
                Object parentId = raw.getValue(a.name());
                if (fk.collection() != null && parentId != null) {
                    untangled(fk.parent(), parentId, id);
                    sideEffects.get(id).add(Notification.removedFrom(fk.parent(), parentId, fk.collection(), id));
                }
            }
        }

        /**
         * A record's {@code previous} must not show a row that another record of the batch nulls: alone,
         * one of them would go first and the other would show that row changed.
         */
        private void shownUnchanged(Object id, JsonObject record) {
            for (Attribute a : model.attributes().values()) {
                Object value = record.getValue(a.name());
                List<Object> shown = new ArrayList<>();
                if (a.isSingular() && value instanceof JsonObject target) {
                    shown.add(target.getValue(Model.ID));
                } else if (a.isCollection() && value instanceof JsonArray list) {
                    list.forEach(c -> shown.add(((JsonObject) c).getValue(Model.ID)));
                }
                for (Object other : shown) {
                    Object nulledFor = nulledBy.get(a.target() + "\u0000" + other);
                    if (nulledFor != null && !nulledFor.equals(id)) {
                        throw new Unbatchable(model.identity() + " " + id + " shows " + a.target() + " " + other
                                + ", which destroying " + nulledFor + " changes");
                    }
                }
            }
        }

        /** A message from one destroyed record to another means their order matters: not for a batch. */
        private void untangled(String otherModel, Object other, Object root) {
            if (otherModel.equals(model.identity()) && !other.equals(root) && rows.containsKey(other)) {
                throw new Unbatchable(model.identity() + " " + root + " and " + other + " are associated");
            }
        }

    }

    private record Unlink(Junction junction, String mine, String other, String otherModel, String otherAttr) {
    }
}
