package dev.herald.records;

import io.vertx.core.Future;
import dev.herald.database.Sql;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * The demo records of the built-in models, seeded once per database (remembered in {@code herald_meta},
 * so records a user destroyed do not come back). Pinkie Pie is pony 4, as in the Sails docs.
 */
final class DemoData {
    private static final String MARKER = "demo_seeded";
    private static final List<String> STATEMENTS = List.of(
            """
            INSERT INTO "user" ("id", "createdAt", "updatedAt", "name") VALUES
              (1, $1, $1, 'Mike'), (2, $1, $1, 'Cody')""",
            """
            INSERT INTO "pony" ("id", "createdAt", "updatedAt", "name", "hobby", "secret", "owner") VALUES
              (1, $1, $1, 'Rainbow Dash', 'flying', 'afraid of heights, secretly', 1),
              (2, $1, $1, 'Applejack', 'farming', 'has never eaten a pear', 1),
              (3, $1, $1, 'Rarity', 'fashion', 'owns a second fainting couch', 2),
              (4, $1, $1, 'Pinkie Pie', 'kickin', 'the cupcake recipe', 2),
              (5, $1, $1, 'Fluttershy', 'animals', 'can stare down a dragon', NULL)""",
            """
            INSERT INTO "toy" ("id", "createdAt", "updatedAt", "label", "owner") VALUES
              (1, $1, $1, 'party cannon', 4), (2, $1, $1, 'balloon', 4), (3, $1, $1, 'apple cart', 2)""",
            """
            INSERT INTO "pony_friends__pony_friends" ("pony_friends", "pony_friends_other") VALUES
              (4, 1), (1, 4), (4, 5), (5, 4), (2, 3), (3, 2)""");
    private static final List<String> SEQUENCES = List.of("user", "pony", "toy");

    Future<Void> seedOnce(Sql conn) {
        return conn.execute("INSERT INTO " + SchemaSql.META_TABLE + " (key, value) VALUES ($1, $2) "
                        + "ON CONFLICT (key) DO NOTHING RETURNING key", Tuple.of(MARKER, String.valueOf(System.currentTimeMillis())))
                .compose(rows -> rows.size() == 0 ? Future.succeededFuture() : seed(conn));
    }

    private Future<Void> seed(Sql conn) {
        long now = System.currentTimeMillis();
        Future<Void> chain = Future.succeededFuture();
        for (String sql : STATEMENTS) {
            Tuple params = sql.contains("$1") ? Tuple.of(now) : Tuple.tuple();
            chain = chain.compose(v -> conn.execute(sql, params).mapEmpty());
        }
        for (String table : SEQUENCES) {
            String sql = "SELECT setval(pg_get_serial_sequence('\"" + table + "\"', 'id'), (SELECT max(\"id\") FROM \""
                    + table + "\"))";
            chain = chain.compose(v -> conn.query(sql).mapEmpty());
        }
        return chain;
    }
}
