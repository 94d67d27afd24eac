package dev.herald.haystack;

import dev.herald.database.Sql;
import dev.herald.haystack.json.Grid;
import dev.herald.haystack.sql.TagStorage;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Marker;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Str;
import dev.herald.notifications.NotificationLog;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Haystack watches ({@code watchSub}, {@code watchUnsub}, {@code watchPoll}), kept in PostgreSQL so
 * that any node answers any watch. A watch is a cursor into the notification log: its
 * {@code position} is the last log position a poll (or the subscribe) answered for, and a poll reports
 * the watched entities with a log entry after it, read through the log's room index
 * index in one statement, never by scanning entities. A watched entity that was deleted is reported
 * once, as its {@code id} and the marker {@code removed} (Herald's extension), and leaves the watch.
 * Each op runs in one read-committed transaction: it locks the watch's row (concurrent polls of one
 * watch take turns, rather than fail on each other), then reads the log's last position {@code p} and
 * the entities in one statement, so in one snapshot: positions follow commit order, so that snapshot
 * holds exactly the changes up to {@code p}, and a later one comes with the next poll, once. A watch
 * not polled within its lease is expired: unknown, then removed.
 */
final class Watches {
    static final Duration DEFAULT_LEASE = Duration.ofMinutes(1);
    static final Duration MAX_LEASE = Duration.ofHours(1);
    static final Duration MIN_LEASE = Duration.ofSeconds(1);

    static final List<String> DDL = List.of("""
            CREATE TABLE IF NOT EXISTS herald_watch (
                id text PRIMARY KEY,
                dis text NOT NULL,
                lease_ms bigint NOT NULL,
                expires timestamptz NOT NULL,
                position bigint NOT NULL)""", """
            CREATE TABLE IF NOT EXISTS herald_watch_entity (
                watch text NOT NULL REFERENCES herald_watch (id) ON DELETE CASCADE,
                entity uuid NOT NULL,
                PRIMARY KEY (watch, entity))""");

    private static final String LOCK = "SELECT dis, lease_ms, position FROM herald_watch WHERE id = $1 AND expires > now() FOR UPDATE";
    private static final String CREATE = "INSERT INTO herald_watch (id, dis, lease_ms, expires, position) "
            + "VALUES ($1::text, $2::text, $3::bigint, now() + make_interval(secs => $3::bigint / 1000.0), $4::bigint)";
    private static final String RELEASE = "UPDATE herald_watch SET lease_ms = $2::bigint, "
            + "expires = now() + make_interval(secs => $2::bigint / 1000.0) WHERE id = $1::text";
    private static final String TOUCH = "UPDATE herald_watch SET lease_ms = $2::bigint, expires = now() + make_interval(secs => $2::bigint / 1000.0), "
            + "position = $3::bigint WHERE id = $1::text";
    private static final String ADD = "INSERT INTO herald_watch_entity (watch, entity) SELECT $1::text, unnest($2::uuid[]) ON CONFLICT DO NOTHING";
    private static final String REMOVE = "DELETE FROM herald_watch_entity WHERE watch = $1 AND entity = ANY($2::uuid[])";
    private static final String CLOSE = "DELETE FROM herald_watch WHERE id = $1";
    /**
     * In one snapshot: the log's last position, and the watched entities with a log entry after the
     * watch's position {@code $2} (every watched one when {@code $3}, a refresh, or when the log no
     * longer reaches back to {@code $2}), with their tags as they are now (null: deleted). One probe
     * of the log's room index per watched entity, no scan of entities.
     */
    private static final String CHANGED = """
            WITH state AS (%s),
                 changed AS (
                     SELECT w.entity FROM herald_watch_entity w, state
                     WHERE w.watch = $1 AND ($3 OR $2 < state.pruned OR EXISTS (
                         SELECT 1 FROM herald_log l WHERE l.rooms @> ARRAY['entity ' || w.entity::text]
                         AND l.last > $2 AND l.seq <= state.head)))
            SELECT state.head, state.pruned, c.entity, e.tags FROM state
            LEFT JOIN (changed c LEFT JOIN entity e ON e.id = c.entity) ON true
            ORDER BY c.entity""".formatted(NotificationLog.STATE);
    /** In one snapshot: the log's last position and the entities {@code $1} as they are now. */
    private static final String CURRENT = """
            WITH state AS (%s)
            SELECT state.head, state.pruned, e.id, e.tags FROM state LEFT JOIN entity e ON e.id = ANY($1::uuid[])
            """.formatted(NotificationLog.STATE);
    private static final String EXPIRE = "DELETE FROM herald_watch WHERE expires < now()";

