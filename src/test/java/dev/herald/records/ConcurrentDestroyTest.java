package dev.herald.records;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Many simultaneous destroys of the same ids: exactly one 200 and one set of notifications per id. */
@Tier.Component
class ConcurrentDestroyTest {
    private static final int RECORDS = 40;
    private static final int ATTEMPTS_PER_RECORD = 8;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    @Test
    void concurrentDestroysOfOneIdSucceedExactlyOnceEach() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            ids.add(node.sql("INSERT INTO pony (\"createdAt\", \"updatedAt\", name, owner) VALUES (0, 0, $1, 1) RETURNING id",
                    "racer " + i).get(0).getLong(0));
            node.sql("INSERT INTO toy (\"createdAt\", \"updatedAt\", label, owner) VALUES (0, 0, 'toy', $1)", ids.get(i));
        }
        long poniesBefore = node.count("pony");
        long toysBefore = node.count("toy");
        node.clearPublished();

        List<Long> attempts = new ArrayList<>();
        for (int attempt = 0; attempt < ATTEMPTS_PER_RECORD; attempt++) {
            attempts.addAll(ids);
        }
        List<HttpResponse<Buffer>> responses = node.destroyAtOnce("pony", attempts);

        Map<Long, Integer> successes = new HashMap<>();
        for (int i = 0; i < responses.size(); i++) {
            HttpResponse<Buffer> r = responses.get(i);
            long id = ids.get(i % RECORDS);
            if (r.statusCode() == 200) {
                successes.merge(id, 1, Integer::sum);
            } else {
                assertEquals(404, r.statusCode(), r.bodyAsString());
            }
        }
        for (long id : ids) {
            assertEquals(1, successes.getOrDefault(id, 0), "exactly one 200 for pony " + id);
        }
        assertEquals(poniesBefore - RECORDS, node.count("pony"), "no lost or doubled rows");
        assertEquals(toysBefore, node.count("toy"), "setNull keeps the toys");

        List<JsonObject> batches = node.awaitPublished(RECORDS);
        assertEquals(RECORDS, batches.size(), "one publication per successful destroy");
        Map<Object, Integer> destroyed = new HashMap<>();
        batches.forEach(b -> b.getJsonArray("notifications").stream().map(JsonObject.class::cast)
                .filter(n -> "destroyed".equals(n.getJsonObject("message").getString("verb")))
                .forEach(n -> destroyed.merge(((Number) n.getValue("id")).longValue(), 1, Integer::sum)));
        for (long id : ids) {
            assertEquals(1, destroyed.getOrDefault(id, 0), "one destroyed message for pony " + id);
        }
    }
}
