package dev.herald.testing;

import dev.herald.config.PgUrl;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL server of a test JVM: the one named by {@code HERALD_PG_URL}, or an embedded one
 * started once. Each caller of {@link #freshDatabase()} gets a database of its own on it.
 */
public final class TestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static PgConnectOptions server;

    private TestDatabase() {
    }

    private static synchronized PgConnectOptions server() {
        if (server == null) {
            String url = System.getenv("HERALD_PG_URL");
            if (url != null && !url.isBlank()) {
                server = PgUrl.parse(url, "HERALD_PG_URL");
            } else {
                try {
                    EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            pg.close();
                        } catch (IOException ignored) {
                            // the JVM is exiting; the temporary cluster directory is removed by zonky
                        }
                    }));
                    server = new PgConnectOptions().setHost("127.0.0.1").setPort(pg.getPort())
                            .setDatabase("postgres").setUser("postgres").setPassword("postgres");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return new PgConnectOptions(server);
    }

    /** Runs one statement on the test server's maintenance database. */
    public static void admin(String statement) {
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = PgBuilder.pool().connectingTo(server()).using(vertx).build();
            pool.query(statement).execute().await();
            pool.close().await();
        } finally {
            vertx.close().await();
        }
    }

    /** The {@code HERALD_PG_URL} form of a database on the test server, for nodes in other processes. */
    public static String url(PgConnectOptions options) {
        return "postgresql://" + options.getUser() + ":" + options.getPassword() + "@" + options.getHost() + ":"
                + options.getPort() + "/" + options.getDatabase();
    }

    /** A new, empty database on the test server. */
    public static PgConnectOptions freshDatabase() {
        PgConnectOptions admin = server();
        String name = "herald_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        admin("CREATE DATABASE " + name);
        return new PgConnectOptions(admin).setDatabase(name);
    }
}
