package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.models.Attribute;
import dev.herald.models.ForeignKey;
import dev.herald.models.Junction;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.OnDestroy;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
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
 * Destroys several records of one model inside the caller's transaction with one statement per step
 * for all of them ({@code = ANY($1)}), and gives each record the outcome {@link Destroyer} would
 * have given it alone: its {@code previous}, its own notifications in the same order, or its 404 or
 * 409. Two round trips: the rows are locked (in id order, so two batches never deadlock on them) and
 * the {@code restrict} children counted; then the reads for {@code previous}, the child updates, the
 * junction deletes and the delete go out pipelined, in that order.
 *
 * <p>Only models without {@code cascade} children are destroyed this way. When two destroyed records
 * turn out to be associated with each other, their outcomes would depend on which went first, so the
 * batch fails with {@link Entangled} (the transaction rolls back) and the caller destroys them one at
 * a time instead.
 */
final class BatchDestroyer {
    private static final int RESTRICT_LISTED = 100;

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

    /** Records of one batch are associated with each other; the batch has changed nothing. */
    static final class Entangled extends RuntimeException {
        Entangled() {
            super("records of the batch are associated with each other", null, false, false);
        }
    }

    boolean handles(Model model) {
        return models.childrenOf(model.identity()).stream().noneMatch(fk -> fk.policy() == OnDestroy.CASCADE);
    }

    /** {@code ids} are validated and distinct; the map has an outcome for every one, in their order. */
    Future<Map<Object, Outcome>> destroy(SqlConnection conn, Model model, List<Object> ids) {
        List<Object> keys = ids.stream().map(id -> key(model, id)).toList();
        Tuple requested = Tuple.of(Columns.idArray(model.primaryKey(), keys));
        String lock = statements.get("lock " + model.identity(), () -> "SELECT " + Columns.selectList(model, "")
                + " FROM " + Columns.table(model) + " WHERE " + quote(Model.ID) + " = ANY($1) ORDER BY "
                + quote(Model.ID) + " FOR UPDATE");
        Future<RowSet<Row>> locked = conn.preparedQuery(lock).execute(requested);
        Future<Map<Object, JsonObject>> blocked = restrictedChildren(conn, model, requested);
        return Future.all(locked, blocked).compose(v -> {
            Map<Object, Outcome> outcomes = new LinkedHashMap<>();
            keys.forEach(k -> outcomes.put(k, null));
            Map<Object, Row> rows = new LinkedHashMap<>();
            for (Row row : locked.result()) {
                Object id = Columns.idToJson(row.getValue(Model.ID));
                JsonObject children = blocked.result().get(id);
                if (children == null) {
                    rows.put(id, row);
                } else {
                    outcomes.put(id, new Outcome(null, null, hasChildren(model, id, children)));
                }
            }
            outcomes.replaceAll((id, outcome) -> outcome != null || rows.containsKey(id) ? outcome
                    : new Outcome(null, null, ApiError.notFound("No " + model.identity() + " record with id " + Values.show(id) + ".")));
            if (rows.isEmpty()) {
                return Future.succeededFuture(outcomes);
            }
            return new Run(conn, model, rows).destroy().map(destroyed -> {
                outcomes.putAll(destroyed);
                return outcomes;
            });
        });
    }

    /** The key an id has in rows and in JSON: a number, or the text of a string or UUID. */
    private static Object key(Model model, Object id) {
        return Columns.idToJson(Columns.idParam(model.primaryKey(), id));
    }

    /** Per requested id, the {@code restrict} children that block it ({@code {"<child model>":[ids]}}). */
    private Future<Map<Object, JsonObject>> restrictedChildren(SqlConnection conn, Model model, Tuple requested) {
        List<ForeignKey> restricted = models.childrenOf(model.identity()).stream()
                .filter(fk -> fk.policy() == OnDestroy.RESTRICT).toList();
        List<Future<RowSet<Row>>> checks = restricted.stream()
                .map(fk -> conn.preparedQuery(statements.get("restrict " + fk.child() + "." + fk.fk(), () -> "SELECT __parent, "
                        + quote(Model.ID) + " FROM (SELECT " + quote(fk.fk()) + " AS __parent, " + quote(Model.ID)
                        + ", row_number() OVER (PARTITION BY " + quote(fk.fk()) + " ORDER BY " + quote(Model.ID) + ") AS __rank"
                        + " FROM " + quote(fk.child()) + " WHERE " + quote(fk.fk()) + " = ANY($1)) s WHERE __rank <= "
                        + RESTRICT_LISTED + " ORDER BY __parent, " + quote(Model.ID))).execute(requested))
                .toList();
        return Future.all(checks).map(all -> {
            Map<Object, JsonObject> blocked = new HashMap<>();
            for (int i = 0; i < restricted.size(); i++) {
                String child = restricted.get(i).child();
                for (Row r : checks.get(i).result()) {
                    JsonObject children = blocked.computeIfAbsent(Columns.idToJson(r.getValue(0)), k -> new JsonObject());
                    JsonArray ids = children.getJsonArray(child);
                    if (ids == null) {
                        children.put(child, ids = new JsonArray());
                    }
                    ids.add(Columns.idToJson(r.getValue(1)));
                }
            }
            return blocked;
        });
    }

