package dev.herald.bench;

import dev.herald.cluster.LocalCluster;
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
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The measured phases of the bench, against a running local cluster: warm-up, throughput over HTTP,
 * the raw DELETE rate of the same database, paced latency, fan-out and deleteRec by filter. Each
 * returns its figures as JSON; every loop is bounded in count and time.
 */
final class Scenarios {
    private final Vertx vertx;
    private final LocalCluster cluster;
    private final List<Integer> ports;
    private final String token;
    private final Map<String, Integer> options;
    private final WebClient http;
    private final HttpClient destroys;
    private final Pool sql;

    Scenarios(Vertx vertx, LocalCluster cluster, String token, Map<String, Integer> options) {
        this.vertx = vertx;
        this.cluster = cluster;
        this.ports = cluster.ports();
        this.token = token;
        this.options = options;
        this.http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(options.get("concurrency")));
        this.destroys = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(options.get("concurrency")));
        this.sql = PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(options.get("concurrency")))
                .connectingTo(cluster.connectOptions()).using(vertx).build();
    }

    /** Every phase, in order, into {@code results}. */
    void runAll(JsonObject results) {
        warmUp();
        results.put("throughput", throughput(cluster.nodes()));
        results.put("rawDelete", rawDeletes(cluster.nodes()));
        double ratio = results.getJsonObject("throughput").getDouble("destroys_per_s")
                / results.getJsonObject("rawDelete").getDouble("deletes_per_s");
        results.put("herald_over_raw", Math.round(ratio * 1000) / 1000.0);
        results.put("pacedLatency", paced());
        results.put("fanout", fanout());
        results.put("deleteRecByFilter", deleteRec());
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

    static void awaitBounded(Future<Void> done) {
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

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
