package dev.herald.haystack.sql;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.Map;

/**
 * The filter tests' database: a fresh database on the test JVM's one PostgreSQL
 * ({@link dev.herald.testing.TestDatabase}) holding the entity table. Statements time out after 30 s
 * so that a slow translation fails its test instead of hanging the build.
 */
final class TestDatabase {
    private static Pool pool;

    private TestDatabase() {
    }

    static synchronized Pool pool() {
        if (pool == null) {
            PgConnectOptions options = dev.herald.testing.TestDatabase.freshDatabase()
                    .setProperties(Map.of("statement_timeout", "30000"));
            Vertx vertx = Vertx.vertx();
            pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(options).using(vertx).build();
            for (String statement : EntitySql.DDL) {
                pool.query(statement).execute().await();
            }
        }
        return pool;
    }
}
