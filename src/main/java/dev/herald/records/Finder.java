package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.models.Model;
import dev.herald.models.Models;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import dev.herald.database.Sql;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** The find and findOne blueprints: reads outside any transaction, associations populated. */
final class Finder {
    static final int DEFAULT_LIMIT = 30;
    static final int MAX_LIMIT = 10_000;

    private final Models models;
    private final Populator populator;
    private final RecordSql sql;

    Finder(Models models, Populator populator) {
        this.models = models;
        this.populator = populator;
        this.sql = new RecordSql(models);
    }

    Future<JsonObject> findOne(Sql client, Model model, Object id) {
        return client.execute(sql.byId(model), Tuple.of(Columns.idParam(model.primaryKey(), id))).compose(rows -> {
            if (rows.size() == 0) {
                return Future.failedFuture(ApiError.notFound("No " + model.identity() + " record with id " + Values.show(id) + "."));
            }
            return populator.populate(client, model, List.of(Columns.toJson(model, rows.iterator().next(), false)));
        }).map(list -> list.get(0));
    }

    /** The subset of {@code ids} that exist, in the order given. */
    Future<JsonArray> existing(Sql client, Model model, JsonArray ids) {
        return client.execute(sql.existing(model), Tuple.of(Columns.idArray(model.primaryKey(), ids.getList()))).map(rows -> {
            java.util.Set<Object> found = new java.util.HashSet<>();
            rows.forEach(r -> found.add(Columns.idToJson(r.getValue(0))));
            JsonArray result = new JsonArray();
            ids.forEach(id -> {
                if (found.contains(id)) {
                    result.add(id);
                }
            });
            return result;
        });
    }

    /** {@code query}: {@code where} (object), {@code limit}, {@code skip}, {@code sort} (string, object or array). */
    Future<JsonArray> find(Sql client, Model model, JsonObject query) {
        Tuple params = Tuple.tuple();
        String where = Criteria.where(models, model, query.getJsonObject("where", new JsonObject()), params);
        String order = Criteria.orderBy(models, model, query.getValue("sort"));
        int limit = bounded(query.getValue("limit"), "limit", DEFAULT_LIMIT, MAX_LIMIT);
        int skip = bounded(query.getValue("skip"), "skip", 0, Integer.MAX_VALUE);
        return client.execute(sql.find(model, where, order, limit, skip), params).compose(rows -> {
            List<JsonObject> records = new ArrayList<>();
            for (Row row : rows) {
                records.add(Columns.toJson(model, row, false));
            }
            return populator.populate(client, model, records);
        }).map(JsonArray::new);
    }

    private static int bounded(Object value, String name, int fallback, int max) {
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.doubleValue() >= 0
                && n.doubleValue() <= max) {
            return n.intValue();
        }
        throw ApiError.invalidCriteria("`" + name + "` must be a whole number from 0 to " + max + ".");
    }
}
