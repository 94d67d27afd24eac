package dev.herald;

import dev.herald.auth.TokenCommand;
import dev.herald.bench.BenchCommand;
import dev.herald.browser.BrowserAssets;
import dev.herald.cluster.Cluster;
import dev.herald.cluster.ClusterCommand;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.database.Database;
import dev.herald.drain.Drain;
import dev.herald.drain.Stopping;
import dev.herald.metrics.Metrics;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.ModelsException;
import dev.herald.models.ModelsLoader;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * {@code java -jar herald.jar} starts a node; {@code java -jar herald.jar token --sub NAME --permissions LIST}
 * prints a token signed with this node's secret; {@code java -jar herald.jar cluster 3} runs a local
 * cluster of three nodes on one PostgreSQL. Configuration errors, and a database that cannot be
 * reached within 30 s, end the process with status 2 and one line saying what to fix; anything else
 * that stops start-up ends it with status 1 (never a process left hanging on its Vert.x threads). A
 * running node ends on SIGTERM or Ctrl-C by draining ({@link Stopping}): status 0 when it drained within
 * {@code HERALD_DRAIN_TIMEOUT}, 1 otherwise.
 */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());
    static final int ADMIN_TOKEN_SECONDS = 7 * 24 * 3600;

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException, java.io.IOException {
        Logging.configure(System.getenv("HERALD_LOG_FORMAT"));
        try {
            HeraldConfig config = HeraldConfig.fromEnv(System.getenv());
            if (args.length > 0 && args[0].equals("token")) {
                System.exit(TokenCommand.run(config, List.of(args).subList(1, args.length)));
            }
            if (args.length > 0 && args[0].equals("cluster")) {
                System.exit(ClusterCommand.run(config, List.of(args).subList(1, args.length)));
            }
            if (args.length > 0 && args[0].equals("bench")) {
                System.exit(BenchCommand.run(config, List.of(args).subList(1, args.length)));
            }
            if (args.length > 0) {
                throw new ConfigException("unknown command '" + args[0] + "' (commands: token, cluster, bench)");
            }
            serve(config);
        } catch (ConfigException | ModelsException e) {
            System.err.println("herald: " + e.getMessage());
            System.exit(2);
        } catch (Throwable e) {
            LOG.log(Level.SEVERE, "start-up failed", e);
            System.err.println("herald: start-up failed: " + e);
            System.exit(1);
        }
    }

    private static void serve(HeraldConfig config) {
        config.warnings().forEach(w -> LOG.warning(w));
        Models models = config.modelsFile().map(ModelsLoader::load).orElseGet(ModelsLoader::loadDemo);
        if (config.demoData() && config.modelsFile().isPresent()) {
            throw new ConfigException("HERALD_DEMO_DATA=true needs the built-in demo models (unset HERALD_MODELS)");
        }
        if (config.auth() == HeraldConfig.AuthMode.NONE) {
            LOG.warning("HERALD_AUTH=none: AUTHENTICATION IS OFF, anyone who can reach this port can read and destroy every record");
        }
        Database database = Database.open(config);
        Metrics metrics = Metrics.of(config);
        Cluster cluster;
        try {
            cluster = config.cluster() ? Cluster.join(config, metrics).await() : Cluster.standalone(metrics.vertx().build());
        } catch (ConfigException e) {
            database.close();
            throw e;
        } catch (Exception e) {
            // await() rethrows a failure as it is, checked exceptions included
            database.close();
            throw new ConfigException("cannot join the cluster: " + e.getMessage());
        }
        LogContext.node(cluster.nodeId());
        Vertx vertx = cluster.vertx();
        Herald herald;
        try {
            herald = Herald.start(cluster, config, models, database.connectOptions(), metrics).await();
        } catch (Exception e) {
            // await() rethrows a failure as it is, checked exceptions (a refused connection) included
            vertx.close().await();
            database.close();
            throw new ConfigException("start-up failed (" + database.description() + "): " + e.getMessage());
        }
        List<Drain.Step> steps = new ArrayList<>(herald.drainSteps());
        steps.add(Drain.Step.of(config.cluster() ? "left the cluster" : "closed Vert.x", vertx::close));
        steps.add(Drain.Step.database("stopped the database", database::close));
        Drain drain = new Drain(config.drainTimeout(), steps);
        Stopping.onSignals(drain);
        LOG.info(() -> "node " + herald.node() + " is up: listening on port " + herald.port() + ", " + database.description()
                + ", cluster " + (config.cluster() ? "'" + config.clusterName() + "'" : "off") + ", metrics " + (metrics.enabled() ? "on" : "off"));
        printBanner(config, models, database, cluster, herald);
    }

    private static void printBanner(HeraldConfig config, Models models, Database database, Cluster cluster, Herald herald) {
        String names = models.all().stream().map(Model::identity).sorted().collect(Collectors.joining(", "));
        System.out.println("Herald node " + herald.node() + " is up");
        System.out.println("database: " + database.description());
        System.out.println("models: " + names + (config.modelsFile().isEmpty() ? " (built-in demo)" : " from " + config.modelsFile().get()));
        System.out.println("cluster: " + (config.cluster() ? "member of '" + config.clusterName() + "', "
                + cluster.state().getInteger("members") + " member(s)" : "off (single node)"));
        System.out.println("listening on port " + herald.port());
        herald.auth().mint("admin", List.of("*:*"), ADMIN_TOKEN_SECONDS).ifPresentOrElse(token -> {
            System.out.println("admin token (valid 7 days, all permissions):");
            System.out.println("  " + token);
            System.out.println("console: http://localhost:" + herald.port() + BrowserAssets.CONSOLE + "#token=" + token);
            System.out.println("try: curl -H 'Authorization: Bearer " + token + "' http://localhost:" + herald.port() + "/pony");
            System.out.println("more tokens: java -jar target/herald.jar token --sub alice --permissions 'pony:read,pony:destroy'");
        }, () -> {
            System.out.println(config.auth() == HeraldConfig.AuthMode.NONE
                    ? "authentication is OFF (HERALD_AUTH=none)"
                    : "tokens: signed by your identity provider (HERALD_JWT_PUBLIC_KEY)");
            System.out.println("console: http://localhost:" + herald.port() + BrowserAssets.CONSOLE);
        });
        System.out.flush();
    }
}
