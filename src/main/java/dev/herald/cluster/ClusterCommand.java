package dev.herald.cluster;

import dev.herald.auth.Auth;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.database.Database;
import io.vertx.pgclient.PgConnectOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code cluster [N] [--port P]}: a local cluster in one command. Starts one PostgreSQL (embedded in
 * the data dir, or {@code HERALD_PG_URL}), then N Herald nodes as separate processes on HTTP ports
 * P, P+1, … joined over Hazelcast on loopback, all sharing one JWT secret. Their output is prefixed
 * with the node number; Ctrl-C stops the nodes, then the database.
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
        Database database = Database.open(config);
        String url = pgUrl(config, database.connectOptions());
        List<Process> children = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(children, database), "herald-cluster-stop"));
        for (int i = 1; i <= nodes; i++) {
            children.add(startNode(config, url, i, firstPort + i - 1));
        }
        System.out.println("cluster '" + config.clusterName() + "' of " + nodes + " nodes on ports " + firstPort + "-"
                + (firstPort + nodes - 1) + ", database: " + database.description() + "; Ctrl-C stops everything");
        System.out.flush();
        for (Process child : children) {
            child.waitFor();
        }
        return 0;
    }

    private static Process startNode(HeraldConfig config, String pgUrl, int index, int port) {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jarPath());
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("HERALD_CLUSTER", "true");
        env.put("HERALD_PG_URL", pgUrl);
        env.put("HERALD_HTTP_PORT", String.valueOf(port));
        env.put("HERALD_DATA_DIR", config.dataDir().resolve("node-" + index).toString());
        env.put("HERALD_CLUSTER_NAME", config.clusterName());
        env.put("HERALD_DEMO_DATA", String.valueOf(config.demoData()));
        Auth.sharedSecret(config).ifPresent(secret -> env.put("HERALD_JWT_SECRET", secret));
        try {
            Process process = builder.start();
            pipe(process.getInputStream(), System.out, "[node " + index + "] ");
            pipe(process.getErrorStream(), System.err, "[node " + index + "] ");
            return process;
        } catch (IOException e) {
            throw new ConfigException("cannot start node " + index + ": " + e.getMessage());
        }
    }

    private static String pgUrl(HeraldConfig config, PgConnectOptions options) {
        return config.pgUrl().orElse("postgresql://" + options.getUser() + ":" + options.getPassword() + "@"
                + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase());
    }

    private static void pipe(InputStream from, PrintStream to, String prefix) {
        Thread copier = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    to.println(prefix + line);
                }
            } catch (IOException ignored) {
                // the node ended
            }
        });
        copier.setDaemon(true);
        copier.start();
    }

    private static void stop(List<Process> children, Database database) {
        children.forEach(Process::destroy);
        for (Process child : children) {
            try {
                if (!child.waitFor(20, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException e) {
                child.destroyForcibly();
            }
        }
        database.close();
    }

    private static String jarPath() {
        try {
            return Path.of(ClusterCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int number(String text, String what, int min, int max) {
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
