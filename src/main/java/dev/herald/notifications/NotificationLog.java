package dev.herald.notifications;

import dev.herald.database.Sql;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
 * <p>Rows: {@code seq}, {@code at} (when it was numbered), {@code model}, {@code record} (the room: the
 * record's id as text, or the created record's id for a creation), {@code flags} (the
 * {@link Publication} flags: retire the room, creation), {@code origin} (the JSON of who caused it, for
 * leaving the requester out), {@code message} (the JSON every socket receives). The {@code herald_meta}
 * rows {@value #EPOCH_KEY} and {@value #PRUNED_KEY} hold the log's epoch and the last position removed by
 * retention.
 */
public final class NotificationLog {
    /** "HLOG" in ASCII; never change it, or nodes of two versions would number at the same time. */
    public static final long ORDER_LOCK = 0x484C4F47L;
    static final String EPOCH_KEY = "log.epoch";
    static final String PRUNED_KEY = "log.pruned";
    public static final byte RETIRE = 1;
    public static final byte CREATION = 2;
    /** The most rows one prune statement removes; it repeats until nothing older is left. */
    static final int PRUNE_BATCH = 10_000;

    /** Every statement may run again: it creates only what is missing (run under the schema lock). */
    public static List<String> ddl() {
        return List.of(
                "CREATE SEQUENCE IF NOT EXISTS herald_log_seq",
                """
                CREATE TABLE IF NOT EXISTS herald_log (
                    seq bigint PRIMARY KEY,
                    at timestamptz NOT NULL DEFAULT clock_timestamp(),
                    model text NOT NULL,
                    record text NOT NULL,
                    flags smallint NOT NULL,
                    origin text NOT NULL,
                    message text NOT NULL)""",
                "CREATE INDEX IF NOT EXISTS herald_log_room ON herald_log (model, record, seq)",
                "CREATE INDEX IF NOT EXISTS herald_log_creations ON herald_log (model, seq) WHERE flags & 2 <> 0",
                "INSERT INTO herald_meta (key, value) VALUES ('" + EPOCH_KEY + "', '" + UUID.randomUUID()
                        + "') ON CONFLICT (key) DO NOTHING",
                "INSERT INTO herald_meta (key, value) VALUES ('" + PRUNED_KEY + "', '0') ON CONFLICT (key) DO NOTHING");
    }

    /**
     * Takes the order lock, reserves {@code $1} consecutive positions and writes the rows: one statement,
     * sent right before COMMIT. The reserved block is {@code (last - $1, last]}.
     */
    static final String APPEND = """
            WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock(%d) AS l),
                 reserved AS MATERIALIZED (SELECT setval('herald_log_seq', nextval('herald_log_seq') + $1 - 1) AS last FROM locked)
            INSERT INTO herald_log (seq, model, record, flags, origin, message)
            SELECT reserved.last - $1 + e.n, e.model, e.record, e.flags::int2, e.origin, e.message
            FROM reserved, unnest($2::text[], $3::text[], $4::int4[], $5::text[], $6::text[])
                 WITH ORDINALITY AS e(model, record, flags, origin, message, n)
            RETURNING seq""".formatted(ORDER_LOCK);

    /**
     * The log's state in one snapshot: epoch, last pruned position, and the last committed position
     * ({@code head}: null when the log is empty; {@link State} reads it as the pruned position then).
     * Other features' statements embed it, as a CTE, to read their rows in the same snapshot.
     */
    public static final String STATE = """
            SELECT (SELECT value FROM herald_meta WHERE key = '%s') AS epoch,
                   (SELECT value::bigint FROM herald_meta WHERE key = '%s') AS pruned,
                   (SELECT max(seq) FROM herald_log) AS head""".formatted(EPOCH_KEY, PRUNED_KEY);

    private static final String COLUMNS = "seq, model, record, flags, origin, message";

    static final String TAIL = "SELECT " + COLUMNS + " FROM herald_log WHERE seq > $1 ORDER BY seq LIMIT $2";

    /**
     * The state and, in the same snapshot, the entries addressed to the rooms of some records of one
     * model in {@code ($3, $4]} (not their creation: that goes to the model's watchers).
     */
    static final String REPLAY_RECORDS = """
            WITH state AS (%s)
            SELECT state.epoch, state.pruned, state.head, l.* FROM state LEFT JOIN LATERAL (
                SELECT %s FROM herald_log
                WHERE model = $1 AND record = ANY($2::text[]) AND seq > $3 AND seq <= $4 AND flags & 2 = 0
                ORDER BY seq LIMIT $5) l ON true
            ORDER BY l.seq""".formatted(STATE, COLUMNS);

    /**
     * The state and the entries a watcher of model {@code $1} would have received in {@code ($2, $3]}: the
     * creations, and every entry of a record created in that span.
     */
    static final String REPLAY_WATCH = """
            WITH state AS (%s),
                 created AS (SELECT record FROM herald_log WHERE model = $1 AND flags & 2 <> 0 AND seq > $2 AND seq <= $3)
            SELECT state.epoch, state.pruned, state.head, l.* FROM state LEFT JOIN LATERAL (
                SELECT %s FROM herald_log
                WHERE model = $1 AND seq > $2 AND seq <= $3 AND (flags & 2 <> 0 OR record IN (SELECT record FROM created))
                ORDER BY seq LIMIT $4) l ON true
            ORDER BY l.seq""".formatted(STATE, COLUMNS);

    /**
     * Removes up to {@value #PRUNE_BATCH} of the oldest entries numbered before the cutoff, and
     * remembers the last position removed. {@code at} grows with {@code seq} (both are taken under the
     * order lock), so the oldest entries by position are the oldest by time.
     */
    static final String PRUNE = """
            WITH gone AS (
                DELETE FROM herald_log WHERE seq IN (
                    SELECT seq FROM (SELECT seq, at FROM herald_log ORDER BY seq LIMIT %d) oldest
                    WHERE at < clock_timestamp() - make_interval(secs => $1))
                RETURNING seq),
            marked AS (
                UPDATE herald_meta SET value = greatest(value::bigint, (SELECT max(seq) FROM gone))::text
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

    /** Entries read in the same snapshot as a {@link State}. */
    public record Replay(State state, List<Entry> entries) {
    }

    /**
     * Writes the rendered notifications, in order, as the transaction's last statement before COMMIT;
     * the future holds the first position (the others follow it).
     */
    static Future<Long> append(Sql tx, Outgoing outgoing) {
        int size = outgoing.count();
        String[] models = new String[size];
        String[] records = new String[size];
        Integer[] flags = new Integer[size];
        String[] origins = new String[size];
        String[] messages = new String[size];
        int i = 0;
        List<Notification.Change> changes = outgoing.changes();
        for (int c = 0; c < changes.size(); c++) {
            String origin = outgoing.origins().get(c).toString();
            for (Notification n : changes.get(c).notifications()) {
                models[i] = n.model();
                records[i] = String.valueOf(Outgoing.room(n));
                flags[i] = (int) Outgoing.flags(n);
                origins[i] = origin;
                messages[i] = outgoing.messages().get(i).toString();
                i++;
            }
        }
        return tx.execute(APPEND, Tuple.of(size, models, records, flags, origins, messages)).map(NotificationLog::first);
    }

    private static long first(RowSet<Row> rows) {
        long first = Long.MAX_VALUE;
        for (Row r : rows) {
            first = Math.min(first, r.getLong(0));
        }
        return first;
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

    /** Committed entries after {@code after}, in order, at most {@code limit}. */
    public static Future<List<Entry>> tail(Sql sql, long after, int limit) {
        return sql.execute(TAIL, Tuple.of(after, limit)).map(NotificationLog::entries);
    }

    /** The entries of {@code records} of {@code model} in {@code (after, upTo]}, at most {@code limit}. */
    public static Future<Replay> replayRecords(Sql sql, String model, List<String> records, long after, long upTo, int limit) {
        return sql.execute(REPLAY_RECORDS, Tuple.of(model, records.toArray(String[]::new), after, upTo, limit))
                .map(NotificationLog::replay);
    }

    /** What a watcher of {@code model} would have received in {@code (after, upTo]}, at most {@code limit}. */
    public static Future<Replay> replayWatch(Sql sql, String model, long after, long upTo, int limit) {
        return sql.execute(REPLAY_WATCH, Tuple.of(model, after, upTo, limit)).map(NotificationLog::replay);
    }

    /** Removes entries older than {@code retention}, in batches; the number removed. */
    public static Future<Long> prune(Sql sql, Duration retention) {
        double seconds = retention.toMillis() / 1000.0;
        return sql.execute(PRUNE, Tuple.of(seconds)).compose(rows -> {
            long removed = rows.iterator().next().getLong(0);
            return removed < PRUNE_BATCH ? Future.succeededFuture(removed)
                    : prune(sql, retention).map(more -> removed + more);
        });
    }

    private static Replay replay(RowSet<Row> rows) {
        State state = null;
        List<Entry> entries = new ArrayList<>();
        for (Row r : rows) {
            if (state == null) {
                state = state(r);
            }
            if (r.getValue("seq") != null) {
                entries.add(entry(r));
            }
        }
        return new Replay(state, entries);
    }

    private static List<Entry> entries(RowSet<Row> rows) {
        List<Entry> entries = new ArrayList<>(rows.size());
        rows.forEach(r -> entries.add(entry(r)));
        return entries;
    }

    private static Entry entry(Row r) {
        return new Entry(r.getLong("seq"), r.getString("model"), r.getString("record"), r.getShort("flags").byteValue(),
                Buffer.buffer(r.getString("origin")), Buffer.buffer(r.getString("message")));
    }
}
