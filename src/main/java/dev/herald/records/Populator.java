package dev.herald.records;

import dev.herald.models.Attribute;
import dev.herald.models.Model;
import dev.herald.models.Models;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import dev.herald.database.Sql;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fills in associations as Sails' blueprints do: a singular association becomes the shallow target
 * record (or null), a collection an array of at most {@value #COLLECTION_LIMIT} shallow children. One
 * query per association for the whole page of records, all pipelined on the same connection.
 */
final class Populator {
    static final int COLLECTION_LIMIT = 30;

    private final Models models;
    private final RecordSql sql;

    Populator(Models models) {
        this.models = models;
        this.sql = new RecordSql(models);
    }

    Future<List<JsonObject>> populate(Sql client, Model model, List<JsonObject> records) {
        if (records.isEmpty()) {
            return Future.succeededFuture(records);
        }
        List<Load> loads = new ArrayList<>();
        for (Attribute a : model.attributes().values()) {
            if (a.isSingular() && !a.hidden()) {
                Model target = models.get(a.target());
                Set<Object> ids = new LinkedHashSet<>();
                records.forEach(r -> {
                    if (r.getValue(a.name()) != null) {
                        ids.add(r.getValue(a.name()));
                    }
                });
                if (!ids.isEmpty()) {
                    loads.add(new Load(a, target, client.execute(sql.byIds(target), Tuple.of(Columns.idArray(target.primaryKey(), new ArrayList<>(ids))))));
                }
            } else if (a.isCollection()) {
                List<Object> ids = records.stream().map(r -> r.getValue(Model.ID)).toList();
                loads.add(collection(client, model, a, Tuple.of(Columns.idArray(model.primaryKey(), ids))));
            }
        }
        return new Pending(model, loads).fill(records);
    }

    /**
     * The same reads for the {@code model} rows whose ids are {@code $1} of {@code ids}, sent now, before
     * those rows have been read: a pipeline that reads them later (and then changes them) still gets
     * the associations as they were. {@link Pending#fill} completes the records once they are known.
     */
    Pending populateByIds(Sql client, Model model, Tuple ids) {
        List<Load> loads = new ArrayList<>();
        for (Attribute a : model.attributes().values()) {
            if (a.isSingular() && !a.hidden()) {
                Model target = models.get(a.target());
                loads.add(new Load(a, target, client.execute(sql.singularOf(model, a), ids)));
            } else if (a.isCollection()) {
                loads.add(collection(client, model, a, ids));
            }
        }
        return new Pending(model, loads);
    }

    /** The reads of one populate, on their way. */
    final class Pending {
        private final Model model;
        private final List<Load> loads;

        private Pending(Model model, List<Load> loads) {
            this.model = model;
            this.loads = loads;
        }

        /** Completes when every read has answered. */
        Future<?> loaded() {
            return Future.join(loads.stream().map(Load::rows).toList());
        }

        /** {@code records}, shallow, completed with their associations, in declared order. */
        Future<List<JsonObject>> fill(List<JsonObject> records) {
            return loaded().map(done -> {
                loads.forEach(load -> load.fill(records));
                return records.stream().map(r -> inDeclaredOrder(model, r)).toList();
            });
        }
    }

    /** One association's rows for a page of records: targets by id, or children by parent. */
    private record Load(Attribute attribute, Model target, Future<RowSet<Row>> rows) {
        void fill(List<JsonObject> records) {
            String name = attribute.name();
            if (attribute.isSingular()) {
                Map<Object, JsonObject> byId = new HashMap<>();
                for (Row row : rows.result()) {
                    JsonObject child = Columns.toJson(target, row, false);
                    byId.put(child.getValue(Model.ID), child);
                }
                records.forEach(r -> r.put(name, byId.get(r.getValue(name))));
                return;
            }
            Map<Object, JsonArray> byParent = new HashMap<>();
            for (Row row : rows.result()) {
                Object parent = Columns.idToJson(row.getValue("__parent"));
                byParent.computeIfAbsent(parent, k -> new JsonArray()).add(Columns.toJson(target, row, false));
            }
            records.forEach(r -> r.put(name, byParent.getOrDefault(r.getValue(Model.ID), new JsonArray())));
        }
    }

    /** Attributes in the models file's order, then {@code id}, {@code createdAt}, {@code updatedAt}. */
    private static JsonObject inDeclaredOrder(Model model, JsonObject record) {
        JsonObject ordered = new JsonObject();
        for (Attribute a : model.attributes().values()) {
            if (record.containsKey(a.name())) {
                ordered.put(a.name(), record.getValue(a.name()));
            }
        }
        ordered.put(Model.ID, record.getValue(Model.ID));
        ordered.put(Model.CREATED_AT, record.getValue(Model.CREATED_AT));
        ordered.put(Model.UPDATED_AT, record.getValue(Model.UPDATED_AT));
        return ordered;
    }

    private Load collection(Sql client, Model model, Attribute a, Tuple parentIds) {
        Model target = models.get(a.target());
        return new Load(a, target, client.execute(sql.collection(model, a), parentIds));
    }
}
