package dev.herald.cluster;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.drain.Drain;
import dev.herald.drain.Stopping;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code cluster [N] [--port P]}: a local cluster in one command (see {@link LocalCluster}). Node
 * output is prefixed with the node number; Ctrl-C or SIGTERM drains the nodes, then stops the database.
 */
public final class ClusterCommand {
    private ClusterCommand() {
    }

    public static int run(HeraldConfig config, List<String> args) throws InterruptedException {
        int nodes = 3;
        int firstPort = config.httpPort() == 0 ? 8080 : config.httpPort();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--port") && i + 1 < args.size()) {
                firstPort = number(args.get(++i), "--port", 1, 65535 - 16);
            } else {
                nodes = number(arg, "the number of nodes", 1, 16);
            }
        }
        LocalCluster cluster = LocalCluster.start(config, nodes, firstPort, Map.of(), true);
        // SIGTERM or Ctrl-C drains every node (each within HERALD_DRAIN_TIMEOUT), then stops the database;
        // the command exits 0 when every node drained
        Stopping.onSignals(new Drain(config.drainTimeout().plusSeconds(20), List.of(Drain.Step.of("stopped the nodes and the database",
                () -> Future.fromCompletionStage(CompletableFuture.runAsync(cluster::close))
                        .compose(v -> cluster.drained() ? Future.succeededFuture() : Future.failedFuture("a node did not drain"))))));
        System.out.println("cluster '" + config.clusterName() + "' of " + nodes + " nodes on ports " + firstPort + "-"
                + (firstPort + nodes - 1) + ", database: " + cluster.databaseDescription() + "; Ctrl-C stops everything");
        System.out.flush();
        cluster.awaitExit();
        return 0;
    }

    static int number(String text, String what, int min, int max) {
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(what + " must be a whole number from " + min + " to " + max + "; usage: cluster [N] [--port P]");
    }
}
