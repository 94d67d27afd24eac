package dev.herald.records;

import dev.herald.models.Attribute;
import dev.herald.models.ForeignKey;
import dev.herald.models.Junction;
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

import static dev.herald.models.Identifiers.quote;

/**
 * Fills in associations as Sails' blueprints do: a singular association becomes the shallow target
 * record (or null), a collection an array of at most {@value #COLLECTION_LIMIT} shallow children. One
 * query per association for the whole page of records, all pipelined on the same connection.
 */
final class Populator {
    static final int COLLECTION_LIMIT = 30;

    private final Models models;
    private final Statements statements = new Statements();

    Populator(Models models) {
        this.models = models;
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
                    String sql = statements.get("singular " + target.identity(), () -> "SELECT " + Columns.selectList(target, "")
                            + " FROM " + Columns.table(target) + " WHERE " + quote(Model.ID) + " = ANY($1)");
                    loads.add(new Load(a, target, client.execute(sql, Tuple.of(Columns.idArray(target.primaryKey(), new ArrayList<>(ids))))));
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
                String sql = statements.get("singular of " + model.identity() + "." + a.name(), () -> "SELECT "
                        + Columns.selectList(target, "") + " FROM " + Columns.table(target) + " WHERE " + quote(Model.ID)
                        + " IN (SELECT " + quote(a.name()) + " FROM " + Columns.table(model) + " WHERE " + quote(Model.ID)
                        + " = ANY($1))");
                loads.add(new Load(a, target, client.execute(sql, ids)));
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

    /** Children of many parents in one query, at most {@value #COLLECTION_LIMIT} per parent. */
    private String collectionSql(Model model, Attribute a, Model target) {
        String parentColumn;
        String from;
        var oneToMany = models.oneToMany(model.identity(), a.name());
        if (oneToMany.isPresent()) {
            ForeignKey fk = oneToMany.get();
            parentColumn = "t." + quote(fk.fk());
            from = Columns.table(target) + " t";
        } else {
            Junction j = models.junction(model.identity(), a.name()).orElseThrow();
            boolean mineIsA = j.modelA().equals(model.identity()) && j.attrA().equals(a.name());
            String mine = quote(mineIsA ? j.columnA() : j.columnB());
            String other = quote(mineIsA ? j.columnB() : j.columnA());
            parentColumn = "j." + mine;
            from = quote(j.table()) + " j JOIN " + Columns.table(target) + " t ON t." + quote(Model.ID) + " = j." + other;
        }
        return "SELECT * FROM (SELECT " + parentColumn + " AS __parent, " + Columns.selectList(target, "t")
                + ", row_number() OVER (PARTITION BY " + parentColumn + " ORDER BY t." + quote(Model.ID) + ") AS __rank"
                + " FROM " + from + " WHERE " + parentColumn + " = ANY($1)) s WHERE __rank <= " + COLLECTION_LIMIT
                + " ORDER BY __parent, __rank";
    }

    private Load collection(Sql client, Model model, Attribute a, Tuple parentIds) {
        Model target = models.get(a.target());
        String sql = statements.get("collection " + model.identity() + "." + a.name(), () -> collectionSql(model, a, target));
        return new Load(a, target, client.execute(sql, parentIds));
    }
}
