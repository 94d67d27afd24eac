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
import dev.herald.database.Sql;
import dev.herald.database.Transaction;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static dev.herald.models.Identifiers.quote;

/**
 * Destroys one record and what its associations imply, inside the caller's transaction, and returns
 * the notifications computed from what the statements actually changed:
 * <ul>
 *   <li>the record is locked first ({@code FOR UPDATE}), so of concurrent destroys exactly one finds it;</li>
 *   <li>{@code restrict} children refuse the destroy (409 {@code E_HAS_CHILDREN}) before anything changes;</li>
 *   <li>{@code setNull} children (and one-way references) get their foreign key nulled: {@code updated};</li>
 *   <li>{@code cascade} children are destroyed the same way: their own {@code destroyed};</li>
 *   <li>junction rows are removed: {@code removedFrom} for the records on the other side;</li>
 *   <li>a parent listing the record in a collection gets {@code removedFrom}.</li>
 * </ul>
 * Messages addressed to records destroyed by the same request are dropped.
 */
final class Destroyer {
    /** How many blocking children a 409 names per child model. */
    static final int RESTRICT_LISTED = 100;

    private final Models models;
    private final Populator populator;
    private final Statements statements = new Statements();

    Destroyer(Models models, Populator populator) {
        this.models = models;
        this.populator = populator;
    }

    record Result(JsonObject previous, List<Notification> notifications) {
    }

    /** 409: the record {@code id} (as in JSON) has {@code restrict} children, {@code {"<model>":[ids]}}. */
    static ApiError hasChildren(Model model, Object id, JsonObject children) {
        return new ApiError(409, "E_HAS_CHILDREN", "Cannot destroy " + model.identity() + " " + Values.show(id)
                + " while other records belong to it.", new JsonObject().put("children", children));
    }

    Future<Result> destroy(Transaction conn, Model model, Object id) {
        Run run = new Run(conn, System.currentTimeMillis());
        return run.destroy(model, id)
                .compose(previous -> previous == null
                        ? Future.failedFuture(ApiError.notFound("No " + model.identity() + " record with id " + Values.show(id) + "."))
                        : Future.succeededFuture(new Result(previous, run.notifications())));
    }

    /** The state of one destroy request: what is being destroyed and the messages collected so far. */
    private final class Run {
        private final Sql conn;
        private final long now;
        private final Set<String> destroying = new HashSet<>();
        private final List<Notification> destroyed = new ArrayList<>();
        private final List<Notification> sideEffects = new ArrayList<>();

        Run(Sql conn, long now) {
            this.conn = conn;
            this.now = now;
        }

        List<Notification> notifications() {
            List<Notification> all = new ArrayList<>(destroyed);
            Set<String> gone = new HashSet<>();
            destroyed.forEach(n -> gone.add(n.key()));
            sideEffects.stream().filter(n -> !gone.contains(n.key())).forEach(all::add);
            return all;
        }

