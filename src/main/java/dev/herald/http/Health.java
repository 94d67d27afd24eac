package dev.herald.http;

import dev.herald.drain.Gate;
import dev.herald.records.RecordsAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * {@code GET /health}: UP when the persistence verticle reaches PostgreSQL and cluster membership is
 * intact; 503 naming the failing part otherwise, and 503 {@code DRAINING} at once (without asking the
 * database) from the moment the node starts draining, so that load balancers stop sending it work.
 */
public final class Health {
    private static final DeliveryOptions PROBE = new DeliveryOptions().setSendTimeout(3_000).setLocalOnly(true);

    private final Vertx vertx;
    private final String node;
    private final Supplier<JsonObject> cluster;
    private final Gate gate;

    public Health(Vertx vertx, String node, Supplier<JsonObject> cluster, Gate gate) {
        this.vertx = vertx;
        this.node = node;
        this.cluster = cluster;
        this.gate = gate;
    }

    public record Report(boolean up, JsonObject json) {
    }

    public Future<Report> check() {
        if (gate.draining()) {
            return Future.succeededFuture(new Report(false, new JsonObject().put("status", "DRAINING").put("node", node)
                    .put("inFlight", gate.inFlight())));
        }
        return vertx.eventBus().request(RecordsAddresses.HEALTH, null, PROBE)
                .map(reply -> true)
                .otherwise(false)
                .map(databaseUp -> {
                    JsonObject clusterState = cluster.get();
                    boolean up = databaseUp && clusterState.getBoolean("healthy", true);
                    JsonObject json = new JsonObject()
                            .put("status", up ? "UP" : "DOWN")
                            .put("node", node)
                            .put("database", databaseUp ? "UP" : "DOWN")
                            .put("cluster", new JsonObject()
                                    .put("enabled", clusterState.getBoolean("enabled"))
                                    .put("members", clusterState.getInteger("members")));
                    return new Report(up, json);
                });
    }
}
