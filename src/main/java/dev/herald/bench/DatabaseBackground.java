package dev.herald.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What PostgreSQL did on its own while a phase ran, the usual suspects of a latency tail on a shared
 * machine: autovacuum workers (sampled from {@code pg_stat_activity} every {@value #EVERY_MS} ms, with the
 * tables they worked on) and checkpoints (the change in {@code pg_stat_bgwriter}'s counts; null where the
 * server keeps them elsewhere, as PostgreSQL 17 does).
 */
final class DatabaseBackground {
    static final long EVERY_MS = 100;

    private final Vertx vertx;
    private final Pool sql;
    private final Long checkpointsBefore;
    private final AtomicInteger samples = new AtomicInteger();
    private final AtomicInteger withAutovacuum = new AtomicInteger();
    private final Set<String> tables = new TreeSet<>();
    private final long timer;

    private DatabaseBackground(Vertx vertx, Pool sql) {
        this.vertx = vertx;
        this.sql = sql;
        this.checkpointsBefore = checkpoints(sql);
        this.timer = vertx.setPeriodic(EVERY_MS, id -> sample());
    }

    /** Starts sampling; {@link #stop()} ends it and says what was seen. */
    static DatabaseBackground watch(BenchContext bench) {
        return new DatabaseBackground(bench.vertx(), bench.sql());
    }

    private void sample() {
        sql.query("SELECT query FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'").execute().onSuccess(rows -> {
            samples.incrementAndGet();
            if (rows.size() > 0) {
                withAutovacuum.incrementAndGet();
                synchronized (tables) {
                    for (Row row : rows) {
                        String query = row.getString(0);
                        // a role without pg_read_all_stats sees "<insufficient privilege>": counted, not named
                        if (query != null && !query.isBlank() && !query.startsWith("<")) {
                            tables.add(query.replaceFirst("^autovacuum: ", ""));
                        }
                    }
                }
            }
        });
    }

    JsonObject stop() {
        vertx.cancelTimer(timer);
        Long checkpointsAfter = checkpoints(sql);
        JsonArray seen;
        synchronized (tables) {
            seen = new JsonArray(java.util.List.copyOf(tables));
        }
        return new JsonObject().put("samples", samples.get()).put("samples_with_autovacuum", withAutovacuum.get())
                .put("autovacuum", seen)
                .put("checkpoints", checkpointsBefore == null || checkpointsAfter == null ? null : checkpointsAfter - checkpointsBefore);
    }

    /** {@code autovacuum in 3 of 31 samples (VACUUM public.toy), 0 checkpoints}. */
    static String describe(JsonObject seen) {
        if (seen == null) {
            return "not measured";
        }
        JsonArray what = seen.getJsonArray("autovacuum");
        return "autovacuum in " + seen.getInteger("samples_with_autovacuum") + " of " + seen.getInteger("samples") + " samples"
                + (what.isEmpty() ? "" : " (" + String.join(", ", what.stream().map(String::valueOf).toList()) + ")")
                + ", " + (seen.getValue("checkpoints") == null ? "checkpoints unknown" : seen.getLong("checkpoints") + " checkpoints");
    }

    private static Long checkpoints(Pool sql) {
        try {
            return sql.query("SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter").execute().await()
                    .iterator().next().getLong(0);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
