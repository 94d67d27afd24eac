package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;
import dev.herald.models.ForeignKey;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.OnDestroy;
import dev.herald.notifications.Notification;
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

/**
 * Destroys one record and what its associations imply, inside the caller's (repeatable-read)
 * transaction, in two phases:
 * <ol>
 *   <li><b>plan</b>, changing nothing: the record is locked ({@code FOR UPDATE}, so of concurrent
 *       destroys exactly one finds it), its {@code restrict} children refuse it (409
 *       {@code E_HAS_CHILDREN}), its populated {@code previous} is read, and its {@code cascade}
 *       children are locked and planned the same way, recursively (a child already in the plan, a
 *       cycle, is not planned twice). Every {@code previous} is read before anything changes, from the
 *       transaction's one snapshot;</li>
 *   <li><b>apply</b>, record by record from the top: {@code setNull} children (and one-way references)
 *       get their foreign key nulled ({@code updated}), junction rows are removed ({@code removedFrom}
 *       for the other side), cascaded children are applied, a cycle's back-reference is nulled, parents
 *       listing the record hear {@code removedFrom}, and the record is deleted ({@code destroyed}).</li>
 * </ol>
 * The notifications come from what the statements actually changed; messages addressed to records
 * destroyed by the same request are dropped. Every statement is in {@link DestroySql}.
 */
final class Destroyer {
    private final Models models;
    private final Populator populator;
    private final DestroyScope scope;
    private final DestroySql sql = new DestroySql();

    Destroyer(Models models, Populator populator) {
        this.models = models;
        this.populator = populator;
        this.scope = new DestroyScope(models);
    }

    record Result(JsonObject previous, List<Notification> notifications) {
    }

    /** 409: the record {@code id} (as in JSON) has {@code restrict} children, {@code {"<model>":[ids]}}. */
    static ApiError hasChildren(Model model, Object id, JsonObject children) {
        return ErrorCode.HAS_CHILDREN.error("Cannot destroy " + model.identity() + " " + Values.show(id)
                + " while other records belong to it.", new JsonObject().put("children", children));
    }

    /** Adds {@code ids} to {@code children}'s list for {@code child}, each id once. */
    static void addChildren(JsonObject children, String child, List<Object> ids) {
        JsonArray listed = children.getJsonArray(child);
        if (listed == null) {
            children.put(child, listed = new JsonArray());
        }
        for (Object id : ids) {
            if (!listed.contains(id)) {
                listed.add(id);
            }
        }
    }

    Future<Result> destroy(Transaction conn, Model model, Object id) {
        Run run = new Run(conn, System.currentTimeMillis());
        return run.plan(model, Columns.idParam(model.primaryKey(), id))
                .compose(root -> root == null
                        ? Future.failedFuture(ApiError.notFound("No " + model.identity() + " record with id " + Values.show(id) + "."))
                        : run.apply(root).map(v -> new Result(root.previous, run.notifications())));
    }

    /** One record of a destroy's plan: what it was, and the cascaded children planned under it. */
    private static final class Planned {
        final Model model;
        final Object id;
        final JsonObject raw;
        final List<Planned> children = new ArrayList<>();
        final List<ForeignKey> cycles = new ArrayList<>();
        JsonObject previous;

        Planned(Model model, Object id, JsonObject raw) {
            this.model = model;
            this.id = id;
            this.raw = raw;
        }
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
         * The plan for destroying {@code id}, or null when there is no such record (any more) or it is
         * already planned. The lock
         * and the {@code restrict} check go out together; the reads for {@code previous} and the locks of
         * the cascaded children go out together once the check has passed.
         */
        Future<Planned> plan(Model model, Object id) {
            if (destroying.contains(key(model, id))) {
                // reached twice (two cascades from one parent, or from two records of the tree): planned once,
                // in the subtree that reached it first, which is deleted before the records planned after it
                return Future.succeededFuture(null);
            }
            Future<RowSet<Row>> locked = conn.execute(sql.lock(model), Tuple.of(id));
            Future<JsonObject> blocking = restrictingChildren(model, id);
            return Future.join(locked, blocking).compose(checked -> {
                if (locked.result().size() == 0) {
                    return Future.succeededFuture(null);
                }
                if (blocking.result() != null) {
                    return Future.failedFuture(hasChildren(model, Columns.idToJson(id), blocking.result()));
                }
                Row row = locked.result().iterator().next();
                destroying.add(key(model, id));
                Planned planned = new Planned(model, id, Columns.toJson(model, row, true));
                Future<List<JsonObject>> previous = populator.populate(conn, model, List.of(Columns.toJson(model, row, false)));
                List<ForeignKey> cascading = scope.children(model, OnDestroy.CASCADE);
                List<Future<RowSet<Row>>> children = cascading.stream()
                        .map(fk -> conn.execute(sql.lockCascaded(fk), Tuple.of(id))).toList();
                List<Future<?>> all = new ArrayList<>(children);
                all.add(previous);
                return Future.join(all).compose(read -> {
                    planned.previous = previous.result().get(0);
                    destroyed.add(Notification.destroyed(model.identity(), Columns.idToJson(id), planned.previous));
                    Future<Void> chain = Future.succeededFuture();
                    for (int i = 0; i < cascading.size(); i++) {
                        ForeignKey fk = cascading.get(i);
                        Model child = models.get(fk.child());
                        for (Row r : children.get(i).result()) {
                            Object childId = r.getValue(0);
                            if (destroying.contains(key(child, childId))) {
                                if (!planned.cycles.contains(fk)) {
                                    planned.cycles.add(fk);
                                }
                                continue;
                            }
                            chain = chain.compose(v -> plan(child, childId).map(c -> {
                                if (c != null) {
                                    planned.children.add(c);
                                }
                                return null;
                            }));
                        }
                    }
                    return chain.map(planned);
                });
            });
        }

