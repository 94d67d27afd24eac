package dev.herald.bench;

import dev.herald.cluster.LocalCluster;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code bench}: starts PostgreSQL and three clustered nodes, then measures destroy throughput and
 * latency against the database's own single-row DELETE rate and cross-node notification latency at
 * 1,000 destroys/s; then starts a second set of nodes on the same database with the notification log
 * off and measures throughput and notification latency on both sets in alternating rounds, for the
 * log's cost within the same run; then, on the first set, a 10,000-socket fan-out, 10,000 idle
 * sessions and a 10,000-entity deleteRec by filter.
 * Prints the figures and writes them as JSON. Every loop is bounded in count and time; everything it
 * starts, it stops. This class is the command (options, the C1 relaunch, the clusters, the order of the
 * phases, the report); each measured phase is a class of its own ({@link WarmUp}, {@link Throughput},
 * {@link RawDeletes}, {@link PacedLatency}, {@link FanOut}, {@link DeleteRecByFilter}, {@link LogCost})
 * over a {@link BenchContext}.
 */
public final class BenchCommand {
    private static final String MODELS = """
            pony:
              attributes:
                name: { type: string }
                toys: { collection: toy, via: owner, onDestroy: setNull }
            toy:
              attributes:
                label: { type: string }
                owner: { model: pony }
            """;

    private final Map<String, Integer> options = new HashMap<>(Map.ofEntries(
            Map.entry("records", 5000), Map.entry("concurrency", 32), Map.entry("subscribers", 4), Map.entry("paced", 3000),
            Map.entry("rate", 1000), Map.entry("fanout", 10_000), Map.entry("idle", 10_000), Map.entry("entities", 10_000),
            Map.entry("nodes", 3), Map.entry("warmup", 10_000), Map.entry("rounds", 16), Map.entry("logRecords", 20_000), Map.entry("deleteRecRounds", 3),
            Map.entry("profile", 0)));
    /** With {@code --profile 1}: the first set of nodes records with JFR, and the samples are counted by phase. */
    private Profile profile;
    /**
     * {@code --only deleteRec}: that scenario alone, with the log and then without it; {@code --only idle}:
     * the idle-socket scenario alone; {@code --only log}: every phase up to the log's cost, none after it;
     * null: every phase.
     */
    private String only;
    /** {@code --jvm default}: the nodes run with the JVM's default compilers (C1 and C2) instead of C1 only. */
    private boolean nodesC1 = true;
    private Path out = Path.of("target", "bench-results.json");
    private Vertx vertx;
    private volatile LocalCluster cluster;
    /** The same build, on the same database, with {@code HERALD_NOTIFICATION_LOG=false}: for {@link LogCost}. */
    private volatile LocalCluster withoutLog;
    private String secret;
    private Map<String, String> nodeEnv;
    private Path dir;
    /** The embedded PostgreSQL's data directory, whose processes the CPU figures count; empty with HERALD_PG_URL. */
    private java.util.Optional<String> databaseDir = java.util.Optional.empty();

