package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;
import dev.herald.models.ForeignKey;
import dev.herald.models.Junction;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.notifications.Notification;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import dev.herald.database.Sql;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Adds and removes the members of a collection (one-to-many through the child's foreign key, or a
 * junction table) and records the {@code addedTo} / {@code removedFrom} / {@code updated} messages
 * for exactly the links that changed.
 */
final class Links {
    private final Models models;
    private final RecordSql sql;

    Links(Models models, RecordSql sql) {
        this.models = models;
        this.sql = sql;
    }

    /** Makes {@code children} members of {@code parent.attr}; 409 if one of them does not exist. */
    Future<Void> add(Sql conn, Model parent, Object parentId, String attr, List<Object> children,
                     long now, List<Notification> out) {
        if (children.isEmpty()) {
            return Future.succeededFuture();
        }
        Model target = models.get(parent.attribute(attr).orElseThrow().target());
        var oneToMany = models.oneToMany(parent.identity(), attr);
        if (oneToMany.isPresent()) {
            return addChildren(conn, oneToMany.get(), target, parentId, children, now, out);
        }
        return addLinks(conn, parent, attr, target, parentId, children, out);
    }

    /** Removes {@code children} from {@code parent.attr}; ids that were not members are ignored. */
    Future<Void> remove(Sql conn, Model parent, Object parentId, String attr, List<Object> children,
                        long now, List<Notification> out) {
        return removeWhere(conn, parent, parentId, attr, children, false, now, out);
    }

    /** Removes every member of {@code parent.attr} that is not in {@code keep}. */
    Future<Void> removeAllBut(Sql conn, Model parent, Object parentId, String attr, List<Object> keep,
                              long now, List<Notification> out) {
        return removeWhere(conn, parent, parentId, attr, keep, true, now, out);
    }

    private Future<Void> removeWhere(Sql conn, Model parent, Object parentId, String attr,
                                     List<Object> ids, boolean allBut, long now, List<Notification> out) {
        Model target = models.get(parent.attribute(attr).orElseThrow().target());
        Object pid = Columns.idParam(parent.primaryKey(), parentId);
        Object array = Columns.idArray(target.primaryKey(), ids);
        var oneToMany = models.oneToMany(parent.identity(), attr);
        if (oneToMany.isPresent()) {
            ForeignKey fk = oneToMany.get();
            return conn.execute(sql.removeChildren(fk, allBut), Tuple.of(pid, array, now)).map(rows -> {
                for (Row r : rows) {
                    Object child = Columns.idToJson(r.getValue(0));
                    out.add(Notification.updated(fk.child(), child, new JsonObject().putNull(fk.fk())));
                    out.add(Notification.removedFrom(parent.identity(), parentId, attr, child));
                }
                return null;
            });
        }
        JunctionSide side = side(parent, attr);
        Future<Void> removed = conn.execute(sql.unlinkMembers(side, allBut), Tuple.of(pid, array)).map(rows -> {
            for (Row r : rows) {
                Object other = Columns.idToJson(r.getValue(0));
                out.add(Notification.removedFrom(parent.identity(), parentId, attr, other));
                if (side.otherAttr() != null && !(side.junction().symmetric() && Objects.equals(other, parentId))) {
                    out.add(Notification.removedFrom(side.otherModel(), other, side.otherAttr(), parentId));
                }
            }
            return null;
        });
        if (!side.junction().symmetric()) {
            return removed;
        }
        return removed.compose(v -> conn.execute(sql.unlinkMirrors(side, allBut), Tuple.of(pid, array)).mapEmpty());
    }

    private Future<Void> addChildren(Sql conn, ForeignKey fk, Model child, Object parentId,
                                     List<Object> children, long now, List<Notification> out) {
        return conn.execute(sql.lockChildren(fk), Tuple.of(Columns.idArray(child.primaryKey(), children))).compose(rows -> {
            Set<Object> found = new HashSet<>();
            List<Object> moving = new ArrayList<>();
            List<Object> previousParents = new ArrayList<>();
            for (Row r : rows) {
                Object id = Columns.idToJson(r.getValue(0));
                Object old = Columns.idToJson(r.getValue(1));
                found.add(id);
                if (!Objects.equals(old, parentId)) {
                    moving.add(id);
                    previousParents.add(old);
                }
            }
            refuseMissing(child, children, found);
            if (moving.isEmpty()) {
                return Future.succeededFuture();
            }
            Model parent = models.get(fk.parent());
            return conn.execute(sql.moveChildren(fk), Tuple.of(Columns.idParam(parent.primaryKey(), parentId),
                    Columns.idArray(child.primaryKey(), moving), now)).map(done -> {
                for (int i = 0; i < moving.size(); i++) {
                    Object id = moving.get(i);
                    out.add(Notification.updated(fk.child(), id, new JsonObject().put(fk.fk(), parentId)));
                    out.add(Notification.addedTo(fk.parent(), parentId, fk.collection(), id));
                    if (previousParents.get(i) != null) {
                        out.add(Notification.removedFrom(fk.parent(), previousParents.get(i), fk.collection(), id));
                    }
                }
                return null;
            });
        });
    }

    private Future<Void> addLinks(Sql conn, Model parent, String attr, Model target, Object parentId,
                                  List<Object> children, List<Notification> out) {
        JunctionSide side = side(parent, attr);
        Object array = Columns.idArray(target.primaryKey(), children);
        Object pid = Columns.idParam(parent.primaryKey(), parentId);
        return conn.execute(sql.lockLinked(target), Tuple.of(array)).compose(rows -> {
            Set<Object> found = new HashSet<>();
            rows.forEach(r -> found.add(Columns.idToJson(r.getValue(0))));
            refuseMissing(target, children, found);
            return conn.execute(sql.link(side, target), Tuple.of(pid, array));
        }).compose(inserted -> {
            for (Row r : inserted) {
                Object other = Columns.idToJson(r.getValue(0));
                out.add(Notification.addedTo(parent.identity(), parentId, attr, other));
                if (side.otherAttr() != null && !(side.junction().symmetric() && Objects.equals(other, parentId))) {
                    out.add(Notification.addedTo(side.otherModel(), other, side.otherAttr(), parentId));
                }
            }
            return side.junction().symmetric()
                    ? conn.execute(sql.linkMirrors(side, target), Tuple.of(pid, array)).mapEmpty()
                    : Future.succeededFuture();
        });
    }

    private static void refuseMissing(Model target, List<Object> wanted, Set<Object> found) {
        List<Object> missing = wanted.stream().filter(id -> !found.contains(id)).toList();
        if (!missing.isEmpty()) {
            throw ErrorCode.FOREIGN_KEY.error("No " + target.identity() + " record with id "
                    + Values.show(missing.get(0)) + ".",
                    new JsonObject().put("model", target.identity()).put("missing", new JsonArray(missing)));
        }
    }

    /** The junction of the collection {@code parent.attr}, seen from the parent's end. */
    private JunctionSide side(Model parent, String attr) {
        Junction j = models.junction(parent.identity(), attr).orElseThrow();
        boolean isA = j.modelA().equals(parent.identity()) && j.attrA().equals(attr);
        return isA ? JunctionSide.ofA(j) : JunctionSide.ofB(j);
    }
}