        /** Applies a plan, from the top: the record's children and links change, then the record is deleted. */
        Future<Void> apply(Planned planned) {
            Future<Void> nulled = nullOuts(planned.model, planned.id);
            Future<Void> links = junctions(planned.model, planned.id);
            Future<Void> chain = Future.join(nulled, links).mapEmpty();
            for (Planned child : planned.children) {
                chain = chain.compose(v -> apply(child));
            }
            for (ForeignKey fk : planned.cycles) {
                // a record above in the cycle still refers to this one; it is deleted later, so only unlink it now
                chain = chain.compose(v -> conn.execute(sql.unlinkCycle(fk), Tuple.of(planned.id)).mapEmpty());
            }
            return chain.compose(v -> {
                sideEffects.addAll(scope.parentsListing(planned.model, planned.raw));
                return conn.execute(sql.delete(planned.model), Tuple.of(planned.id)).mapEmpty();
            });
        }

        /** The {@code restrict} children that block destroying {@code id} ({@code {"<model>":[ids]}}), or null. */
        private Future<JsonObject> restrictingChildren(Model model, Object id) {
            List<ForeignKey> restricted = scope.children(model, OnDestroy.RESTRICT);
            if (restricted.isEmpty()) {
                return Future.succeededFuture(null);
            }
            List<Future<RowSet<Row>>> checks = restricted.stream()
                    .map(fk -> conn.execute(sql.restricting(fk), Tuple.of(id)))
                    .toList();
            return Future.join(checks).map(all -> {
                JsonObject children = new JsonObject();
                for (int i = 0; i < restricted.size(); i++) {
                    List<Object> ids = new ArrayList<>();
                    checks.get(i).result().forEach(r -> ids.add(Columns.idToJson(r.getValue(0))));
                    if (!ids.isEmpty()) {
                        addChildren(children, restricted.get(i).child(), ids);
                    }
                }
                return children.isEmpty() ? null : children;
            });
        }

        private Future<Void> nullOuts(Model model, Object id) {
            List<Future<Void>> nulled = scope.children(model, OnDestroy.SET_NULL).stream()
                    .map(fk -> nullOut(fk, id))
                    .toList();
            return Future.join(nulled).mapEmpty();
        }

        private Future<Void> nullOut(ForeignKey fk, Object id) {
            return conn.execute(sql.nullOut(fk), Tuple.of(id, now)).map(rows -> {
                for (Row r : rows) {
                    sideEffects.add(Notification.updated(fk.child(), Columns.idToJson(r.getValue(0)),
                            new JsonObject().putNull(fk.fk())));
                }
                return null;
            });
        }

        private Future<Void> junctions(Model model, Object id) {
            return Future.join(scope.junctionSides(model).stream().map(side -> unlink(side, id)).toList()).mapEmpty();
        }

        /** Removes the junction rows of {@code id}; the other side hears about it if it lists the link. */
        private Future<Void> unlink(JunctionSide side, Object id) {
            return conn.execute(sql.unlink(side), Tuple.of(id)).map(rows -> {
                if (side.otherAttr() == null) {
                    return null;
                }
                Set<Object> others = new LinkedHashSet<>();
                for (Row r : rows) {
                    Object first = r.getValue(0);
                    others.add(side.junction().symmetric() && first.equals(id) ? r.getValue(1) : first);
                }
                Object removedId = Columns.idToJson(id);
                others.forEach(o -> sideEffects.add(Notification.removedFrom(side.otherModel(), Columns.idToJson(o),
                        side.otherAttr(), removedId)));
                return null;
            });
        }

        private String key(Model model, Object id) {
            return model.identity() + "\u0000" + Columns.idToJson(id);
        }
    }
}
