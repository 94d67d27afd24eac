package dev.herald.records;

import dev.herald.database.Migrations;
import dev.herald.database.Sql;
import dev.herald.database.Transaction;
import dev.herald.models.Attribute;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.notifications.NotificationLog;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.util.HashMap;
import java.util.Map;

/**
 * Creates what the models need and is missing (tables, columns, foreign keys, indexes, junction tables,
 * and the {@link NotificationLog}'s table),
 * never dropping anything. Runs in one transaction under an advisory lock, so nodes starting together
 * on an empty database take turns. A column whose type no longer matches the models file stops
 * start-up rather than being converted. The statements are in {@link SchemaSql}.
 */
final class Schema {
    private final Models models;

    Schema(Models models) {
        this.models = models;
    }

    Future<Void> apply(Pool pool, DemoData demo) {
        return Transaction.run(pool, Transaction.Isolation.READ_COMMITTED, conn -> conn
                .query(SchemaSql.LOCK)
                .compose(v -> conn.query(SchemaSql.CREATE_META))
                .compose(v -> Migrations.inOrder(conn, NotificationLog.ddl()))
                .compose(v -> checkExistingTypes(conn))
                .compose(v -> Migrations.inOrder(conn, SchemaSql.create(models)))
                .compose(v -> demo == null ? Future.succeededFuture() : demo.seedOnce(conn)));
    }

    private Future<Void> checkExistingTypes(Sql conn) {
        return conn.query(SchemaSql.COLUMN_TYPES).map(rows -> {
            Map<String, String> existing = new HashMap<>();
            for (Row r : rows) {
                existing.put(r.getString(0) + "." + r.getString(1), r.getString(2));
            }
            for (Model m : models.all()) {
                expect(existing, m.identity(), Model.ID, m.primaryKey().sqlType());
                for (Attribute a : m.columns()) {
                    expect(existing, m.identity(), a.name(), SchemaSql.columnType(models, a));
                }
            }
            return null;
        });
    }

    private static void expect(Map<String, String> existing, String table, String column, String type) {
        String found = existing.get(table + "." + column);
        if (found != null && !found.equals(type)) {
            throw new IllegalStateException("column " + table + "." + column + " is " + found
                    + " in the database but the models file makes it " + type
                    + "; Herald never converts data: rename the attribute or migrate the column by hand");
        }
    }
}