    private static ApiError hasChildren(Model model, Object id, JsonObject children) {
        return new ApiError(409, "E_HAS_CHILDREN",
                "Cannot destroy " + model.identity() + " " + Values.show(id) + " while other records belong to it.",
                new JsonObject().put("children", children));
    }

    /** The second round trip, for the records that were found and are not blocked. */
    private final class Run {
        private final SqlConnection conn;
        private final Model model;
        private final Map<Object, Row> rows;
        private final Tuple ids;
        private final Map<Object, List<Notification>> sideEffects = new HashMap<>();

        Run(SqlConnection conn, Model model, Map<Object, Row> rows) {
            this.conn = conn;
            this.model = model;
            this.rows = rows;
            this.ids = Tuple.of(Columns.idArray(model.primaryKey(), new ArrayList<>(rows.keySet())));
            rows.keySet().forEach(id -> sideEffects.put(id, new ArrayList<>()));
        }

        Future<Map<Object, Outcome>> destroy() {
            List<JsonObject> shallow = rows.values().stream().map(r -> Columns.toJson(model, r, false)).toList();
            Future<List<JsonObject>> previous = populator.populate(conn, model, shallow);
            List<ForeignKey> nulled = models.childrenOf(model.identity()).stream()
                    .filter(fk -> fk.policy() == OnDestroy.SET_NULL).toList();
            List<Future<RowSet<Row>>> updates = nulled.stream().map(this::nullOut).toList();
            List<Unlink> unlinks = unlinks();
            List<Future<RowSet<Row>>> removals = unlinks.stream().map(this::unlink).toList();
            String delete = statements.get("delete " + model.identity(), () -> "DELETE FROM " + Columns.table(model)
                    + " WHERE " + quote(Model.ID) + " = ANY($1)");
            Future<RowSet<Row>> deleted = conn.preparedQuery(delete).execute(ids);
            List<Future<?>> all = new ArrayList<>(List.of(previous, deleted));
            all.addAll(updates);
            all.addAll(removals);
            return Future.all(all).map(v -> {
                for (int i = 0; i < nulled.size(); i++) {
                    collectUpdated(nulled.get(i), updates.get(i).result());
                }
                for (int i = 0; i < unlinks.size(); i++) {
                    collectRemoved(unlinks.get(i), removals.get(i).result());
                }
                rows.forEach((id, row) -> parents(id, Columns.toJson(model, row, true)));
                Map<Object, Outcome> outcomes = new LinkedHashMap<>();
                List<Object> order = new ArrayList<>(rows.keySet());
                for (int i = 0; i < order.size(); i++) {
                    Object id = order.get(i);
                    JsonObject record = previous.result().get(i);
                    List<Notification> notifications = new ArrayList<>();
                    notifications.add(Notification.destroyed(model.identity(), id, record));
                    Notification own = notifications.get(0);
                    sideEffects.get(id).stream().filter(n -> !n.key().equals(own.key())).forEach(notifications::add);
                    outcomes.put(id, new Outcome(record, notifications, null));
                }
                return outcomes;
            });
        }

        /** Children keep their rows; the statement returns each child with the parent it had. */
        private Future<RowSet<Row>> nullOut(ForeignKey fk) {
            String sql = statements.get("null " + fk.child() + "." + fk.fk(), () -> "WITH old AS (SELECT " + quote(Model.ID)
                    + ", " + quote(fk.fk()) + " FROM " + quote(fk.child()) + " WHERE " + quote(fk.fk()) + " = ANY($1) FOR UPDATE)"
                    + " UPDATE " + quote(fk.child()) + " c SET " + quote(fk.fk()) + " = NULL, " + quote(Model.UPDATED_AT)
                    + " = $2 FROM old WHERE c." + quote(Model.ID) + " = old." + quote(Model.ID)
                    + " RETURNING c." + quote(Model.ID) + ", old." + quote(fk.fk()));
            return conn.preparedQuery(sql).execute(Tuple.of(ids.getValue(0), System.currentTimeMillis()));
        }

        private void collectUpdated(ForeignKey fk, RowSet<Row> changed) {
            for (Row r : changed) {
                Object child = Columns.idToJson(r.getValue(0));
                Object parent = Columns.idToJson(r.getValue(1));
                untangled(fk.child(), child, parent);
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
            return conn.preparedQuery(sql).execute(ids);
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

        /** A message from one destroyed record to another means their order matters: not for a batch. */
        private void untangled(String otherModel, Object other, Object root) {
            if (otherModel.equals(model.identity()) && !other.equals(root) && rows.containsKey(other)) {
                throw new Entangled();
            }
        }
    }

    private record Unlink(Junction junction, String mine, String other, String otherModel, String otherAttr) {
    }
}