        /**
         * The populated record as it was, or null when there is no such record (any more). The lock and
         * the {@code restrict} check go out together; nothing is changed before the check has passed.
         */
        Future<JsonObject> destroy(Model model, Object id) {
            Object param = Columns.idParam(model.primaryKey(), id);
            String lock = statements.get("lock " + model.identity(), () -> "SELECT " + Columns.selectList(model, "")
                    + " FROM " + Columns.table(model) + " WHERE " + quote(Model.ID) + " = $1 FOR UPDATE");
            Future<RowSet<Row>> locked = conn.execute(lock, Tuple.of(param));
            Future<JsonObject> blocking = restrictingChildren(model, param);
            return Future.join(locked, blocking).compose(checked -> {
                if (locked.result().size() == 0) {
                    return Future.succeededFuture(null);
                }
                if (blocking.result() != null) {
                    return Future.failedFuture(hasChildren(model, Columns.idToJson(param), blocking.result()));
                }
                Row row = locked.result().iterator().next();
                destroying.add(key(model, param));
                int slot = destroyed.size();
                destroyed.add(null);
                JsonObject raw = Columns.toJson(model, row, true);
                // pipelined in this order: the reads that make up "previous" run before the changes
                Future<List<JsonObject>> previous = populator.populate(conn, model, List.of(Columns.toJson(model, row, false)));
                Future<Void> nulled = nullOuts(model, param);
                Future<Void> links = junctions(model, param);
                return Future.join(previous, nulled, links)
                        .compose(v -> cascades(model, param))
                        .compose(v -> {
                            parents(model, raw);
                            String delete = statements.get("delete " + model.identity(), () -> "DELETE FROM "
                                    + Columns.table(model) + " WHERE " + quote(Model.ID) + " = $1");
                            return conn.execute(delete, Tuple.of(param)).map(previous.result().get(0));
                        })
                        .map(record -> {
                            destroyed.set(slot, Notification.destroyed(model.identity(), Columns.idToJson(param), record));
                            return record;
                        });
            });
        }

        /** The {@code restrict} children that block destroying {@code id} ({@code {"<model>":[ids]}}), or null. */
        private Future<JsonObject> restrictingChildren(Model model, Object id) {
            List<ForeignKey> restricted = models.childrenOf(model.identity()).stream()
                    .filter(fk -> fk.policy() == OnDestroy.RESTRICT).toList();
            if (restricted.isEmpty()) {
                return Future.succeededFuture(null);
            }
            List<Future<RowSet<Row>>> checks = restricted.stream()
                    .map(fk -> conn.execute(statements.get("restrict " + fk.child() + "." + fk.fk(), () -> "SELECT "
                            + quote(Model.ID) + " FROM " + quote(fk.child()) + " WHERE " + quote(fk.fk()) + " = $1 ORDER BY "
                            + quote(Model.ID) + " LIMIT " + RESTRICT_LISTED), Tuple.of(id)))
                    .toList();
            return Future.join(checks).map(all -> {
                JsonObject children = new JsonObject();
                for (int i = 0; i < restricted.size(); i++) {
                    JsonArray ids = new JsonArray();
                    checks.get(i).result().forEach(r -> ids.add(Columns.idToJson(r.getValue(0))));
                    if (!ids.isEmpty()) {
                        JsonArray existing = children.getJsonArray(restricted.get(i).child(), new JsonArray());
                        children.put(restricted.get(i).child(), existing.addAll(ids));
                    }
                }
                return children.isEmpty() ? null : children;
            });
        }

        private Future<Void> nullOuts(Model model, Object id) {
            List<Future<Void>> nulled = models.childrenOf(model.identity()).stream()
                    .filter(fk -> fk.policy() == OnDestroy.SET_NULL)
                    .map(fk -> nullOut(fk, id))
                    .toList();
            return Future.join(nulled).mapEmpty();
        }

        /** Cascaded children are destroyed one at a time, in order. */
        private Future<Void> cascades(Model model, Object id) {
            Future<Void> chain = Future.succeededFuture();
            for (ForeignKey fk : models.childrenOf(model.identity())) {
                if (fk.policy() == OnDestroy.CASCADE) {
                    chain = chain.compose(v -> cascade(fk, id));
                }
            }
            return chain;
        }

        private Future<Void> nullOut(ForeignKey fk, Object id) {
            String sql = statements.get("null " + fk.child() + "." + fk.fk(), () -> "UPDATE " + quote(fk.child()) + " SET "
                    + quote(fk.fk()) + " = NULL, " + quote(Model.UPDATED_AT) + " = $2 WHERE " + quote(fk.fk()) + " = $1 RETURNING "
                    + quote(Model.ID));
            return conn.execute(sql, Tuple.of(id, now)).map(rows -> {
                for (Row r : rows) {
                    sideEffects.add(Notification.updated(fk.child(), Columns.idToJson(r.getValue(0)),
                            new JsonObject().putNull(fk.fk())));
                }
                return null;
            });
        }