    private Watches() {
    }

    /** What a watch op was asked: its request meta and the ids of its rows. */
    record Request(Dict meta, List<String> ids) {
    }

    /**
     * watchSub: a new watch ({@code watchDis}) or more ids for one ({@code watchId}); the rows as they
     * are now, read in the same snapshot as the log position a new watch starts from.
     */
    static Future<Grid> subscribe(Sql tx, Request request) {
        String watchId = string(request.meta(), "watchId");
        String dis = string(request.meta(), "watchDis");
        if (watchId == null && dis == null) {
            throw HaystackErrors.badRequest("watchSub needs watchDis (a new watch) or watchId (an existing one)");
        }
        Long askedLease = lease(request.meta().get("lease"));
        Future<Long> known = watchId == null ? Future.succeededFuture(null) : locked(tx, watchId).map(Watch::leaseMs);
        return known.compose(existingLease -> EntityStore.resolve(tx, request.ids()).compose(resolved -> {
            Set<UUID> found = new LinkedHashSet<>();
            resolved.values().forEach(u -> {
                if (u != null) {
                    found.add(u);
                }
            });
            return tx.execute(CURRENT, Tuple.of((Object) found.toArray(UUID[]::new))).compose(rows -> {
                long head = 0;
                Map<UUID, Dict> current = new LinkedHashMap<>();
                for (Row r : rows) {
                    head = position(r);
                    if (r.getUUID("id") != null) {
                        current.put(r.getUUID("id"), TagStorage.decode(r.getJsonObject("tags")));
                    }
                }
                long leaseMs = askedLease != null ? askedLease : existingLease != null ? existingLease : DEFAULT_LEASE.toMillis();
                String id = watchId != null ? watchId : "w-" + UUID.randomUUID();
                Future<?> saved = watchId == null
                        ? tx.execute(CREATE, Tuple.of(id, dis, leaseMs, head))
                        : tx.execute(RELEASE, Tuple.of(id, leaseMs));
                List<Dict> entities = found.stream().filter(current::containsKey).map(current::get).toList();
                return saved.compose(v -> tx.execute(ADD, Tuple.of(id, (Object) current.keySet().toArray(UUID[]::new))))
                        .compose(v -> EntityStore.grid(tx, entities, Map.of()))
                        .map(grid -> inRequestOrder(grid, request.ids(), resolved, meta(id, leaseMs)));
            });
        }));
    }

    /** The log position a {@link #CHANGED} or {@link #CURRENT} row was read at. */
    private static long position(Row r) {
        Long head = r.getLong("head");
        Long pruned = r.getLong("pruned");
        return Math.max(head == null ? 0 : head, pruned == null ? 0 : pruned);
    }

    /** watchUnsub: some ids leave the watch, or with {@code close} the whole watch goes. */
    static Future<Grid> unsubscribe(Sql tx, Request request) {
        String watchId = string(request.meta(), "watchId");
        if (watchId == null) {
            throw HaystackErrors.badRequest("watchUnsub needs watchId");
        }
        return locked(tx, watchId).compose(row -> {
            if (request.meta().has("close")) {
                return tx.execute(CLOSE, Tuple.of(watchId)).map(v -> Grid.empty(Dict.EMPTY));
            }
            return EntityStore.resolve(tx, request.ids()).compose(resolved -> tx.execute(REMOVE, Tuple.of(watchId,
                            (Object) resolved.values().stream().filter(u -> u != null).toArray(UUID[]::new))))
                    .map(v -> Grid.empty(Dict.EMPTY));
        });
    }

    /**
     * watchPoll: the watched entities changed since the last poll (all of them with {@code refresh}, or
     * when the log no longer reaches back to it), deleted ones as {@code removed} rows; the lease starts
     * again. The changes and the rows come from one snapshot, so each change is reported exactly once.
     */
    static Future<Grid> poll(Sql tx, Request request) {
        String watchId = string(request.meta(), "watchId");
        if (watchId == null) {
            throw HaystackErrors.badRequest("watchPoll needs watchId");
        }
        boolean refresh = request.meta().has("refresh");
        return locked(tx, watchId).compose(watch -> tx.execute(CHANGED, Tuple.of(watchId, watch.position(), refresh)).compose(rows -> {
            long head = 0;
            List<Dict> entities = new ArrayList<>();
            Set<UUID> gone = new LinkedHashSet<>();
            for (Row r : rows) {
                head = position(r);
                UUID entity = r.getUUID("entity");
                if (entity != null && r.getJsonObject("tags") == null) {
                    gone.add(entity);
                } else if (entity != null) {
                    entities.add(TagStorage.decode(r.getJsonObject("tags")));
                }
            }
            long at = head;
            Future<?> left = gone.isEmpty() ? Future.succeededFuture()
                    : tx.execute(REMOVE, Tuple.of(watchId, (Object) gone.toArray(UUID[]::new)));
            return left.compose(v -> tx.execute(TOUCH, Tuple.of(watchId, watch.leaseMs(), at)))
                    .compose(v -> EntityStore.grid(tx, entities, Map.of()))
                    .map(grid -> withRemoved(grid, gone, meta(watchId, watch.leaseMs())));
        }));
    }

