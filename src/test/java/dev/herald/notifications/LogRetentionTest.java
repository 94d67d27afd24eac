package dev.herald.notifications;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code HERALD_LOG_RETENTION}: entries older than it are removed, and resuming from before them answers resync. */
@Tier.Component
class LogRetentionTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo(Map.of("HERALD_LOG_RETENTION", "1s"));

    @Test
    void aResumeFromBeforeWhatRetentionRemovedAnswersResync() throws Exception {
        JsonObject reply;
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), null)) {
            reply = s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(1).add(2)),
                    node.adminToken()).getJsonObject("body");
        }
        assertEquals(200, node.delete("/pony/1").statusCode());
        long logged = node.sql("SELECT max(last) FROM herald_log").get(0).getLong(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!node.sql("SELECT 1 FROM herald_log WHERE $1 BETWEEN seq AND last", logged).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(node.sql("SELECT 1 FROM herald_log WHERE $1 BETWEEN seq AND last", logged).isEmpty(), "pruned after its retention");

        try (TestSocket back = TestSocket.connect(node.vertx(), node.port(), null)) {
            JsonObject resumed = back.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(1).add(2))
                    .put("since", reply.getString("seq")).put("epoch", reply.getString("epoch")), node.adminToken()).getJsonObject("body");
            assertEquals(true, resumed.getBoolean("resync"), resumed.encode());
            assertEquals(0, resumed.getInteger("replayed"));
            assertEquals(List.of(), back.framesBeforeReply("pony"), "nothing replayed");
            assertEquals(new JsonArray().add(1), resumed.getJsonArray("notFound"));

            // live delivery goes on from the reply's position
            assertEquals(200, node.delete("/pony/2").statusCode());
            assertEquals(2, back.await(f -> "pony".equals(f.getString("address"))).getJsonObject("body").getInteger("id"));
        }
    }
}
