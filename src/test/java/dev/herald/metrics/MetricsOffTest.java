package dev.herald.metrics;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code HERALD_METRICS=false}: {@code /metrics} is a 404 for everyone, and never reaches the blueprint routes. */
@Tier.Component
class MetricsOffTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo(Map.of("HERALD_METRICS", "false"));

    @Test
    void metricsAreNotFoundWithOrWithoutAToken() {
        for (String token : new String[] {null, node.adminToken()}) {
            HttpResponse<Buffer> response = node.call(HttpMethod.GET, "/metrics", null, token);
            assertEquals(404, response.statusCode(), response.bodyAsString());
            assertEquals("E_NOT_FOUND", response.bodyAsJsonObject().getString("code"));
            assertTrue(response.bodyAsJsonObject().getString("message").contains("HERALD_METRICS=false"), response.bodyAsString());
        }
    }

    @Test
    void destroysStillWorkWithMetersThatRecordNothing() {
        assertEquals(200, node.delete("/pony/4").statusCode());
        assertEquals(404, node.delete("/pony/4").statusCode());
    }
}
