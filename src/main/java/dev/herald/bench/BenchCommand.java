package dev.herald.bench;

import dev.herald.cluster.LocalCluster;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@code bench}: starts PostgreSQL and three clustered nodes, then measures destroy throughput and
 * latency against the database's own single-row DELETE rate, cross-node notification latency at
 * 1,000 destroys/s, a 10,000-socket fan-out and a 10,000-entity deleteRec by filter. Prints the
 * figures and writes them as JSON. Every loop is bounded in count and time; everything it starts, it
 * stops.
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

    private final Map<String, Integer> options = new HashMap<>(Map.of(
            "records", 5000, "concurrency", 32, "subscribers", 4, "paced", 3000, "rate", 1000,
            "fanout", 10_000, "entities", 10_000, "nodes", 3, "warmup", 10_000));
    private Path out = Path.of("target", "bench-results.json");
    private Vertx vertx;
    private WebClient http;
    private HttpClient destroys;
    private String token;
    private List<Integer> ports;
    private Pool sql;
    private volatile LocalCluster cluster;

    /**
     * The driver shares the machine with the nodes and PostgreSQL, so, like the nodes, it runs with the
     * C1 compiler only: started without it, the command runs itself again in a JVM that has it, with the
     * same JVM options (measured: the driver's CPU per destroy drops from ~0.45 to ~0.15 ms, left to the
     * system under test).
     */
    public static int run(HeraldConfig config, List<String> args) throws IOException {
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
        String secret = UUID.randomUUID() + "-" + UUID.randomUUID();
        HeraldConfig config = HeraldConfig.fromEnv(Map.of("HERALD_DATA_DIR", dir.toString(), "HERALD_JWT_SECRET", secret,
                "HERALD_CLUSTER_NAME", "herald-bench-" + UUID.randomUUID(), "HERALD_DEMO_DATA", "false",
                "HERALD_PG_URL", base.pgUrl().orElse("")));
        int firstPort = freePort();
        System.out.println("starting PostgreSQL and " + options.get("nodes") + " nodes ...");
        LocalCluster started = LocalCluster.start(config, options.get("nodes"), firstPort, Map.of(
                "HERALD_MODELS", models.toString(), "HERALD_HTTP_HOST", "127.0.0.1",
                "HERALD_CLUSTER_PORT", String.valueOf(freePort())), false);
        cluster = started;
        try (started) {
            vertx = Vertx.vertx();
            try {
                ports = cluster.ports();
                awaitCluster();
                token = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
                        .setBuffer(secret))).generateToken(new JsonObject().put("permissions", new JsonArray().add("*:*")),
                        new JWTOptions().setExpiresInSeconds(3600).setSubject("bench"));
                http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
                        new PoolOptions().setHttp1MaxSize(options.get("concurrency")));
                destroys = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                        new PoolOptions().setHttp1MaxSize(options.get("concurrency")));
                sql = PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(options.get("concurrency")))
                        .connectingTo(cluster.connectOptions()).using(vertx).build();
                JsonObject results = new JsonObject()
                        .put("date", LocalDate.now().toString())
                        .put("machine", Runtime.getRuntime().availableProcessors() + " cores, "
                                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB max heap for the driver")
                        .put("nodes", options.get("nodes"))
                        .put("database", cluster.databaseDescription());
                warmUp();
                results.put("throughput", throughput(cluster.nodes()));
                results.put("rawDelete", rawDeletes(cluster.nodes()));
                double ratio = results.getJsonObject("throughput").getDouble("destroys_per_s")
                        / results.getJsonObject("rawDelete").getDouble("deletes_per_s");
                results.put("herald_over_raw", Math.round(ratio * 1000) / 1000.0);
                results.put("pacedLatency", paced());
                results.put("fanout", fanout());
                results.put("deleteRecByFilter", deleteRec());
                print(results);
                Files.createDirectories(out.toAbsolutePath().getParent());
                Files.writeString(out, results.encodePrettily());
                System.out.println("results written to " + out);
                return 0;
            } finally {
                vertx.close().await();
            }
        }
    }

    private void awaitCluster() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
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
                if (System.nanoTime() > deadline) {
                    throw new ConfigException("the bench cluster did not come up within 120 s");
                }
                sleep(250);
            }
        }
        probe.close();
    }

    /** Subscribers sit on the nodes that do not take the destroys (on the only node, with one). */
    private List<Integer> remoteNodes() {
        return ports.size() == 1 ? ports : ports.subList(1, ports.size());
    }

    /** N ponies, each with one toy, inserted straight into PostgreSQL; returns their ids. */
    private List<Long> seed(int count) {
        List<Long> ids = new ArrayList<>();
        sql.preparedQuery("INSERT INTO pony (\"createdAt\", \"updatedAt\", name) SELECT 0, 0, 'p' || g FROM generate_series(1, $1) g RETURNING id")
                .execute(Tuple.of(count)).await().forEach(r -> ids.add(r.getLong(0)));
        sql.preparedQuery("INSERT INTO toy (\"createdAt\", \"updatedAt\", label, owner) SELECT 0, 0, 't', id FROM unnest($1::bigint[]) id")
                .execute(Tuple.of((Object) ids.toArray(Long[]::new))).await();
        return ids;
    }

    /** A new transaction id: the difference of two is the number of writing transactions in between, plus one. */
    private long transactionId() {
        return sql.query("SELECT txid_current()").execute().await().iterator().next().getLong(0);
    }

    /**
     * Unmeasured destroys first, with subscribers as in the throughput phase, so every node's JIT has
     * compiled its part (the destroy path, the delivery path) before anything is timed.
     */
    private void warmUp() {
        List<Long> ids = seed(options.get("warmup"));
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Subscribers subscribers = new Subscribers(vertx, sentAt);
        subscribers.open(options.get("subscribers"), remoteNodes(), token, ids);
        drive(ids, options.get("concurrency"), 0, sentAt, new Stats());
        awaitDeliveries(subscribers, (long) ids.size() * options.get("subscribers"));
        subscribers.close();
    }

    private JsonObject throughput(List<Process> nodes) {
        int n = options.get("records");
        List<Long> ids = seed(n);
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Subscribers subscribers = new Subscribers(vertx, sentAt);
        subscribers.open(options.get("subscribers"), remoteNodes(), token, ids);
        CpuMeter cpu = CpuMeter.start(nodes);
        long xidBefore = transactionId();
        Stats httpLatency = new Stats();
        long start = System.nanoTime();
        int failed = drive(ids, options.get("concurrency"), 0, sentAt, httpLatency);
        long elapsed = System.nanoTime() - start;
        Map<String, Double> cpuPerDestroy = cpu.perOperation(n);
        long transactions = transactionId() - xidBefore - 1;
        awaitDeliveries(subscribers, (long) n * options.get("subscribers"));
        JsonObject result = new JsonObject()
                .put("records", n).put("concurrency", options.get("concurrency")).put("subscribers", options.get("subscribers"))
                .put("destroys_per_s", Math.round(n / Stats.seconds(elapsed)))
                .put("failed", failed)
                .put("http_latency", httpLatency.summary())
                .put("notification_latency", subscribers.latency().summary())
                .put("lost_notifications", (long) n * options.get("subscribers") - subscribers.received())
                .put("duplicate_notifications", subscribers.duplicates())
                .put("server_cpu_ms_per_destroy", Math.round(cpuPerDestroy.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("node")).mapToDouble(Map.Entry::getValue).sum() * 100) / 100.0)
                .put("cpu_ms_per_destroy", new JsonObject(new LinkedHashMap<>(cpuPerDestroy)))
                .put("write_transactions", transactions)
                .put("destroys_per_transaction", Math.round(n * 10.0 / Math.max(1, transactions)) / 10.0);
        subscribers.close();
        return result;
    }

    /**
     * Destroys every id over HTTP on the first node, {@code concurrency} at a time; with a positive
     * {@code rate}, paced to that many per second instead. Returns how many did not answer 200.
     */
    private int drive(List<Long> ids, int concurrency, int rate, Map<Long, Long> sentAt, Stats latency) {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Promise<Void> done = Promise.promise();
        AtomicInteger finished = new AtomicInteger();
        Function<Long, Future<Integer>> destroy = id -> {
            long t = System.nanoTime();
            sentAt.put(id, t);
            return destroy(id).onComplete(ar -> {
                latency.add(System.nanoTime() - t);
                if (ar.failed() || ar.result() != 200) {
                    failed.incrementAndGet();
                }
                if (finished.incrementAndGet() == ids.size()) {
                    done.tryComplete();
                }
            });
        };
        vertx.runOnContext(v -> {
            if (rate > 0) {
                long start = System.nanoTime();
                long periodic = vertx.setPeriodic(1, timer -> {
                    long due = Math.min(ids.size(), (System.nanoTime() - start) * rate / 1_000_000_000L);
                    while (next.get() < due) {
                        destroy.apply(ids.get(next.getAndIncrement()));
                    }
                    if (next.get() >= ids.size()) {
                        vertx.cancelTimer(timer);
                    }
                });
                done.future().onComplete(x -> vertx.cancelTimer(periodic));
                return;
            }
            for (int w = 0; w < concurrency; w++) {
                worker(ids, next, destroy);
            }
        });
        awaitBounded(done.future());
        return failed.get();
    }

    /**
     * {@code DELETE /pony/:id} on the first node with the plain HTTP client (the driver shares the
     * machine, so it spends as little as it can); the status, once the body has arrived.
     */
    private Future<Integer> destroy(long id) {
        return destroys.request(HttpMethod.DELETE, ports.get(0), "127.0.0.1", "/pony/" + id)
                .compose(request -> request.putHeader("Authorization", "Bearer " + token).send())
                .compose(response -> response.end().map(v -> response.statusCode()));
    }

    private void worker(List<Long> ids, AtomicInteger next, Function<Long, Future<Integer>> destroy) {
        int i = next.getAndIncrement();
        if (i < ids.size()) {
            destroy.apply(ids.get(i)).onComplete(ar -> worker(ids, next, destroy));
        }
    }

    /** The same number of single-row DELETEs issued straight to PostgreSQL at the same concurrency. */
    private JsonObject rawDeletes(List<Process> nodes) {
        int n = options.get("records");
        int concurrency = options.get("concurrency");
        sql.query("DROP TABLE IF EXISTS bench_raw").execute().await();
        sql.query("CREATE TABLE bench_raw (id bigint PRIMARY KEY, name text)").execute().await();
        sql.preparedQuery("INSERT INTO bench_raw SELECT g, 'p' || g FROM generate_series(1, $1) g").execute(Tuple.of(n)).await();
        AtomicInteger next = new AtomicInteger(1);
        Promise<Void> done = Promise.promise();
        AtomicInteger finished = new AtomicInteger();
        CpuMeter cpu = CpuMeter.start(nodes);
        long start = System.nanoTime();
        vertx.runOnContext(v -> {
            for (int w = 0; w < concurrency; w++) {
                rawWorker(n, next, finished, done);
            }
        });
        awaitBounded(done.future());
        long elapsed = System.nanoTime() - start;
        Map<String, Double> cpuPerDelete = cpu.perOperation(n);
        sql.query("DROP TABLE bench_raw").execute().await();
        return new JsonObject().put("statement", "DELETE FROM bench_raw WHERE id = $1").put("concurrency", concurrency)
                .put("deletes_per_s", Math.round(n / Stats.seconds(elapsed)))
                .put("postgresql_cpu_ms_per_delete", cpuPerDelete.get("postgresql"))
                .put("driver_cpu_ms_per_delete", cpuPerDelete.get("driver"));
    }

    private void rawWorker(int n, AtomicInteger next, AtomicInteger finished, Promise<Void> done) {
        int id = next.getAndIncrement();
        if (id > n) {
            return;
        }
        sql.preparedQuery("DELETE FROM bench_raw WHERE id = $1").execute(Tuple.of((long) id)).onComplete(ar -> {
            if (finished.incrementAndGet() == n) {
                done.tryComplete();
            }
            rawWorker(n, next, finished, done);
        });
    }

    private JsonObject paced() {
        int n = options.get("paced");
        int rate = options.get("rate");
        List<Long> ids = seed(n);
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Subscribers subscribers = new Subscribers(vertx, sentAt);
        subscribers.open(options.get("subscribers"), remoteNodes(), token, ids);
        Stats httpLatency = new Stats();
        long start = System.nanoTime();
        int failed = drive(ids, 0, rate, sentAt, httpLatency);
        long elapsed = System.nanoTime() - start;
        awaitDeliveries(subscribers, (long) n * options.get("subscribers"));
        JsonObject result = new JsonObject().put("records", n).put("target_rate_per_s", rate)
                .put("achieved_rate_per_s", Math.round(n / Stats.seconds(elapsed))).put("failed", failed)
                .put("http_latency", httpLatency.summary())
                .put("notification_latency", subscribers.latency().summary())
                .put("lost_notifications", (long) n * options.get("subscribers") - subscribers.received())
                .put("duplicate_notifications", subscribers.duplicates());
        subscribers.close();
        return result;
    }

    private JsonObject fanout() {
        int sockets = options.get("fanout");
        List<Long> ids = seed(1);
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Subscribers subscribers = new Subscribers(vertx, sentAt);
        long openStart = System.nanoTime();
        subscribers.open(sockets, ports, token, ids);
        long opened = System.nanoTime() - openStart;
        long sent = System.nanoTime();
        sentAt.put(ids.get(0), sent);
        int status = destroy(ids.get(0)).await();
        awaitDeliveries(subscribers, sockets);
        JsonObject result = new JsonObject().put("sockets", sockets).put("nodes", ports.size()).put("status", status)
                .put("subscribe_all_s", Math.round(Stats.seconds(opened) * 10) / 10.0)
                .put("last_delivery_ms", Stats.millis(subscribers.lastArrival() - sent))
                .put("delivery_latency", subscribers.latency().summary())
                .put("lost_notifications", sockets - subscribers.received())
                .put("duplicate_notifications", subscribers.duplicates());
        subscribers.close();
        return result;
    }

    private JsonObject deleteRec() {
        int n = options.get("entities");
        for (int from = 0; from < n; from += 1000) {
            JsonArray rows = new JsonArray();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                rows.add(new JsonObject().put("bench", "m:").put("point", "m:").put("curVal", "n:" + i + " °F"));
            }
            JsonObject grid = new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                    .put("cols", new JsonArray().add(new JsonObject().put("name", "bench")).add(new JsonObject().put("name", "point"))
                            .add(new JsonObject().put("name", "curVal")))
                    .put("rows", rows);
            HttpResponse<Buffer> created = haystack("createRec", grid);
            if (created.statusCode() != 200) {
                throw new IllegalStateException("createRec failed: " + created.bodyAsString());
            }
        }
        JsonObject request = new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                .put("cols", new JsonArray().add(new JsonObject().put("name", "filter")))
                .put("rows", new JsonArray().add(new JsonObject().put("filter", "s:bench and point")));
        long start = System.nanoTime();
        HttpResponse<Buffer> response = haystack("deleteRec", request);
        long elapsed = System.nanoTime() - start;
        return new JsonObject().put("entities", n).put("status", response.statusCode())
                .put("deleted", response.bodyAsJsonObject().getJsonArray("rows").size())
                .put("elapsed_ms", Stats.millis(elapsed))
                .put("sql_statements", "5 in one transaction: filter SELECT ... FOR UPDATE, reverse-reference check, "
                        + "display texts, DELETE, plus BEGIN/COMMIT");
    }

    private HttpResponse<Buffer> haystack(String op, JsonObject grid) {
        return http.request(HttpMethod.POST, ports.get(0), "127.0.0.1", "/api/" + op)
                .putHeader("Authorization", "Bearer " + token).sendJsonObject(grid).await();
    }

    private static void awaitBounded(Future<Void> done) {
        try {
            done.await(10, TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("a bench phase did not finish within 10 minutes");
        }
    }

    private static void awaitDeliveries(Subscribers subscribers, long expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (subscribers.received() < expected && System.nanoTime() < deadline) {
            sleep(20);
        }
        sleep(200);
    }

    private static void print(JsonObject r) {
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
        System.out.printf("transactions            %d for %d destroys (%.1f destroys each)%n", t.getLong("write_transactions"),
                t.getInteger("records"), t.getDouble("destroys_per_transaction"));
        System.out.printf("server CPU per destroy  %.2f ms (all nodes); by process: %s%n", t.getDouble("server_cpu_ms_per_destroy"),
                t.getJsonObject("cpu_ms_per_destroy").stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(java.util.stream.Collectors.joining(", ")) + " ms");
        System.out.printf("at %d destroys/s         notification %s, lost %d, dup %d%n", p.getInteger("target_rate_per_s"),
                latencies(p.getJsonObject("notification_latency")), p.getLong("lost_notifications"), p.getLong("duplicate_notifications"));
        System.out.printf("fan-out %d sockets    last destroyed after %.1f ms, lost %d, dup %d%n", f.getInteger("sockets"),
                f.getDouble("last_delivery_ms"), f.getLong("lost_notifications"), f.getLong("duplicate_notifications"));
        System.out.printf("deleteRec by filter     %d entities in %.1f ms%n", d.getInteger("deleted"), d.getDouble("elapsed_ms"));
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
                + "[--paced 3000] [--rate 1000] [--fanout 10000] [--entities 10000] [--nodes 3] [--warmup 10000] "
                + "[--out target/bench-results.json]");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
