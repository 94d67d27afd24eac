package dev.herald;

import dev.herald.auth.Auth;
import dev.herald.blueprint.Blueprint;
import dev.herald.config.HeraldConfig;
import dev.herald.http.Health;
import dev.herald.http.HttpVerticle;
import dev.herald.models.Models;
import dev.herald.records.RecordsVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

import java.util.UUID;

/**
 * One Herald node on a Vert.x instance: the persistence verticle first (schema applied, pool open),
 * then one HTTP verticle per event loop. {@link Main} runs it for real; tests start it in-process.
 */
public final class Herald {
    private final Vertx vertx;
    private final String node;
    private final Auth auth;
    private final int port;

    private Herald(Vertx vertx, String node, Auth auth, int port) {
        this.vertx = vertx;
        this.node = node;
        this.auth = auth;
        this.port = port;
    }

    public static Future<Herald> start(Vertx vertx, HeraldConfig config, Models models, PgConnectOptions database) {
        String node = UUID.randomUUID().toString();
        Auth auth = Auth.create(vertx, config);
        Blueprint blueprint = new Blueprint(vertx, models, auth, node);
        Health health = new Health(vertx, node, () -> new JsonObject().put("enabled", false).put("members", 1));
        int instances = 2 * Runtime.getRuntime().availableProcessors();
        HttpVerticle first = new HttpVerticle(config.httpPort(), config.maxBodyBytes(), blueprint, health);
        return vertx.deployVerticle(new RecordsVerticle(models, database, config.demoData(), 16))
                .compose(id -> vertx.deployVerticle(first))
                .compose(id -> {
                    int port = first.actualPort();
                    return vertx.deployVerticle(() -> new HttpVerticle(port, config.maxBodyBytes(), blueprint, health),
                            new DeploymentOptions().setInstances(instances - 1)).map(port);
                })
                .map(port -> new Herald(vertx, node, auth, port));
    }

    public int port() {
        return port;
    }

    public String node() {
        return node;
    }

    public Auth auth() {
        return auth;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Undeploys this node's verticles (the Vert.x instance stays open for its owner to close). */
    public Future<Void> stop() {
        return Future.all(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()).mapEmpty();
    }
}
