package dev.herald.database;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * Where a feature's statements go: a {@link Transaction}, or a pool for reads outside any transaction.
 * Statements are prepared ({@code $1} parameters) and cached by their text.
 */
public interface Sql {
    Future<RowSet<Row>> execute(String sql, Tuple params);

    Future<RowSet<Row>> executeBatch(String sql, List<Tuple> batch);

    /** A statement without parameters, unprepared (schema changes, session settings). */
    Future<RowSet<Row>> query(String sql);

    /** Autocommit statements on any connection of {@code client}: for reads, never for writes. */
    static Sql reads(SqlClient client) {
        return new Sql() {
            @Override
            public Future<RowSet<Row>> execute(String sql, Tuple params) {
                return client.preparedQuery(sql).execute(params);
            }

            @Override
            public Future<RowSet<Row>> executeBatch(String sql, List<Tuple> batch) {
                return client.preparedQuery(sql).executeBatch(batch);
            }

            @Override
            public Future<RowSet<Row>> query(String sql) {
                return client.query(sql).execute();
            }
        };
    }
}
