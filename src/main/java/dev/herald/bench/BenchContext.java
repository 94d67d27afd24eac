package dev.herald.bench;

import dev.herald.cluster.LocalCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What every bench phase works with: the running local cluster, the token, the options and the
 * driver's clients (a web client, a plain HTTP client for destroys, a pool straight to PostgreSQL),
 * sized to the concurrency; and the steps phases share: seeding ponies, one destroy, bounded waits.
 * Every wait is bounded in time.
 */
final class BenchContext {
    private final Vertx vertx;
    private final LocalCluster cluster;
    private final List<Integer> ports;
    private final String token;
    private final Map<String, Integer> options;
    private final WebClient http;
    private final HttpClient destroys;
    private final Pool sql;
    private final java.util.Optional<String> databaseDir;
    private Profile profile;

    /** {@code databaseDir}: the embedded PostgreSQL's data directory (empty with {@code HERALD_PG_URL}). */
    BenchContext(Vertx vertx, LocalCluster cluster, String token, Map<String, Integer> options,
                 java.util.Optional<String> databaseDir) {
        this.databaseDir = databaseDir;
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

    Vertx vertx() {
        return vertx;
    }

    /** With {@code --profile 1}: the nodes' CPU samples of {@link #phase} calls are counted apart. */
    void profile(Profile profile) {
        this.profile = profile;
    }

    /** Runs a part of a measured phase that the profile should show on its own (the timed request of a scenario). */
    <T> T phase(String name, java.util.function.Supplier<T> run) {
        return profile == null ? run.get() : profile.phase(name, run);
    }

    int option(String name) {
        return options.get(name);
    }

    String token() {
        return token;
    }

    /** The HTTP port of every node; the first node takes the destroys. */
    List<Integer> ports() {
        return ports;
    }

    List<Process> nodes() {
        return cluster.nodes();
    }

    java.util.Optional<String> databaseDir() {
        return databaseDir;
    }

    WebClient http() {
        return http;
    }

    Pool sql() {
        return sql;
    }

    /** Subscribers sit on the nodes that do not take the destroys (on the only node, with one). */
    List<Integer> remoteNodes() {
        return ports.size() == 1 ? ports : ports.subList(1, ports.size());
    }

    /**
     * N ponies, each with one toy, inserted straight into PostgreSQL; returns their ids. The two tables
     * are analyzed afterwards, so every phase runs with current statistics: the bench's database is
     * new, and autovacuum looks at it only once a minute, so without it the first phases ran on tables
     * never analyzed (measured: the batch's child update then scanned all of {@code toy}, 4.1 ms a batch
     * instead of 0.6, until autovacuum came by in the middle of the run, which made later phases faster
     * for a reason of their own).
     */
    List<Long> seed(int count) {
        List<Long> ids = new ArrayList<>();
        sql.preparedQuery("INSERT INTO pony (\"createdAt\", \"updatedAt\", name) SELECT 0, 0, 'p' || g FROM generate_series(1, $1) g RETURNING id")
                .execute(Tuple.of(count)).await().forEach(r -> ids.add(r.getLong(0)));
        sql.preparedQuery("INSERT INTO toy (\"createdAt\", \"updatedAt\", label, owner) SELECT 0, 0, 't', id FROM unnest($1::bigint[]) id")
                .execute(Tuple.of((Object) ids.toArray(Long[]::new))).await();
        sql.query("ANALYZE pony, toy").execute().await();
        return ids;
    }

    /**
     * {@code DELETE /pony/:id} on the first node with the plain HTTP client (the driver shares the
     * machine, so it spends as little as it can); the status, once the body has arrived.
     */
    Future<Integer> destroy(long id) {
        return destroys.request(HttpMethod.DELETE, ports.get(0), "127.0.0.1", "/pony/" + id)
                .compose(request -> request.putHeader("Authorization", "Bearer " + token).send())
                .compose(response -> response.end().map(v -> response.statusCode()));
    }

    /** The log's last position taken (its sequence's value): the difference of two is how many were taken in between. */
    long logPosition() {
        return sql.query("SELECT last_value FROM herald_log_seq").execute().await().iterator().next().getLong(0);
    }

    /** Closes the driver's clients (the cluster is not this context's to stop). */
    void close() {
        http.close();
        destroys.close().await();
        sql.close().await();
    }

    /**
     * Calls {@code send} with 0, 1, ... {@code count - 1} at {@code rate} a second from now, catching up each
     * millisecond; call it on a Vert.x context. Returns the timer, which cancels itself after the last.
     */
    static long pace(io.vertx.core.Vertx vertx, int count, int rate, java.util.function.IntConsumer send) {
        long start = System.nanoTime();
        int[] next = {0};
        return vertx.setPeriodic(1, timer -> {
            long due = Math.min(count, (System.nanoTime() - start) * rate / 1_000_000_000L);
            while (next[0] < due) {
                send.accept(next[0]++);
            }
            if (next[0] >= count) {
                vertx.cancelTimer(timer);
            }
        });
    }

    static void awaitBounded(Future<Void> done) {
        try {
            done.await(10, TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("a bench phase did not finish within 10 minutes");
        }
    }

    static void awaitDeliveries(Subscribers subscribers, long expected) {
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
