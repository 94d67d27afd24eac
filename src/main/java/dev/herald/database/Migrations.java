package dev.herald.database;

import io.vertx.core.Future;

import java.util.List;

/** Schema statements run one after the other in the caller's (locked) transaction. */
public final class Migrations {
    private Migrations() {
    }

    public static Future<Void> inOrder(Sql conn, List<String> statements) {
        Future<Void> chain = Future.succeededFuture();
        for (String sql : statements) {
            chain = chain.compose(v -> conn.query(sql).mapEmpty());
        }
        return chain;
    }
}
