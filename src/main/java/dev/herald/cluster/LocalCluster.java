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
 * One PostgreSQL (embedded in the data dir, or {@code HERALD_PG_URL}) and N Herald nodes as separate
 * processes of this jar, on HTTP ports P, P+1, …, clustered over Hazelcast and sharing one JWT secret.
 * Used by the {@code cluster} and {@code bench} commands.
 *
 * <p>The nodes share one machine, so they run with the C1 compiler only ({@value #JIT}): on two cores,
 * each node's C2 compiler threads otherwise take more CPU than its event loops for minutes after start,
 * from all N nodes at once (measured with the bench: about 2.4k against 1.3k destroys/s, and a quarter
 * of the CPU per destroy). A node on a machine of its own keeps the JVM's default.
 */
public final class LocalCluster implements AutoCloseable {
    private static final String JIT = "-XX:TieredStopAtLevel=1";

    private final Database database;
    private final String pgUrl;
    private final java.time.Duration drainTimeout;
    private final List<Process> nodes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean drained;
    private final List<Thread> pipes = new java.util.concurrent.CopyOnWriteArrayList<>();

    private LocalCluster(Database database, String pgUrl, java.time.Duration drainTimeout) {
        this.database = database;
        this.pgUrl = pgUrl;
        this.drainTimeout = drainTimeout;
    }

    /** {@code env} is added to each node's environment; node output goes to ours, prefixed, when {@code echo}. */
    public static LocalCluster start(HeraldConfig config, int count, int firstPort, Map<String, String> env, boolean echo) {
        return start(config, count, firstPort, env, echo, true);
    }

    /**
     * As above; {@code c1}: whether the nodes run with the C1 compiler only (false: the JVM's default, as
     * a node that has a machine of its own; the bench measures both).
     */
    public static LocalCluster start(HeraldConfig config, int count, int firstPort, Map<String, String> env, boolean echo,
                                     boolean c1) {
        Database database = Database.open(config);
        LocalCluster cluster = new LocalCluster(database, pgUrl(config, database.connectOptions()), config.drainTimeout());
        try {
            for (int i = 1; i <= count; i++) {
                cluster.startNode(config, i, firstPort + i - 1, env, echo, c1);
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startNode(HeraldConfig config, int index, int port, Map<String, String> extra, boolean echo, boolean c1) {
        ProcessBuilder builder = new ProcessBuilder(java(c1));
        Map<String, String> env = builder.environment();
        env.put("HERALD_CLUSTER", "true");
        env.put("HERALD_PG_URL", pgUrl);
        env.put("HERALD_HTTP_PORT", String.valueOf(port));
        env.put("HERALD_DATA_DIR", config.dataDir().resolve("node-" + index).toString());
        env.put("HERALD_CLUSTER_NAME", config.clusterName());
        env.put("HERALD_DEMO_DATA", String.valueOf(config.demoData()));
        Auth.sharedSecret(config).ifPresent(secret -> env.put("HERALD_JWT_SECRET", secret));
        env.putAll(extra);
        try {
            Process process = builder.start();
            pipes.add(pipe(process.getInputStream(), echo ? System.out : null, "[node " + index + "] "));
            pipes.add(pipe(process.getErrorStream(), echo ? System.err : null, "[node " + index + "] "));
            nodes.add(process);
            ports.add(port);
        } catch (IOException e) {
            throw new ConfigException("cannot start node " + index + ": " + e.getMessage());
        }
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    public List<Process> nodes() {
        return List.copyOf(nodes);
    }

    /** The URL its nodes connect with: another set of nodes can share the database (the bench does). */
    public String pgUrl() {
        return pgUrl;
    }

    public PgConnectOptions connectOptions() {
        return database.connectOptions();
    }

    public String databaseDescription() {
        return database.description();
    }

    /** Until every node has ended. */
    public void awaitExit() throws InterruptedException {
        for (Process node : nodes) {
            node.waitFor();
        }
    }

    /**
     * Stops the nodes, then the database; once, whoever calls it first (a shutdown hook or the owner). Each
     * node gets SIGTERM and drains ({@code HERALD_DRAIN_TIMEOUT}); one still running 15 s past its drain
     * timeout is killed.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // SIGTERM through the handle: Process.destroy() would also close the pipes that echo the node's drain log
        nodes.forEach(node -> node.toHandle().destroy());
        drained = true;
        long deadline = System.nanoTime() + drainTimeout.toNanos() + TimeUnit.SECONDS.toNanos(15);
        for (Process node : nodes) {
            try {
                if (!node.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    System.err.println("herald: a node did not drain in time; killing it");
                    node.destroyForcibly();
                    drained = false;
                } else if (node.exitValue() != 0) {
                    drained = false;
                }
            } catch (InterruptedException e) {
                node.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (Thread pipe : pipes) {
            try {
                // the nodes' last lines (their drain log) are echoed before this process ends
                pipe.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        database.close();
    }

    /** After {@link #close}: whether every node drained and exited 0. */
    public boolean drained() {
        return drained;
    }

    private static String pgUrl(HeraldConfig config, PgConnectOptions options) {
        return config.pgUrl().orElse("postgresql://" + options.getUser() + ":" + options.getPassword() + "@"
                + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase());
    }

    private static Thread pipe(InputStream from, PrintStream to, String prefix) {
        Thread copier = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (to != null) {
                        to.println(prefix + line);
                    }
                }
            } catch (IOException ignored) {
                // the node ended
            }
        });
        copier.setDaemon(true);
        copier.start();
        return copier;
    }

    /** {@code java -XX:TieredStopAtLevel=1 -jar <this jar>}: a JVM that shares the machine with others. */
    public static List<String> javaC1() {
        return java(true);
    }

    /** {@code java [-XX:TieredStopAtLevel=1] -jar <this jar>}: C1 only, or the JVM's default compilers. */
    private static List<String> java(boolean c1) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (c1) {
            command.add(JIT);
        }
        command.addAll(List.of("-jar", jarPath()));
        return command;
    }

    /** Whether this JVM itself runs with the C1 compiler only. */
    public static boolean runningC1() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().contains(JIT);
    }

    private static String jarPath() {
        try {
            return Path.of(LocalCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
