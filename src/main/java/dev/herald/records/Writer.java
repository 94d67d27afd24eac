package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.models.Attribute;
import dev.herald.models.ForeignKey;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.PrimaryKey;
import dev.herald.notifications.Notification;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import dev.herald.database.Sql;
import dev.herald.database.Transaction;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** Create, update, add-to and remove-from, each inside the caller's transaction, with their messages. */
final class Writer {
    private final Models models;
    private final Populator populator;
    private final RecordSql sql;
    private final Links links;

    Writer(Models models, Populator populator) {
        this.models = models;
        this.populator = populator;
        this.sql = new RecordSql(models);
        this.links = new Links(models, sql);
    }

    record Result(JsonObject record, List<Notification> notifications) {
    }

    /** {@code values} went through {@link Values#attributes}. */
    Future<Result> create(Transaction conn, Model model, JsonObject values) {
        long now = System.currentTimeMillis();
        Tuple params = Tuple.tuple();
        if (model.primaryKey() != PrimaryKey.NUMBER) {
            params.addValue(model.primaryKey() == PrimaryKey.UUID ? UUID.randomUUID() : values.getString(Model.ID));
        }
        params.addValue(now);
        List<Attribute> given = given(model, values);
        given.forEach(a -> params.addValue(Columns.valueParam(target(a), a, values.getValue(a.name()))));
        List<Notification> out = new ArrayList<>();
        return conn.execute(sql.insert(model, given), params).compose(rows -> {
            JsonObject raw = Columns.toJson(model, rows.iterator().next(), true);
            Object id = raw.getValue(Model.ID);
            for (Attribute a : model.singulars()) {
                announceParentChange(model, a, id, null, raw.getValue(a.name()), out);
            }
            return replaceCollections(conn, model, id, values, now, out).map(id);
        }).compose(id -> reload(conn, model, id)).map(record -> {
            List<Notification> all = new ArrayList<>();
            all.add(Notification.created(model.identity(), record.getValue(Model.ID), record));
            all.addAll(out);
            return new Result(record, all);
        });
    }

    Future<Result> update(Transaction conn, Model model, Object id, JsonObject values) {
        long now = System.currentTimeMillis();
        List<Notification> out = new ArrayList<>();
        return lock(conn, model, id).compose(before -> {
            Tuple params = Tuple.of(Columns.idParam(model.primaryKey(), id), now);
            List<Attribute> given = given(model, values);
            for (Attribute a : given) {
                params.addValue(Columns.valueParam(target(a), a, values.getValue(a.name())));
                if (a.isSingular()) {
                    announceParentChange(model, a, id, before.getValue(a.name()), values.getValue(a.name()), out);
                }
            }
            return populator.populate(conn, model, List.of(Columns.withoutPrivate(model, before)))
                    .compose(populated -> conn.execute(sql.update(model, given), params)
                            .compose(done -> replaceCollections(conn, model, id, values, now, out))
                            .compose(done -> reload(conn, model, id))
                            .map(record -> updated(model, id, values, populated.get(0), record, out)));
        });
    }

    private static Result updated(Model model, Object id, JsonObject values, JsonObject previous, JsonObject record,
                                  List<Notification> out) {
        JsonObject data = new JsonObject();
        values.forEach(e -> {
            if (!model.attribute(e.getKey()).map(Attribute::hidden).orElse(false)) {
                data.put(e.getKey(), e.getValue());
            }
        });
        List<Notification> all = new ArrayList<>();
        all.add(Notification.toRecord(model.identity(), id, new JsonObject().put("verb", "updated")
                .put("id", id).put("data", data).put("previous", previous)));
        all.addAll(out);
        return new Result(record, all);
    }

    /** Sails' add blueprint: 404 for an unknown parent or child, otherwise the populated parent. */
    Future<Result> add(Transaction conn, Model model, Object id, String attr, Object childId) {
        return changeMembership(conn, model, id, attr, childId, true);
    }

    Future<Result> remove(Transaction conn, Model model, Object id, String attr, Object childId) {
        return changeMembership(conn, model, id, attr, childId, false);
    }

    private Future<Result> changeMembership(Sql conn, Model model, Object id, String attr, Object childId,
                                            boolean adding) {
        long now = System.currentTimeMillis();
        Model target = models.get(model.attribute(attr).orElseThrow().target());
        List<Notification> out = new ArrayList<>();
        return lock(conn, model, id)
                .compose(parent -> exists(conn, target, childId))
                .compose(v -> adding
                        ? links.add(conn, model, id, attr, List.of(childId), now, out)
                        : links.remove(conn, model, id, attr, List.of(childId), now, out))
                .compose(v -> reload(conn, model, id))
                .map(record -> new Result(record, out));
    }

    private Future<Void> replaceCollections(Sql conn, Model model, Object id, JsonObject values, long now,
                                            List<Notification> out) {
        Future<Void> chain = Future.succeededFuture();
        for (Attribute c : model.collections()) {
            JsonArray given = values.getJsonArray(c.name());
            if (given == null) {
                continue;
            }
            List<Object> ids = given.getList();
            chain = chain
                    .compose(v -> links.removeAllBut(conn, model, id, c.name(), ids, now, out))
                    .compose(v -> links.add(conn, model, id, c.name(), ids, now, out));
        }
        return chain;
    }

    /** A record moving between parents leaves the old parent's collection and joins the new one's. */
    private void announceParentChange(Model model, Attribute singular, Object id, Object before, Object after,
                                      List<Notification> out) {
        ForeignKey fk = models.singular(model.identity(), singular.name());
        if (fk.collection() == null || Objects.equals(before, after)) {
            return;
        }
        if (before != null) {
            out.add(Notification.removedFrom(fk.parent(), before, fk.collection(), id));
        }
        if (after != null) {
            out.add(Notification.addedTo(fk.parent(), after, fk.collection(), id));
        }
    }

    /**
     * Locks the record against concurrent updates and destroys, but not against foreign-key checks of
     * other writers linking to it ({@link RecordSql#lockForUpdate}), so two requests linking each other's
     * records do not wait on each other.
     */
    private Future<JsonObject> lock(Sql conn, Model model, Object id) {
        return conn.execute(sql.lockForUpdate(model), Tuple.of(Columns.idParam(model.primaryKey(), id))).map(rows -> {
            if (rows.size() == 0) {
                throw ApiError.notFound("No " + model.identity() + " record with id " + Values.show(id) + ".");
            }
            return Columns.toJson(model, rows.iterator().next(), true);
        });
    }

    private Future<Void> exists(Sql conn, Model model, Object id) {
        return conn.execute(sql.exists(model), Tuple.of(Columns.idParam(model.primaryKey(), id))).map(rows -> {
            if (rows.size() == 0) {
                throw ApiError.notFound("No " + model.identity() + " record with id " + Values.show(id) + ".");
            }
            return null;
        });
    }

    Future<JsonObject> reload(Sql conn, Model model, Object id) {
        return conn.execute(sql.byId(model), Tuple.of(Columns.idParam(model.primaryKey(), id)))
                .compose(rows -> {
                    Row row = rows.iterator().next();
                    return populator.populate(conn, model, List.of(Columns.toJson(model, row, false)));
                })
                .map(list -> list.get(0));
    }

    /** The columns among the model's that {@code values} sets, in the model's order. */
    private static List<Attribute> given(Model model, JsonObject values) {
        return model.columns().stream().filter(a -> values.containsKey(a.name())).toList();
    }

    private Model target(Attribute a) {
        return a.isSingular() ? models.get(a.target()) : null;
    }

}
