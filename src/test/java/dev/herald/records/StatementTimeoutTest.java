package dev.herald.records;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** security.md, "Database work": a statement cancelled by HERALD_STATEMENT_TIMEOUT is 503 E_TIMEOUT and changes nothing. */
@Tier.Component
class StatementTimeoutTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo(Map.of("HERALD_STATEMENT_TIMEOUT", "1s"));

    /** Holds a row lock from outside Herald, as a long transaction of another program would. */
    private static SqlConnection lockPony(long id) {
        SqlConnection conn = node.database().getConnection().await();
        conn.query("BEGIN").execute().await();
        conn.preparedQuery("SELECT 1 FROM pony WHERE id = $1 FOR UPDATE").execute(Tuple.of(id)).await();
        return conn;
    }

    private static void release(SqlConnection conn) {
        conn.query("ROLLBACK").execute().await();
        conn.close().await();
    }

    @Test
    void aDestroyWaitingPastTheStatementTimeoutIs503AndChangesNothing() {
        SqlConnection holder = lockPony(3);
        try {
            var r = node.delete("/pony/3");
            assertEquals(503, r.statusCode(), r.bodyAsString());
            assertEquals("E_TIMEOUT", json(r).getString("code"));
        } finally {
            release(holder);
        }
        assertEquals(1, node.sql("SELECT 1 FROM pony WHERE id = 3").size());
        assertEquals(200, node.delete("/pony/3").statusCode(), "once the lock is gone the destroy goes through");
    }

    @Test
    void inABatchOnlyTheBlockedDestroyTimesOut() {
        long a = node.create("pony", new io.vertx.core.json.JsonObject().put("name", "A"));
        long b = node.create("pony", new io.vertx.core.json.JsonObject().put("name", "B"));
        long c = node.create("pony", new io.vertx.core.json.JsonObject().put("name", "C"));
        SqlConnection holder = lockPony(b);
        List<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> answers;
        try {
            answers = node.destroyAtOnce("pony", List.of(a, b, c));
        } finally {
            release(holder);
        }
        assertEquals(200, answers.get(0).statusCode(), answers.get(0).bodyAsString());
        assertEquals(503, answers.get(1).statusCode(), answers.get(1).bodyAsString());
        assertEquals("E_TIMEOUT", json(answers.get(1)).getString("code"));
        assertEquals(200, answers.get(2).statusCode(), answers.get(2).bodyAsString());
        assertEquals(1, node.sql("SELECT 1 FROM pony WHERE id = $1", b).size());
    }

    @Test
    void aCostlyHaystackFilterIsCancelledAtTheStatementTimeout() {
        // 400 entities, each with a Ref list of two others: a path through the lists branches at every step
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 400; i++) {
            ids.add(java.util.UUID.randomUUID().toString());
        }
        io.vertx.core.json.JsonArray rows = new io.vertx.core.json.JsonArray();
        for (int i = 0; i < ids.size(); i++) {
            rows.add(new io.vertx.core.json.JsonObject().put("id", "r:" + ids.get(i)).put("links", new io.vertx.core.json.JsonArray()
                    .add("r:" + ids.get((i * 7 + 1) % ids.size())).add("r:" + ids.get((i * 13 + 5) % ids.size()))));
        }
        var created = node.post("/api/createRec", grid("id", "links").put("rows", rows));
        assertEquals(200, created.statusCode(), created.bodyAsString());

        String filter = "links" + "->links".repeat(20) + "->dis == \"nowhere\"";
        var read = node.post("/api/read", grid("filter").put("rows", new io.vertx.core.json.JsonArray()
                .add(new io.vertx.core.json.JsonObject().put("filter", "s:" + filter))));
        assertEquals(503, read.statusCode(), read.bodyAsString());
        assertTrue(read.bodyAsJsonObject().getJsonObject("meta").getString("dis").contains("statement timeout"), read.bodyAsString());
    }

    private static io.vertx.core.json.JsonObject grid(String... columns) {
        io.vertx.core.json.JsonArray cols = new io.vertx.core.json.JsonArray();
        for (String c : columns) {
            cols.add(new io.vertx.core.json.JsonObject().put("name", c));
        }
        return new io.vertx.core.json.JsonObject().put("meta", new io.vertx.core.json.JsonObject().put("ver", "3.0")).put("cols", cols);
    }
}
