package dev.herald.database;

import io.vertx.core.Future;

import java.util.List;

/** Schema statements run one after the other in the caller's (locked) transaction. */
public final class Migrations {
    private Migrations() {
    }

    /**
     * Turns GIN's pending list off for {@code index} and empties one left from before, only where it is
     * still on: the {@code ALTER INDEX} takes an exclusive lock on the index, and run at every start it
     * would queue behind the index's longest reader, with every writer queued behind it.
     */
    public static String ginWithoutPendingList(String index) {
        return """
                DO $$ BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = '%1$s'::regclass AND reloptions @> ARRAY['fastupdate=off']) THEN
                        ALTER INDEX %1$s SET (fastupdate = off);
                        PERFORM gin_clean_pending_list('%1$s'::regclass);
                    END IF;
                END $$""".formatted(index);
    }

    public static Future<Void> inOrder(Sql conn, List<String> statements) {
        Future<Void> chain = Future.succeededFuture();
        for (String sql : statements) {
            chain = chain.compose(v -> conn.query(sql).mapEmpty());
        }
        return chain;
    }
}