    /**
     * The driver shares the machine with the nodes and PostgreSQL, so, like the nodes, it runs with the
     * C1 compiler only: started without it, the command runs itself again in a JVM that has it, with the
     * same JVM options (measured: the driver's CPU per destroy drops from ~0.45 to ~0.15 ms, left to the
     * system under test).
     */
    public static int run(HeraldConfig config, List<String> args) throws IOException {
        if (!args.isEmpty() && args.get(0).equals("abuse")) {
            try {
                return AbuseBench.run(args.subList(1, args.size()));
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        BenchCommand bench = new BenchCommand();
        bench.parse(args);
        return LocalCluster.runningC1() ? bench.execute(config) : again(args);
    }

    private static int again(List<String> args) throws IOException {
        List<String> command = LocalCluster.javaC1();
        command.addAll(1, java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("bench");
        command.addAll(args);
        Process driver = new ProcessBuilder(command).inheritIO().start();
        Thread stop = new Thread(() -> {
            driver.destroy();
            try {
                driver.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return driver.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private void parse(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String name = args.get(i).replaceFirst("^--", "");
            if (i + 1 >= args.size()) {
                throw usage("missing value after " + args.get(i));
            }
            String value = args.get(++i);
            if (name.equals("out")) {
                out = Path.of(value);
            } else if (name.equals("jvm")) {
                if (!value.equals("c1") && !value.equals("default")) {
                    throw usage("--jvm takes c1 or default");
                }
                nodesC1 = value.equals("c1");
            } else if (name.equals("only")) {
                if (!value.equals("deleteRec") && !value.equals("idle") && !value.equals("log")) {
                    throw usage("--only takes deleteRec, idle or log");
                }
                only = value;
            } else if (options.containsKey(name)) {
                options.put(name, positive(name, value));
            } else {
                throw usage("unknown option --" + name);
            }
        }
    }

    /**
     * Everything the bench starts lives in a temporary directory, removed at the end; stopped early
     * (Ctrl-C, a kill), it still stops the nodes and the database and removes the directory.
     */
    private int execute(HeraldConfig base) throws IOException {
        Path dir = Files.createTempDirectory("herald-bench");
        Thread cleanUp = new Thread(() -> {
            if (withoutLog != null) {
                withoutLog.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            removeTree(dir);
        }, "herald-bench-stop");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try {
            return execute(base, dir);
        } finally {
            cleanUp.run();
        }
    }

    private static void removeTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // already gone, or going: nothing left to do
        }
    }

    private int execute(HeraldConfig base, Path dir) throws IOException {
        Path models = dir.resolve("models.yaml");
        Files.writeString(models, MODELS);
        this.dir = dir;
        secret = UUID.randomUUID() + "-" + UUID.randomUUID();
        nodeEnv = Map.of("HERALD_MODELS", models.toString(), "HERALD_HTTP_HOST", "127.0.0.1");
        HeraldConfig config = HeraldConfig.fromEnv(Map.of("HERALD_DATA_DIR", dir.toString(), "HERALD_JWT_SECRET", secret,
                "HERALD_CLUSTER_NAME", "herald-bench-" + UUID.randomUUID(), "HERALD_DEMO_DATA", "false",
                "HERALD_PG_URL", base.pgUrl().orElse("")));
        if (base.pgUrl().isEmpty()) {
            databaseDir = java.util.Optional.of(dir.resolve("postgres").toAbsolutePath().normalize().toString());
        }
        int firstPort = freeRange(options.get("nodes"), List.of());
        System.out.println("starting PostgreSQL and " + options.get("nodes") + " nodes (" + (nodesC1 ? "C1 only" : "default JVM compilers") + ") ...");
        // the log on explicitly, whatever the driver's environment says (the second set turns it off)
        Map<String, String> firstSet = with(nodeEnv, "HERALD_CLUSTER_PORT", String.valueOf(freePort()), "HERALD_NOTIFICATION_LOG", "true");
        if (options.get("profile") > 0) {
            profile = new Profile(Files.createDirectories(dir.resolve("jfr")));
            firstSet.putAll(profile.nodeEnvironment());
        }
        LocalCluster started = LocalCluster.start(config, options.get("nodes"), firstPort, firstSet, false, nodesC1);
        cluster = started;
        try (started) {
            vertx = Vertx.vertx();
            try {
                awaitCluster(cluster);
                String token = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
                        .setAlgorithm("HS256").setBuffer(secret))).generateToken(new JsonObject().put("permissions",
                        new JsonArray().add("*:*")), new JWTOptions().setExpiresInSeconds(3600).setSubject("bench"));
                JsonObject results = new JsonObject()
                        .put("date", LocalDate.now().toString())
                        .put("machine", Runtime.getRuntime().availableProcessors() + " cores, "
                                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB max heap for the driver")
                        .put("nodes", options.get("nodes"))
                        .put("node_jvm", nodesC1 ? "C1 only (-XX:TieredStopAtLevel=1)" : "the JVM's default compilers")
                        .put("database", cluster.databaseDescription());
                measure(token, results);
                print(results);
                if (profile != null) {
                    Map<Long, String> pids = new HashMap<>();
                    List<Process> nodes = started.nodes();
                    for (int n = 0; n < nodes.size(); n++) {
                        pids.put(nodes.get(n).pid(), "node " + (n + 1));
                    }
                    started.close(); // the recordings are written as the nodes exit
                    results.put("profile", profile.summary(pids));
                    Profile.print(results.getJsonObject("profile"));
                }
                Files.createDirectories(out.toAbsolutePath().getParent());
                Files.writeString(out, results.encodePrettily());
                System.out.println("results written to " + out);
                return 0;
            } finally {
                vertx.close().await();
            }
        }
    }

    /**
     * Every phase, in order, into {@code results}: with the notification log on (the default) the warm-up,
     * throughput, raw and paced phases; then the log's cost (a second set of nodes without it, and the
     * destroy phases on both, in turns; the second set is stopped after it); then the fan-out, idle-socket
     * and deleteRec phases on the first set.
     */
    private void measure(String token, JsonObject results) {
        BenchContext bench = new BenchContext(vertx, cluster, token, options, databaseDir);
        bench.profile(profile);
        if ("deleteRec".equals(only)) {
            measureDeleteRec(token, bench, results);
            return;
        }
        if ("idle".equals(only)) {
            results.put("idleSockets", phase("idle sockets", () -> IdleSockets.run(bench)));
            bench.close();
            return;
        }
        phase("warm-up", () -> {
            WarmUp.run(bench);
            return null;
        });
        results.put("throughput", phase("throughput", () -> Throughput.run(bench)));
        results.put("rawDelete", phase("raw DELETE", () -> RawDeletes.run(bench)));
        double ratio = results.getJsonObject("throughput").getDouble("destroys_per_s")
                / results.getJsonObject("rawDelete").getDouble("deletes_per_s");
        results.put("herald_over_raw", Math.round(ratio * 1000) / 1000.0);
        results.put("pacedLatency", phase("paced", () -> PacedLatency.run(bench)));
        bench.close();

        // before the socket-heavy phases: the set without the log is warmed up with the destroys the first
        // set has seen, and nothing else; after them, the first set would carry 10,000-socket phases the
        // second never saw (measured: 0.84 of the second's throughput then, 0.91-0.95 with them shrunk)
        System.out.println("starting " + options.get("nodes") + " more nodes with HERALD_NOTIFICATION_LOG=false (same build, "
                + "same database), for the log's cost ...");
        try (LocalCluster second = startWithoutLog()) {
            awaitCluster(second);
            BenchContext with = new BenchContext(vertx, cluster, token, options, databaseDir);
            BenchContext without = new BenchContext(vertx, second, token, options, databaseDir);
            results.put("notificationLog", phase("log cost (both sets)", () -> LogCost.run(with, without)));
            with.close();
            without.close();
        }
        withoutLog = null;
        if ("log".equals(only)) {
            return;
        }

        BenchContext heavy = new BenchContext(vertx, cluster, token, options, databaseDir);
        heavy.profile(profile);
        results.put("fanout", phase("fan-out", () -> FanOut.run(heavy)));
        results.put("idleSockets", phase("idle sockets", () -> IdleSockets.run(heavy)));
        results.put("deleteRecByFilter", phase("deleteRec", () -> DeleteRecByFilter.run(heavy)));
        heavy.close();
    }

    private static void printIdle(JsonObject i) {
        System.out.printf("idle sockets %d         %s heap and %s RSS per session on node 1 (%d records each); %d subscriptions/s%n",
                i.getInteger("sockets"), kb(i.getDouble("heap_kb_per_session")), kb(i.getDouble("rss_kb_per_session")),
                i.getInteger("records_per_socket"), i.getLong("subscriptions_per_s"));
        System.out.printf("  heap committed per session %s (what the RSS holds besides live objects)%n",
                kb(i.getDouble("heap_committed_kb_per_session")));
        JsonObject top = i.getJsonObject("top_classes_bytes_per_session");
        if (top != null && !top.isEmpty()) {
            System.out.println("  live bytes per session by class: " + top.stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
        }
    }

    private <T> T phase(String name, java.util.function.Supplier<T> run) {
        return profile == null ? run.get() : profile.phase(name, run);
    }

    /**
     * {@code --only deleteRec}: the scenario with the log, then on a second set of nodes without it (same
     * build, same database), for the log's share of the time.
     */
    private void measureDeleteRec(String token, BenchContext bench, JsonObject results) {
        results.put("deleteRecByFilter", phase("deleteRec", () -> DeleteRecByFilter.run(bench)));
        bench.close();
        System.out.println("starting " + options.get("nodes") + " more nodes with HERALD_NOTIFICATION_LOG=false (same build, "
                + "same database), for the log's share ...");
        try (LocalCluster second = startWithoutLog()) {
            awaitCluster(second);
            BenchContext without = new BenchContext(vertx, second, token, options, databaseDir);
            results.put("deleteRecByFilterWithoutLog", DeleteRecByFilter.run(without));
            without.close();
        }
    }

    /** The second set of nodes: its own ports and Hazelcast cluster, the first set's database and secret. */
    private LocalCluster startWithoutLog() {
        try {
            Path data = Files.createDirectories(dir.resolve("without-log"));
            HeraldConfig config = HeraldConfig.fromEnv(Map.of("HERALD_DATA_DIR", data.toString(), "HERALD_JWT_SECRET", secret,
                    "HERALD_CLUSTER_NAME", "herald-bench-" + UUID.randomUUID(), "HERALD_DEMO_DATA", "false",
                    "HERALD_PG_URL", cluster.pgUrl()));
            int count = options.get("nodes");
            int firstPort = freeRange(count, cluster.ports());
            withoutLog = LocalCluster.start(config, count, firstPort, with(nodeEnv,
                    "HERALD_CLUSTER_PORT", String.valueOf(freePort()), "HERALD_NOTIFICATION_LOG", "false"), false, nodesC1);
            return withoutLog;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A first port P such that P … P+count-1 can all be listened on now and none is in {@code taken}
     * (ports next to a free one may be in use: after the fan-out, many local ports are).
     */
    private static int freeRange(int count, List<Integer> taken) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int first = freePort();
            boolean free = true;
            for (int p = first; p < first + count && free; p++) {
                free = !taken.contains(p) && listenable(p);
            }
            if (free) {
                return first;
            }
        }
        throw new ConfigException("no " + count + " consecutive free ports found for the bench's nodes");
    }

    private static boolean listenable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, String> with(Map<String, String> env, String... more) {
        Map<String, String> all = new HashMap<>(env);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        return all;
    }

    /** Until every node answers /health with all of its set as members; fails at once if a node ended. */
    private void awaitCluster(LocalCluster nodes) {
        List<Integer> ports = nodes.ports();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        WebClient probe = WebClient.create(vertx);
        for (int port : ports) {
            while (true) {
                try {
                    HttpResponse<Buffer> r = probe.get(port, "127.0.0.1", "/health").send().await(2, TimeUnit.SECONDS);
                    if (r.statusCode() == 200 && r.bodyAsJsonObject().getJsonObject("cluster").getInteger("members") == ports.size()) {
                        break;
                    }
                } catch (Exception e) {
                    // not up yet
                }
                List<Process> processes = nodes.nodes();
                for (int i = 0; i < processes.size(); i++) {
                    if (!processes.get(i).isAlive()) {
                        throw new ConfigException("bench node " + (i + 1) + " (port " + ports.get(i) + ") ended with status "
                                + processes.get(i).exitValue() + " before the cluster came up");
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new ConfigException("the bench cluster (ports " + ports + ") did not come up within 180 s");
                }
                BenchContext.sleep(250);
            }
        }
        probe.close();
    }

    private static void print(JsonObject r) {
        if (r.containsKey("idleSockets") && !r.containsKey("throughput")) {
            printIdle(r.getJsonObject("idleSockets"));
            return;
        }
        if (!r.containsKey("throughput")) {
            printDeleteRec(r);
            return;
        }
        JsonObject t = r.getJsonObject("throughput");
        JsonObject p = r.getJsonObject("pacedLatency");
        JsonObject f = r.getJsonObject("fanout");
        JsonObject d = r.getJsonObject("deleteRecByFilter");
        System.out.println();
        System.out.printf("destroy throughput      %6d /s over HTTP (N=%d, C=%d, S=%d, %d nodes)%n", t.getLong("destroys_per_s"),
                t.getInteger("records"), t.getInteger("concurrency"), t.getInteger("subscribers"), r.getInteger("nodes"));
        JsonObject raw = r.getJsonObject("rawDelete");
        System.out.printf("raw PostgreSQL DELETE   %6d /s (same database, same concurrency); CPU per delete: postgresql %.2f, driver %.2f ms%n",
                raw.getLong("deletes_per_s"), raw.getDouble("postgresql_cpu_ms_per_delete"), raw.getDouble("driver_cpu_ms_per_delete"));
        System.out.printf("Herald / raw            %6.3f%n", r.getDouble("herald_over_raw"));
        System.out.printf("HTTP latency            %s%n", latencies(t.getJsonObject("http_latency")));
        System.out.printf("notification latency    %s (cross-node, under full load)%n", latencies(t.getJsonObject("notification_latency")));
        System.out.printf("lost / duplicate        %d / %d%n", t.getLong("lost_notifications"), t.getLong("duplicate_notifications"));
        System.out.printf("transactions            %d for %d destroys (%.1f destroys each), %d notification log positions%n",
                t.getLong("write_transactions"), t.getInteger("records"), t.getDouble("destroys_per_transaction"),
                t.getLong("log_positions_taken"));
        System.out.printf("server CPU per destroy  %.2f ms (all nodes); by process: %s%n", t.getDouble("server_cpu_ms_per_destroy"),
                byProcess(t));
        System.out.printf("node CPU by thread      %s%n", byThread(t));
        System.out.printf("at %d destroys/s         notification %s, lost %d, dup %d%n", p.getInteger("target_rate_per_s"),
                latencies(p.getJsonObject("notification_latency")), p.getLong("lost_notifications"), p.getLong("duplicate_notifications"));
        System.out.printf("  HTTP p99 / max by second %s ms%n", bySecond(p));
        System.out.printf("  PostgreSQL meanwhile     %s%n", DatabaseBackground.describe(p.getJsonObject("database_background")));
        System.out.printf("  raw DELETE, same rate    %s (PostgreSQL and the machine alone); meanwhile %s%n",
                latencies(p.getJsonObject("raw_delete").getJsonObject("latency")),
                DatabaseBackground.describe(p.getJsonObject("raw_delete").getJsonObject("database_background")));
        if (f != null) { // not with --only log
            System.out.printf("fan-out %d sockets    last destroyed after %.1f ms, lost %d, dup %d%n", f.getInteger("sockets"),
                    f.getDouble("last_delivery_ms"), f.getLong("lost_notifications"), f.getLong("duplicate_notifications"));
            printIdle(r.getJsonObject("idleSockets"));
            System.out.printf("deleteRec by filter     %d points under one equip, %d sockets: median end to end %.1f ms, "
                            + "HTTP response %.1f ms%n", d.getInteger("entities"), d.getInteger("sockets"),
                    d.getDouble("median_end_to_end_ms"), d.getDouble("median_http_response_ms"));
        }
        printLogCost(r.getJsonObject("notificationLog"));
    }

    private static String kb(Double value) {
        return value == null ? "(unavailable)" : String.format("%.1f KB", value);
    }

    private static void printDeleteRec(JsonObject r) {
        System.out.println();
        for (String set : List.of("deleteRecByFilter", "deleteRecByFilterWithoutLog")) {
            JsonObject d = r.getJsonObject(set);
            System.out.printf("deleteRec by filter, %s: %d points under one equip, %d sockets on %d nodes: median end to end "
                            + "%.1f ms, HTTP response %.1f ms (rounds: %s)%n", set.endsWith("WithoutLog") ? "log off" : "log on ",
                    d.getInteger("entities"), d.getInteger("sockets"), d.getInteger("nodes"), d.getDouble("median_end_to_end_ms"),
                    d.getDouble("median_http_response_ms"), d.getJsonArray("rounds").stream()
                            .map(o -> String.valueOf(((JsonObject) o).getDouble("end_to_end_ms")))
                            .collect(Collectors.joining(" / ")));
        }
    }

    /** The notification log's cost: the same destroys on the nodes with the log and on those without it, in turns. */
    private static void printLogCost(JsonObject c) {
        JsonObject targets = c.getJsonObject("targets");
        JsonObject full = c.getJsonObject("notification_latency_full_load");
        JsonObject paced = c.getJsonObject("notification_latency_paced");
        JsonObject wt = c.getJsonObject("with_log").getJsonObject("throughput");
        JsonObject wp = c.getJsonObject("with_log").getJsonObject("pacedLatency");
        JsonObject ot = c.getJsonObject("without_log").getJsonObject("throughput");
        JsonObject op = c.getJsonObject("without_log").getJsonObject("pacedLatency");
        System.out.println();
        System.out.printf("notification log's cost: the same build as two sets of nodes on the same database, with the log and "
                + "without it (HERALD_NOTIFICATION_LOG=false), driven in alternating rounds (%d each)%n", c.getInteger("rounds_per_set"));
        System.out.printf("destroy throughput      with log %d /s, without log %d /s: ratio with / without %.3f (target >= %.2f: %s); "
                        + "by round pair %s%n",
                c.getLong("with_log_destroys_per_s"), c.getLong("without_log_destroys_per_s"), c.getDouble("throughput_ratio"),
                targets.getDouble("throughput_ratio_at_least"), met(targets.getBoolean("throughput_met")),
                c.getJsonArray("throughput_ratio_by_round_pair").encode());
        System.out.printf("notification, full load with log p50 %.1f / p99 %.1f ms, without log p50 %.1f / p99 %.1f ms: "
                        + "p50 difference %+.1f ms (target <= +%.0f ms: %s)%n",
                full.getDouble("with_log_p50_ms"), full.getDouble("with_log_p99_ms"), full.getDouble("without_log_p50_ms"),
                full.getDouble("without_log_p99_ms"), full.getDouble("p50_increase_ms"), targets.getDouble("p50_increase_at_most_ms"),
                met(targets.getBoolean("p50_full_load_met")));
        System.out.printf("notification, %d/s     with log p50 %.1f / p99 %.1f ms, without log p50 %.1f / p99 %.1f ms: "
                        + "p50 difference %+.1f ms (target <= +%.0f ms: %s)%n", paced.getInteger("target_rate_per_s"),
                paced.getDouble("with_log_p50_ms"), paced.getDouble("with_log_p99_ms"), paced.getDouble("without_log_p50_ms"),
                paced.getDouble("without_log_p99_ms"), paced.getDouble("p50_increase_ms"), targets.getDouble("p50_increase_at_most_ms"),
                met(targets.getBoolean("p50_paced_met")));
        System.out.printf("HTTP latency p50 / p99  full load: with log %.1f / %.1f, without log %.1f / %.1f ms; paced: with log "
                        + "%.1f / %.1f, without log %.1f / %.1f ms%n",
                p50(wt, "http_latency"), p99(wt, "http_latency"), p50(ot, "http_latency"), p99(ot, "http_latency"),
                p50(wp, "http_latency"), p99(wp, "http_latency"), p50(op, "http_latency"), p99(op, "http_latency"));
        System.out.printf("server CPU per destroy  with log %.2f ms (%s); without log %.2f ms (%s)%n",
                wt.getDouble("server_cpu_ms_per_destroy"), byProcess(wt), ot.getDouble("server_cpu_ms_per_destroy"), byProcess(ot));
        System.out.printf("transactions            with log %.1f destroys each, %d log positions; without log %.1f destroys each, "
                        + "%d log positions%n", wt.getDouble("destroys_per_transaction"), wt.getLong("log_positions_taken"),
                ot.getDouble("destroys_per_transaction"), ot.getLong("log_positions_taken"));
        System.out.printf("lost / duplicate        with log %d / %d, without log %d / %d (full load and paced)%n",
                wt.getLong("lost_notifications") + wp.getLong("lost_notifications"),
                wt.getLong("duplicate_notifications") + wp.getLong("duplicate_notifications"),
                ot.getLong("lost_notifications") + op.getLong("lost_notifications"),
                ot.getLong("duplicate_notifications") + op.getLong("duplicate_notifications"));
    }

    private static double p50(JsonObject phase, String latency) {
        return phase.getJsonObject(latency).getDouble("p50_ms");
    }

    private static double p99(JsonObject phase, String latency) {
        return phase.getJsonObject(latency).getDouble("p99_ms");
    }

    private static String byProcess(JsonObject throughput) {
        return throughput.getJsonObject("cpu_ms_per_destroy").stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")) + " ms";
    }

    /** {@code node 1: event loops 0.2, GC 0.03, ...; node 2: ...} in ms per destroy; nothing where /proc has no threads. */
    private static String byThread(JsonObject throughput) {
        JsonObject nodes = throughput.getJsonObject("node_cpu_ms_per_destroy_by_thread");
        return nodes.stream().map(node -> node.getKey() + ": " + ((JsonObject) node.getValue()).stream()
                        .map(kind -> kind.getKey() + " " + kind.getValue()).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("; ")) + " ms";
    }

    /** {@code 12.1/20.3, 8.0/9.9, ...}: the paced destroys' HTTP p99 and maximum, second by second. */
    private static String bySecond(JsonObject paced) {
        JsonArray p99 = paced.getJsonArray("http_p99_ms_by_second", new JsonArray());
        JsonArray max = paced.getJsonArray("http_max_ms_by_second", new JsonArray());
        return java.util.stream.IntStream.range(0, p99.size()).mapToObj(i -> p99.getValue(i) + "/" + max.getValue(i))
                .collect(Collectors.joining(", "));
    }

    private static String met(boolean met) {
        return met ? "met" : "NOT MET";
    }

    private static String latencies(JsonObject s) {
        return String.format("p50 %.1f / p95 %.1f / p99 %.1f / max %.1f ms", s.getDouble("p50_ms"), s.getDouble("p95_ms"),
                s.getDouble("p99_ms"), s.getDouble("max_ms"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return Math.min(socket.getLocalPort(), 64_000);
        }
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage("--" + name + " must be a positive whole number");
    }

    private static ConfigException usage(String problem) {
        return new ConfigException(problem + "; usage: bench [--records 5000] [--concurrency 32] [--subscribers 4] "
                + "[--paced 3000] [--rate 1000] [--fanout 10000] [--idle 10000] [--entities 10000] [--nodes 3] [--warmup 10000] "
                + "[--rounds 16] [--logRecords 20000] [--deleteRecRounds 3] [--only deleteRec|idle|log] [--jvm c1|default] [--profile 1] [--out target/bench-results.json]");
    }
}