    /** Removes the watches whose lease ran out; the number removed. */
    static Future<Integer> expire(Sql sql) {
        return sql.query(EXPIRE).map(rows -> rows.rowCount());
    }

    private record Watch(String dis, long leaseMs, long position) {
    }

    /** The watch, locked; an unknown or expired watch is a 400. */
    private static Future<Watch> locked(Sql tx, String watchId) {
        return tx.execute(LOCK, Tuple.of(watchId)).map(rows -> {
            if (rows.size() == 0) {
                throw HaystackErrors.badRequest("Unknown watch");
            }
            Row row = rows.iterator().next();
            return new Watch(row.getString(0), row.getLong(1), row.getLong(2));
        });
    }

    private static Dict meta(String watchId, long leaseMs) {
        Map<String, HaystackValue> meta = new LinkedHashMap<>();
        meta.put("watchId", new Str(watchId));
        meta.put("lease", new Num(leaseMs / 1000.0, "s"));
        return new Dict(meta);
    }

    /** The rows in request order; an id that names no entity is a row of nulls. */
    private static Grid inRequestOrder(Grid grid, List<String> asked, Map<String, UUID> resolved, Dict meta) {
        Map<UUID, Dict> byId = new LinkedHashMap<>();
        grid.rows().forEach(r -> byId.put(idOf(r), r));
        List<Grid.Column> columns = byId.isEmpty() ? List.of(Grid.Column.named("id")) : grid.columns();
        List<Dict> rows = new ArrayList<>();
        for (String id : asked) {
            UUID uuid = resolved.get(id);
            rows.add(uuid == null || !byId.containsKey(uuid) ? Dict.EMPTY : byId.get(uuid));
        }
        return new Grid(meta, columns, rows);
    }

    private static Grid withRemoved(Grid grid, Set<UUID> gone, Dict meta) {
        if (gone.isEmpty()) {
            return new Grid(meta, grid.rows().isEmpty() ? List.of(Grid.Column.named("empty")) : grid.columns(), grid.rows());
        }
        List<Grid.Column> columns = new ArrayList<>(grid.rows().isEmpty() ? List.of(Grid.Column.named("id")) : grid.columns());
        columns.add(Grid.Column.named("removed"));
        List<Dict> rows = new ArrayList<>(grid.rows());
        gone.forEach(u -> rows.add(new Dict(Map.of("id", new Ref(u.toString(), null), "removed", Marker.VALUE))));
        return new Grid(meta, columns, rows);
    }

    private static UUID idOf(Dict row) {
        return row.get("id") instanceof Ref ref ? EntityRefs.uuidOrNull(ref.id()) : null;
    }

    private static String string(Dict meta, String name) {
        HaystackValue v = meta.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Str s && !s.value().isBlank() && s.value().length() <= 200) {
            return s.value();
        }
        if (v instanceof Ref r && name.equals("watchId")) {
            return r.id();
        }
        throw HaystackErrors.badRequest(name + " must be a Str");
    }

    /**
     * A lease: a Number with a duration unit ({@code ms}, {@code s}/{@code sec}, {@code min},
     * {@code h}/{@code hr}), unitless meaning milliseconds; clamped to [1 s, 1 h]. Null when absent.
     */
    static Long lease(HaystackValue value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Num n) || Double.isNaN(n.value()) || Double.isInfinite(n.value()) || n.value() <= 0) {
            throw HaystackErrors.badRequest("lease must be a positive Number with a duration unit (ms, s, min, h)");
        }
        double factor = switch (n.unit() == null ? "ms" : n.unit()) {
            case "ms" -> 1;
            case "s", "sec" -> 1000;
            case "min" -> 60_000;
            case "h", "hr" -> 3_600_000;
            default -> throw HaystackErrors.badRequest("lease unit must be ms, s, min or h, not " + n.unit());
        };
        double ms = n.value() * factor;
        return (long) Math.max(MIN_LEASE.toMillis(), Math.min(MAX_LEASE.toMillis(), ms));
    }
}
