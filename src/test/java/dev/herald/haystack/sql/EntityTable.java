package dev.herald.haystack.sql;

import dev.herald.haystack.filter.Filter;
import dev.herald.haystack.value.Dict;
import dev.herald.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The filter tests' entity table, refilled for each test, in a database of its own on the test JVM's
 * one PostgreSQL ({@link TestDatabase}). Statements time out after 30 s so that a slow translation
 * fails its test instead of hanging the build.
 */
final class EntityTable {
    private static Pool database;

    private final Pool pool = database();

    private EntityTable() {
    }

    private static synchronized Pool database() {
        if (database == null) {
            PgConnectOptions options = TestDatabase.freshDatabase().setProperties(Map.of("statement_timeout", "30000"));
            Vertx vertx = Vertx.vertx();
            database = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(options).using(vertx).build();
            for (String statement : EntitySql.DDL) {
                database.query(statement).execute().await();
            }
        }
        return database;
    }

    static EntityTable replaceWith(List<Dict> entities) {
        EntityTable table = new EntityTable();
        table.pool.query("TRUNCATE entity").execute().await();
        if (!entities.isEmpty()) {
            List<Tuple> rows = entities.stream()
                    .map(tags -> Tuple.of(TagStorage.entityId(tags), TagStorage.encode(tags)))
                    .toList();
            table.pool.preparedQuery("INSERT INTO entity (id, tags) VALUES ($1, $2)").executeBatch(rows).await();
        }
        return table;
    }

    /** The candidates that match the filter in PostgreSQL, in the candidates' order. */
    List<Dict> select(Filter filter, List<Dict> candidates) {
        SqlFilter sql = FilterSql.toSql(filter, 2);
        List<Object> params = new ArrayList<>();
        params.add(candidates.stream().map(TagStorage::entityId).toArray(UUID[]::new));
        params.addAll(sql.params());
        Set<UUID> matched = new HashSet<>();
        for (Row row : pool.preparedQuery("SELECT e.id FROM entity e WHERE e.id = ANY($1) AND " + sql.where())
                .execute(Tuple.from(params)).await()) {
            matched.add(row.getUUID("id"));
        }
        return candidates.stream().filter(c -> matched.contains(TagStorage.entityId(c))).toList();
    }

    /** Every stored entity, decoded. */
    List<Dict> readAll() {
        List<Dict> entities = new ArrayList<>();
        for (Row row : pool.query("SELECT tags FROM entity").execute().await()) {
            entities.add(TagStorage.decode(row.getJsonObject("tags")));
        }
        return entities;
    }
}
