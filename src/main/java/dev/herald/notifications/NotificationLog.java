package dev.herald.notifications;

import dev.herald.database.Migrations;
import dev.herald.database.Sql;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The notification log (DESIGN §8): every notification of a committed change, written in the same
 * transaction as the change, at a position {@code seq} that grows strictly in commit order.
 *
 * <h2>Why positions follow commit order</h2>
 * A transaction numbers its notifications as its very last statement before COMMIT (pipelined with
 * it), and only while holding the transaction-scoped advisory lock {@value #ORDER_LOCK}. PostgreSQL
 * releases that lock only after the commit is durable and visible to new snapshots (locks are released
 * after the transaction leaves the proc array), so the next transaction to number can take its numbers
 * only after every smaller number is either committed and visible or rolled back for good. Hence:
 * <ul>
 *   <li>a later commit never has a smaller {@code seq};</li>
 *   <li>a snapshot that sees {@code seq = n} sees every committed {@code seq < n}: a reader that has
 *       read everything up to {@code n} and asks for {@code seq > n} can never skip a late commit (the
 *       classic trap of sequence values taken at insert time, which do not follow commit order);</li>
 *   <li>numbers may have gaps (a transaction that numbered and then failed), never reorderings.</li>
 * </ul>
 * The lock and the sequence are not subject to the transaction's snapshot, so this works under
 * repeatable read as well. The cost: numbering serialises the commits of notifying transactions (the
 * lock is held for one round trip and the COMMIT); the benchmark measures it.
 *
 * <p>One row per transaction: {@code seq} and {@code last}, its block of positions (one per notification,
 * in order); {@code at}, when it was numbered; {@code body}, its {@link Publication} without the leading
 * position (the same bytes the event bus carries: origins and messages rendered once); {@code rooms}, the
 * keys a reader looks for ({@code "<model> <record>"} for each notification to a record's room, and the
 * bare {@code "<model>"} when the transaction created records of that model, for the model's watchers),
 * indexed by GIN; {@code created}, the room keys of the records it created. Readers decode the body and
 * keep what they asked for. The {@code herald_meta} rows {@value #EPOCH_KEY} and {@value #PRUNED_KEY}
 * hold the log's epoch and the last position removed by retention.
 */
public final class NotificationLog {
    /** "HLOG" in ASCII; never change it, or nodes of two versions would number at the same time. */
    public static final long ORDER_LOCK = 0x484C4F47L;
    static final String EPOCH_KEY = "log.epoch";
    static final String PRUNED_KEY = "log.pruned";
    public static final byte RETIRE = 1;
    public static final byte CREATION = 2;
    /** The most bytes of transactions one replay reads: more is a replay too large to make (resync). */
    public static final int REPLAY_BYTES = 16 * 1024 * 1024;
    /** The most rows (transactions) one prune statement removes; it repeats until nothing older is left. */
    static final int PRUNE_BATCH = 2_000;

    /** Every statement may run again: it creates only what is missing (run under the schema lock). */
    public static List<String> ddl() {
        return List.of(
                "CREATE SEQUENCE IF NOT EXISTS herald_log_seq",
                // the first format kept one row per notification: it goes, and its positions count as pruned
                // (a resume from one of them answers resync)
                """
                DO $$ BEGIN
                    IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                               AND table_name = 'herald_log' AND column_name = 'message') THEN
                        DROP TABLE herald_log;
                        UPDATE herald_meta SET value = (SELECT last_value FROM herald_log_seq)::text WHERE key = '%s';
                    END IF;
                END $$""".formatted(PRUNED_KEY),
                """
                CREATE TABLE IF NOT EXISTS herald_log (
                    seq bigint PRIMARY KEY,
                    last bigint NOT NULL,
                    at timestamptz NOT NULL DEFAULT clock_timestamp(),
                    rooms text[] NOT NULL,
                    created text[],
                    body bytea NOT NULL)""",
                "CREATE INDEX IF NOT EXISTS herald_log_rooms ON herald_log USING gin (rooms)",
                // without GIN's pending list: with it, the append that finds the list full (4 MB) merges it
                // into the index while it holds the order lock, stalling every notifying commit behind it, and
                // every replay scans the whole list; measured with pgbench, an append costs the same either way
                Migrations.ginWithoutPendingList("herald_log_rooms"),
                "INSERT INTO herald_meta (key, value) VALUES ('" + EPOCH_KEY + "', '" + UUID.randomUUID()
                        + "') ON CONFLICT (key) DO NOTHING",
                "INSERT INTO herald_meta (key, value) VALUES ('" + PRUNED_KEY + "', '0') ON CONFLICT (key) DO NOTHING");
    }

    /**
     * Takes the order lock, reserves {@code $1} consecutive positions and writes the transaction's row:
     * one statement, sent right before COMMIT. The reserved block is {@code (last - $1, last]}.
     */
    static final String APPEND = """
            WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock(%d) AS l),
                 reserved AS MATERIALIZED (SELECT setval('herald_log_seq', nextval('herald_log_seq') + $1 - 1) AS last FROM locked)
            INSERT INTO herald_log (seq, last, rooms, created, body)
            SELECT reserved.last - $1 + 1, reserved.last, $2::text[], $3::text[], $4::bytea FROM reserved
            RETURNING seq""".formatted(ORDER_LOCK);

    /**
     * The log's state in one snapshot: epoch, last pruned position, and the last committed position
     * ({@code head}: null when the log is empty; {@link State} reads it as the pruned position then).
     * Other features' statements embed it, as a CTE, to read their rows in the same snapshot.
     */
    public static final String STATE = """
            SELECT (SELECT value FROM herald_meta WHERE key = '%s') AS epoch,
                   (SELECT value::bigint FROM herald_meta WHERE key = '%s') AS pruned,
                   (SELECT last FROM herald_log ORDER BY seq DESC LIMIT 1) AS head""".formatted(EPOCH_KEY, PRUNED_KEY);

    /**
     * The rows holding positions after {@code $1}: from the one whose block holds {@code $1 + 1} (found on
     * the primary key) on. {@code $1} is named in the statement it is embedded in.
     */
    private static final String AFTER = "seq >= coalesce((SELECT max(seq) FROM herald_log WHERE seq <= %1$s), 0) AND last > %1$s";

    static final String TAIL = "SELECT seq, body FROM herald_log WHERE " + AFTER.formatted("$1") + " ORDER BY seq LIMIT $2";

    /**
     * The state and, in the same snapshot, the rows holding notifications to the rooms {@code $1}
     * ({@code "<model> <record>"}) in {@code ($2, $3]}.
     */
    static final String REPLAY_ROOMS = """
            WITH state AS (%s)
            SELECT state.epoch, state.pruned, state.head, l.* FROM state LEFT JOIN LATERAL (%s) l ON true
            ORDER BY l.seq""".formatted(STATE, bounded("rooms && $1::text[] AND " + AFTER.formatted("$2") + " AND seq <= $3"));

    /**
     * The state and the rows a watcher of model {@code $1} would have received something from in
     * {@code ($2, $3]}: those that created records of the model, and those that notify a record created
     * in that span.
     */
    static final String REPLAY_WATCH = """
            WITH state AS (%1$s),
                 created AS (SELECT coalesce(array_agg(k), '{}') AS keys FROM herald_log, unnest(created) k
                             WHERE rooms @> ARRAY[$1::text] AND %2$s AND seq <= $3 AND starts_with(k, $1 || ' '))
            SELECT state.epoch, state.pruned, state.head, l.* FROM state LEFT JOIN LATERAL (%3$s) l ON true
            ORDER BY l.seq""".formatted(STATE, AFTER.formatted("$2"),
            bounded("(rooms @> ARRAY[$1::text] OR rooms && (SELECT keys FROM created)) AND " + AFTER.formatted("$2") + " AND seq <= $3"));

    /**
     * The first {@code $4} rows that match {@code where}, in order, with their bodies only while the
     * bodies before them add up to less than {@code $5} bytes ({@code kept}): a replay never holds more
     * than about that much, however large the transactions it crosses (their sizes come from the
     * values' headers, without reading them).
     */
    private static String bounded(String where) {
        return """
                SELECT seq, CASE WHEN kept THEN body END AS body, kept FROM (
                    SELECT seq, body, coalesce(sum(octet_length(body)) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) < $5 AS kept
                    FROM (SELECT seq, body FROM herald_log WHERE %s ORDER BY seq LIMIT $4) matched) sized""".formatted(where);
    }

    /**
     * Removes up to {@value #PRUNE_BATCH} of the oldest rows numbered before the cutoff, and remembers
     * the last position removed. The rows are picked once, in a materialized CTE, never as a subquery the
     * {@code DELETE} could run again (see {@code EntitySql.deleteMatching}). {@code at} grows with {@code seq} (both are taken under the order lock),
     * so the oldest rows by position are the oldest by time.
     */
    static final String PRUNE = """
            WITH picked AS MATERIALIZED (
                SELECT seq FROM (SELECT seq, at FROM herald_log ORDER BY seq LIMIT %d) oldest
                WHERE at < clock_timestamp() - make_interval(secs => $1)),
            gone AS (
                DELETE FROM herald_log l USING picked WHERE l.seq = picked.seq
                RETURNING l.last),
            marked AS (
                UPDATE herald_meta SET value = greatest(value::bigint, (SELECT max(last) FROM gone))::text
                WHERE key = '%s' AND EXISTS (SELECT 1 FROM gone) RETURNING 1)
            SELECT count(*) FROM gone""".formatted(PRUNE_BATCH, PRUNED_KEY);

    private NotificationLog() {
    }

    /** One logged notification as a reader sees it. */
    public record Entry(long seq, String model, String record, byte flags, Buffer origin, Buffer message) {
        public boolean retire() {
            return (flags & RETIRE) != 0;
        }

        public boolean creation() {
            return (flags & CREATION) != 0;
        }
    }

    /** The log's epoch, its last pruned position and its last committed one, as one snapshot saw them. */
    public record State(String epoch, long pruned, long head) {
    }

    /**
     * Entries read in the same snapshot as a {@link State}; {@code cut}: the transactions to read held
     * more than {@value #REPLAY_BYTES} bytes, and the entries stop before the end.
     */
    public record Replay(State state, List<Entry> entries, boolean cut) {
    }

    /** Rows read from the log, as entries; {@code rows}: how many rows they came from. */
    record Tail(List<Entry> entries, int rows) {
    }

    /**
     * Writes the rendered notifications, in order, as the transaction's last statement before COMMIT;
     * the future holds the first position (the others follow it).
     */
    static Future<Long> append(Sql tx, Outgoing outgoing) {
        Set<String> rooms = new LinkedHashSet<>();
        List<String> created = new ArrayList<>(0);
        for (Notification.Change change : outgoing.changes()) {
            for (Notification n : change.notifications()) {
                String key = key(n.model(), String.valueOf(Outgoing.room(n)));
                if ((Outgoing.flags(n) & CREATION) != 0) {
                    rooms.add(n.model());
                    created.add(key);
                } else {
                    rooms.add(key);
                }
            }
        }
        Buffer publication = outgoing.publication();
        Buffer body = publication.getBuffer(Long.BYTES, publication.length());
        return tx.execute(APPEND, Tuple.of(outgoing.count(), rooms.toArray(String[]::new),
                        created.isEmpty() ? null : created.toArray(String[]::new), body))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** A room's key in {@code rooms}: model identities have no spaces, so it is unambiguous. */
    static String key(String model, String record) {
        return model + ' ' + record;
    }

    public static Future<State> state(Sql sql) {
        return sql.query(STATE).map(rows -> state(rows.iterator().next()));
    }

    private static State state(Row r) {
        Long pruned = r.getLong("pruned");
        Long head = r.getLong("head");
        long p = pruned == null ? 0 : pruned;
        return new State(r.getString("epoch"), p, head == null ? p : Math.max(head, p));
    }

    /** Committed entries after {@code after}, in order, from at most {@code rows} rows (transactions). */
    public static Future<List<Entry>> tail(Sql sql, long after, int rows) {
        return tailRows(sql, after, rows).map(Tail::entries);
    }

    static Future<Tail> tailRows(Sql sql, long after, int rows) {
        return sql.execute(TAIL, Tuple.of(after, rows)).map(found -> {
            List<Entry> entries = new ArrayList<>();
            for (Row r : found) {
                decode(r, e -> {
                    if (e.seq() > after) {
                        entries.add(e);
                    }
                });
            }
            return new Tail(entries, found.size());
        });
    }

    /** The entries to the rooms of {@code records} of {@code model} in {@code (after, upTo]}, at most {@code limit}. */
    public static Future<Replay> replayRecords(Sql sql, String model, List<String> records, long after, long upTo, int limit) {
        return replayRecords(sql, model, records, after, upTo, limit, REPLAY_BYTES);
    }

    static Future<Replay> replayRecords(Sql sql, String model, List<String> records, long after, long upTo, int limit, int maxBytes) {
        Set<String> wanted = new HashSet<>(records);
        String[] keys = records.stream().map(r -> key(model, r)).toArray(String[]::new);
        return sql.execute(REPLAY_ROOMS, Tuple.of(keys, after, upTo, rowsFor(limit), maxBytes)).map(rows -> replay(rows, limit, after, upTo,
                e -> !e.creation() && e.model().equals(model) && wanted.contains(e.record())));
    }

    /**
     * What a watcher of {@code model} would have received in {@code (after, upTo]}, at most {@code limit}:
     * the creations, and every entry of a record created in that span.
     */
    public static Future<Replay> replayWatch(Sql sql, String model, long after, long upTo, int limit) {
        return sql.execute(REPLAY_WATCH, Tuple.of(model, after, upTo, rowsFor(limit), REPLAY_BYTES)).map(rows -> {
            Replay all = replay(rows, Integer.MAX_VALUE, after, upTo, e -> e.model().equals(model));
            Set<String> created = new HashSet<>();
            all.entries().forEach(e -> {
                if (e.creation()) {
                    created.add(e.record());
                }
            });
            List<Entry> watched = new ArrayList<>();
            for (Entry e : all.entries()) {
                if (watched.size() < limit && (e.creation() || created.contains(e.record()))) {
                    watched.add(e);
                }
            }
            return new Replay(all.state(), watched, all.cut());
        });
    }

    /**
     * How many rows a replay of at most {@code limit} entries reads: every row it finds holds at least one
     * wanted entry, except perhaps the first (its block may begin before the replay), so with one more
     * row than entries, a replay that stops at the row limit has more than {@code limit - 1} entries: a
     * caller that allows fewer than {@code limit} sees that it overflowed, never a silent cut.
     */
    private static int rowsFor(int limit) {
        return limit == Integer.MAX_VALUE ? limit : limit + 1;
    }

    /** Removes entries older than {@code retention}, in batches; the number of rows (transactions) removed. */
    public static Future<Long> prune(Sql sql, Duration retention) {
        double seconds = retention.toMillis() / 1000.0;
        return sql.execute(PRUNE, Tuple.of(seconds)).compose(rows -> {
            long removed = rows.iterator().next().getLong(0);
            return removed < PRUNE_BATCH ? Future.succeededFuture(removed)
                    : prune(sql, retention).map(more -> removed + more);
        });
    }

    /** The state, and the entries in {@code (after, upTo]} that {@code keep} accepts, at most {@code limit}. */
    private static Replay replay(RowSet<Row> rows, int limit, long after, long upTo, Predicate<Entry> keep) {
        State state = null;
        List<Entry> entries = new ArrayList<>();
        boolean cut = false;
        for (Row r : rows) {
            if (state == null) {
                state = state(r);
            }
            if (r.getValue("seq") != null && !r.getBoolean("kept")) {
                cut = true;
            } else if (r.getValue("seq") != null && !cut && entries.size() < limit) {
                decode(r, e -> {
                    if (entries.size() < limit && e.seq() > after && e.seq() <= upTo && keep.test(e)) {
                        entries.add(e);
                    }
                });
            }
        }
        return new Replay(state, entries, cut);
    }

    /** A row's entries, in order. */
    private static void decode(Row r, Consumer<Entry> each) {
        long first = r.getLong("seq");
        for (Publication.Received change : Publication.decodeLogged(r.getBuffer("body"), first)) {
            for (Publication.Delivery d : change.deliveries()) {
                byte flags = (byte) ((d.retire() ? RETIRE : 0) | (d.creation() ? CREATION : 0));
                each.accept(new Entry(d.seq(), d.model(), String.valueOf(d.id()), flags, change.originJson(), d.message()));
            }
        }
    }
}
