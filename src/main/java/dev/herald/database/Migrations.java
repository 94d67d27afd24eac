package dev.herald.database;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;

/** Schema statements run one after the other on the caller's (locked, transactional) connection. */
public final class Migrations {
    private Migrations() {
    }

    public static Future<Void> inOrder(SqlConnection conn, List<String> statements) {
        Future<Void> chain = Future.succeededFuture();
        for (String sql : statements) {
            chain = chain.compose(v -> conn.query(sql).execute().mapEmpty());
        }
        return chain;
    }
}
