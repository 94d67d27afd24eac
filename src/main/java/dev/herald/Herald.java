package dev.herald;

import dev.herald.auth.Auth;
import dev.herald.blueprint.Blueprint;
import dev.herald.browser.BrowserAssets;
import dev.herald.browser.ModelCatalog;
import dev.herald.cluster.Cluster;
import dev.herald.config.HeraldConfig;
import dev.herald.drain.Drain;
import dev.herald.drain.Gate;
import dev.herald.haystack.EntitiesVerticle;
import dev.herald.haystack.HaystackApi;
import dev.herald.http.Health;
import dev.herald.http.HttpVerticle;
import dev.herald.metrics.HeraldMeters;
import dev.herald.metrics.Metrics;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.realtime.SocketEndpoint;
import dev.herald.realtime.SubscriptionVerticle;
import dev.herald.records.RecordsVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * One Herald node on a Vert.x instance: the persistence verticle first (schema applied, pool open),
 * the subscription verticle, then one HTTP verticle per event loop. {@link Main} runs it for real; tests start it in-process.
 * Its meters go to {@code metrics}, whose registry the Vert.x instance should report to as well
 * ({@link Metrics#vertx()}).
 */
public final class Herald {
    private final Vertx vertx;
    private final String node;
    private final Auth auth;
    private final int port;
    private final Gate gate;
    private final SubscriptionVerticle subscriptions;

    private Herald(Vertx vertx, String node, Auth auth, int port, Gate gate, SubscriptionVerticle subscriptions) {
        this.vertx = vertx;
        this.node = node;
        this.auth = auth;
        this.port = port;
        this.gate = gate;
        this.subscriptions = subscriptions;
    }

    public static Future<Herald> start(Cluster cluster, HeraldConfig config, Models models, PgConnectOptions connectTo,
                                       Metrics metrics) {
        Vertx vertx = cluster.vertx();
        PgConnectOptions database = bounded(connectTo, config.statementTimeout());
        String node = cluster.nodeId();
        Auth auth = Auth.create(vertx, config);
        Blueprint blueprint = new Blueprint(vertx, models, node);
        Gate gate = new Gate();
        Health health = new Health(vertx, node, cluster::state, gate);
        List<String> destroyable = new ArrayList<>(models.all().stream().map(Model::identity).toList());
        destroyable.add(EntitiesVerticle.MODEL);
        HeraldMeters meters = new HeraldMeters(metrics.registry(), destroyable);
        int instances = 2 * Runtime.getRuntime().availableProcessors();
        int port = config.httpPort() == 0 ? freePort(config.httpHost()) : config.httpPort();
        SubscriptionVerticle subscriptions = new SubscriptionVerticle(config.socketIdleTimeout(), models,
                config.notificationLog() ? database : null, config.logRetention(), meters);
        SocketEndpoint sockets = new SocketEndpoint(vertx, models, auth, blueprint, subscriptions, node, gate,
                config.maxSockets(), config.socketRate());
        HaystackApi haystack = new HaystackApi(vertx, node);
        BrowserAssets browser = BrowserAssets.load();
        ModelCatalog catalog = new ModelCatalog(models);
        return vertx.deployVerticle(new RecordsVerticle(models, database, config.demoData(), config.notificationLog(), meters))
                .compose(id -> vertx.deployVerticle(new EntitiesVerticle(database, config.notificationLog(), meters)))
                .compose(id -> vertx.deployVerticle(subscriptions))
                .compose(id -> vertx.deployVerticle(
                        () -> new HttpVerticle(config, port, auth, blueprint, health, sockets, haystack, metrics, browser, catalog, gate),
                        new DeploymentOptions().setInstances(instances)))
                .map(id -> new Herald(vertx, node, auth, port, gate, subscriptions));
    }

    /**
     * Every session of this node runs each statement under the statement timeout, and is ended by
     * PostgreSQL if it ever sits that long inside a transaction without sending anything (a stuck node
     * must not hold locks forever).
     */
    private static PgConnectOptions bounded(PgConnectOptions database, java.time.Duration statementTimeout) {
        String millis = String.valueOf(statementTimeout.toMillis());
        return new PgConnectOptions(database).addProperty("statement_timeout", millis)
                .addProperty("idle_in_transaction_session_timeout", millis);
    }

    /**
     * Vert.x shares a listening socket between verticle instances only for the same requested port, and
     * port 0 gives each instance its own: so "any free port" is resolved once, before deploying.
     */
    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
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

    /**
     * The node's part of a drain ({@link Drain}): stop taking work, answer what is in flight, deliver what
     * was committed, close the sockets, stop the verticles. Its owner then closes Vert.x and the database.
     */
    public List<Drain.Step> drainSteps() {
        return List.of(
                Drain.Step.of("stopped taking work", () -> {
                    gate.close();
                    return Future.succeededFuture();
                }),
                Drain.Step.of("answered the requests in flight", () -> gate.idle(vertx)),
                Drain.Step.of("delivered the committed notifications to this node's sockets", subscriptions::caughtUp),
                Drain.Step.of("closed the sockets", subscriptions::closeAll),
                Drain.Step.of("stopped the verticles", this::stop));
    }

    public Gate gate() {
        return gate;
    }

    /** Undeploys this node's verticles (the Vert.x instance stays open for its owner to close). */
    public Future<Void> stop() {
        return Future.all(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()).mapEmpty();
    }
}