        /** Destroys the children; a child already being destroyed (a cycle) only loses its reference. */
        private Future<Void> cascade(ForeignKey fk, Object id) {
            Model child = models.get(fk.child());
            String sql = "SELECT " + quote(Model.ID) + " FROM " + quote(fk.child()) + " WHERE " + quote(fk.fk())
                    + " = $1 ORDER BY " + quote(Model.ID) + " FOR UPDATE";
            return conn.execute(sql, Tuple.of(id)).compose(rows -> {
                Future<Void> chain = Future.succeededFuture();
                boolean cycle = false;
                for (Row r : rows) {
                    Object childId = r.getValue(0);
                    if (destroying.contains(key(child, childId))) {
                        cycle = true;
                        continue;
                    }
                    chain = chain.compose(v -> destroy(child, Columns.idToJson(childId)).mapEmpty());
                }
                if (!cycle) {
                    return chain;
                }
                String unlink = "UPDATE " + quote(fk.child()) + " SET " + quote(fk.fk()) + " = NULL WHERE "
                        + quote(fk.fk()) + " = $1";
                return chain.compose(v -> conn.execute(unlink, Tuple.of(id)).mapEmpty());
            });
        }

        private Future<Void> junctions(Model model, Object id) {
            List<Future<Void>> removals = new ArrayList<>();
            for (Junction j : models.junctionsOf(model.identity())) {
                if (j.symmetric()) {
                    removals.add(unlink(j, id, j.columnA(), j.columnB(), j.modelB(), j.attrB()));
                    continue;
                }
                if (j.modelA().equals(model.identity())) {
                    removals.add(unlink(j, id, j.columnA(), j.columnB(), j.modelB(), j.attrB()));
                }
                if (j.modelB().equals(model.identity())) {
                    removals.add(unlink(j, id, j.columnB(), j.columnA(), j.modelA(), j.attrA()));
                }
            }
            return Future.join(removals).mapEmpty();
        }

        /** Removes the junction rows of {@code id}; the other side hears about it if it lists the link. */
        private Future<Void> unlink(Junction j, Object id, String mine, String other, String otherModel, String otherAttr) {
            String sql = statements.get("unlink " + j.table() + "." + mine, () -> j.symmetric()
                    ? "DELETE FROM " + quote(j.table()) + " WHERE " + quote(mine) + " = $1 OR " + quote(other)
                    + " = $1 RETURNING " + quote(mine) + ", " + quote(other)
                    : "DELETE FROM " + quote(j.table()) + " WHERE " + quote(mine) + " = $1 RETURNING " + quote(other));
            return conn.execute(sql, Tuple.of(id)).map(rows -> {
                if (otherAttr == null) {
                    return null;
                }
                Set<Object> others = new LinkedHashSet<>();
                for (Row r : rows) {
                    Object first = r.getValue(0);
                    others.add(j.symmetric() && first.equals(id) ? r.getValue(1) : first);
                }
                Object removedId = Columns.idToJson(id);
                others.forEach(o -> sideEffects.add(Notification.removedFrom(otherModel, Columns.idToJson(o), otherAttr, removedId)));
                return null;
            });
        }

        /** Parents that list this record in a collection see it removed from that collection. */
        private void parents(Model model, JsonObject raw) {
            for (Attribute a : model.singulars()) {
                ForeignKey fk = models.singular(model.identity(), a.name());
                Object parentId = raw.getValue(a.name());
                if (fk.collection() != null && parentId != null) {
                    sideEffects.add(Notification.removedFrom(fk.parent(), parentId, fk.collection(), raw.getValue(Model.ID)));
                }
            }
        }

        private String key(Model model, Object id) {
            return model.identity() + "\u0000" + Columns.idToJson(id);
        }
    }
}
