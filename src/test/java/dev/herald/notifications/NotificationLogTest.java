package dev.herald.notifications;

import dev.herald.database.Migrations;
import dev.herald.database.Sql;
import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The notification log on a real PostgreSQL: positions follow commit order even when transactions on
 * different connections number and commit in any interleaving, so a reader that asks for what follows
 * the last position it saw never skips a commit; retention; and the safety net: a commit whose
 * publication never comes is delivered from the log.
 */
@Tier.Component
class NotificationLogTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    private static Outgoing one(String verb, long id) {
        return Outgoing.of(new JsonObject().put("socketId", "s"), List.of(
                Notification.toRecord("pony", id, new JsonObject().put("verb", verb).put("id", id))));
    }

    private static SqlConnection connection() {
        return node.database().getConnection().await();
    }

    private static boolean waitingForTheOrderLock() {
        return !node.sql("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND (classid::bigint << 32 | objid::bigint) = $1",
                NotificationLog.ORDER_LOCK).isEmpty();
    }

    /**
     * Every start runs the schema again: once the pending list is off, that must take no lock on the index,
     * or a start would queue behind the longest replay, and every notifying commit behind the start.
     */
    @Test
    void startingAgainTakesNoLockOnTheRoomIndexWhileAReplayReadsIt() {
        SqlConnection reader = connection();
        SqlConnection starter = connection();
        try {
            reader.begin().await();
            reader.query("SELECT count(*) FROM herald_log WHERE rooms && ARRAY['nobody']").execute().await();
            starter.query("SET lock_timeout = '500ms'").execute().await();
            starter.query(Migrations.ginWithoutPendingList("herald_log_rooms")).execute().await();
            // what an unconditional ALTER would have done: wait for the reader
            Throwable waited = assertThrows(Exception.class,
                    () -> starter.query("ALTER INDEX herald_log_rooms SET (fastupdate = off)").execute().await());
            assertTrue(waited.getMessage().contains("lock timeout"), waited.getMessage());
        } finally {
            reader.close().await();
            starter.close().await();
        }
    }

    @Test
    void theRoomIndexKeepsNoPendingListThatAnAppendWouldMergeUnderTheOrderLock() {
        String options = node.sql("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'herald_log_rooms'")
                .get(0).getString(0);
        assertTrue(options != null && options.contains("fastupdate=off"), "reloptions: " + options);
    }

    @Test
    void aTransactionThatNumberedFirstButIsSlowToCommitIsNeverOvertaken() throws Exception {
        SqlConnection first = connection();
        SqlConnection second = connection();
        try {
            first.query("BEGIN").execute().await();
            long firstSeq = NotificationLog.append(Sql.reads(first), one("first", 1)).await();

            second.query("BEGIN").execute().await();
            Future<Long> secondSeq = NotificationLog.append(Sql.reads(second), one("second", 2));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!waitingForTheOrderLock() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(waitingForTheOrderLock(), "the second numbering waits for the first transaction to end");
            assertFalse(secondSeq.isComplete());
            assertEquals(List.of(), NotificationLog.tail(Sql.reads(node.database()), firstSeq - 1, 10).await(),
                    "nothing uncommitted is visible");

            first.query("COMMIT").execute().await();
            long numbered = secondSeq.await();
            assertTrue(numbered > firstSeq, "numbered after the first committed: " + numbered + " > " + firstSeq);
            second.query("COMMIT").execute().await();

            List<NotificationLog.Entry> read = NotificationLog.tail(Sql.reads(node.database()), firstSeq - 1, 10).await();
            assertEquals(List.of(firstSeq, numbered), read.stream().map(NotificationLog.Entry::seq).toList());
            assertEquals("first", new JsonObject(read.get(0).message()).getString("verb"));
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void aReaderThatAsksForWhatFollowsItsLastPositionNeverSkipsACommitOfManyConcurrentWriters() throws Exception {
        Sql reads = Sql.reads(node.database());
        long start = NotificationLog.state(reads).await().head();
        Set<Long> seen = new ConcurrentSkipListSet<>();
        List<Long> order = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            long cursor = start;
            while (writing.get()) {
                for (NotificationLog.Entry e : NotificationLog.tail(reads, cursor, 1000).await()) {
                    order.add(e.seq());
                    seen.add(e.seq());
                    cursor = e.seq();
                }
            }
        });
        reader.start();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            writers.add(new Thread(() -> {
                SqlConnection conn = connection();
                try {
                    for (int i = 0; i < 40; i++) {
                        conn.query("BEGIN").execute().await();
                        NotificationLog.append(Sql.reads(conn), one("updated", i)).await();
                        Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                        conn.query(i % 10 == 3 ? "ROLLBACK" : "COMMIT").execute().await();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    conn.close();
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
        writing.set(false);
        reader.join();
        long cursor = order.isEmpty() ? start : order.get(order.size() - 1);
        for (NotificationLog.Entry e : NotificationLog.tail(reads, cursor, 10_000).await()) {
            order.add(e.seq());
            seen.add(e.seq());
        }
        TreeSet<Long> committed = new TreeSet<>();
        node.sql("SELECT generate_series(seq, last) FROM herald_log WHERE seq > $1", start).forEach(r -> committed.add(r.getLong(0)));
        assertEquals(6 * 36, committed.size(), "the rolled-back ones are not in the log");
        assertEquals(committed, new TreeSet<>(seen), "the reader saw every committed position");
        assertEquals(new ArrayList<>(committed), order, "once each, in order");
    }

    /** Commits one change with these notifications; its first position. */
    private static long logged(Notification... notifications) {
        SqlConnection conn = connection();
        try {
            conn.query("BEGIN").execute().await();
            long first = NotificationLog.append(Sql.reads(conn), Outgoing.of(new JsonObject().put("socketId", "t"), List.of(notifications))).await();
            conn.query("COMMIT").execute().await();
            return first;
        } finally {
            conn.close();
        }
    }

    private static List<String> verbsAndIds(List<NotificationLog.Entry> entries) {
        return entries.stream().map(e -> new JsonObject(e.message()).getString("verb") + " " + e.record()).toList();
    }

    @Test
    void aReplayFromTheMiddleOfATransactionKeepsOnlyWhatFollowsAndOnlyTheRoomsAsked() {
        Sql reads = Sql.reads(node.database());
        long first = logged(
                Notification.updated("replayed", 7L, new JsonObject().put("n", 1)),
                Notification.updated("replayed", 8L, new JsonObject().put("n", 2)),
                Notification.removedFrom("replayed", 7L, "toys", 3),
                Notification.updated("other", 7L, new JsonObject()));
        logged(Notification.destroyed("replayed", 7L, new JsonObject().put("id", 7)));

        NotificationLog.Replay fromTheMiddle = NotificationLog.replayRecords(reads, "replayed", List.of("7"), first, Long.MAX_VALUE, 100).await();
        assertEquals(List.of("removedFrom 7", "destroyed 7"), verbsAndIds(fromTheMiddle.entries()),
                "not what the socket had (the first), not another room's (8), not another model's");
        assertEquals(List.of(first + 2, first + 4), fromTheMiddle.entries().stream().map(NotificationLog.Entry::seq).toList());
        assertTrue(fromTheMiddle.entries().get(1).retire());

        NotificationLog.Replay upTo = NotificationLog.replayRecords(reads, "replayed", List.of("7", "8"), first - 1, first + 1, 100).await();
        assertEquals(List.of("updated 7", "updated 8"), verbsAndIds(upTo.entries()), "nothing after upTo");

        List<NotificationLog.Entry> tail = NotificationLog.tail(reads, first + 1, 10).await();
        assertEquals(first + 2, tail.get(0).seq(), "the tail starts inside the transaction too");
    }

    @Test
    void aReplayThatStopsAtItsRowLimitIsNeverCutSilently() {
        Sql reads = Sql.reads(node.database());
        // the first row holds nothing after since for this room, then exactly `limit` rows that each hold one entry:
        // a reader that took `limit` rows would see limit - 1 entries and believe it had everything
        long first = logged(Notification.updated("cut", 1L, new JsonObject()), Notification.updated("cut", 2L, new JsonObject()));
        int limit = 4;
        for (int i = 0; i < limit; i++) {
            logged(Notification.updated("cut", 1L, new JsonObject().put("i", i)));
        }
        logged(Notification.updated("cut", 1L, new JsonObject().put("i", "last")));
        NotificationLog.Replay replay = NotificationLog.replayRecords(reads, "cut", List.of("1"), first, Long.MAX_VALUE, limit).await();
        assertEquals(limit, replay.entries().size(), "a caller allowing limit - 1 entries sees the overflow");

        NotificationLog.Replay whole = NotificationLog.replayRecords(reads, "cut", List.of("1"), first, Long.MAX_VALUE, 100).await();
        assertEquals(limit + 1, whole.entries().size());
    }

    @Test
    void aReplayNeverHoldsMoreThanItsByteBoundAndSaysItWasCut() {
        Sql reads = Sql.reads(node.database());
        String kilobyte = "x".repeat(1000);
        long since = logged(Notification.updated("large", 1L, new JsonObject().put("text", kilobyte))) - 1;
        logged(Notification.updated("large", 1L, new JsonObject().put("text", kilobyte)));
        logged(Notification.updated("large", 1L, new JsonObject().put("text", kilobyte)));
        NotificationLog.Replay bounded = NotificationLog.replayRecords(reads, "large", List.of("1"), since, Long.MAX_VALUE, 100, 1500).await();
        assertTrue(bounded.cut(), "the third transaction starts past 1,500 bytes");
        assertEquals(2, bounded.entries().size(), "what came before the bound");
        NotificationLog.Replay whole = NotificationLog.replayRecords(reads, "large", List.of("1"), since, Long.MAX_VALUE, 100).await();
        assertFalse(whole.cut());
        assertEquals(3, whole.entries().size());
    }

    @Test
    void aWatchReplayHasTheCreationsAndTheLaterMessagesOfRecordsCreatedSinceOnly() {
        Sql reads = Sql.reads(node.database());
        long since = logged(Notification.updated("watched", 1L, new JsonObject()));
        logged(Notification.created("watched", 50L, new JsonObject().put("id", 50)),
                Notification.updated("watched", 2L, new JsonObject()));
        logged(Notification.updated("watched", 50L, new JsonObject()),
                Notification.created("elsewhere", 51L, new JsonObject()));
        logged(Notification.destroyed("watched", 50L, new JsonObject()),
                Notification.destroyed("watched", 1L, new JsonObject()));
        NotificationLog.Replay replay = NotificationLog.replayWatch(reads, "watched", since, Long.MAX_VALUE, 100).await();
        assertEquals(List.of("created 50", "updated 50", "destroyed 50"), verbsAndIds(replay.entries()));
        assertTrue(replay.entries().get(0).creation());
        assertEquals(List.of(), NotificationLog.replayWatch(reads, "watched", since + 10, Long.MAX_VALUE, 100).await().entries());
    }

    @Test
    void aLogOfTheFirstFormatIsReplacedAndItsPositionsCountAsPruned() {
        String schema = "upgrade_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        SqlConnection conn = connection();
        try {
            conn.query("CREATE SCHEMA " + schema).execute().await();
            conn.query("SET search_path TO " + schema).execute().await();
            conn.query("CREATE TABLE herald_meta (key text PRIMARY KEY, value text NOT NULL)").execute().await();
            conn.query("INSERT INTO herald_meta VALUES ('log.epoch', 'old-epoch'), ('log.pruned', '0')").execute().await();
            conn.query("CREATE SEQUENCE herald_log_seq").execute().await();
            conn.query("SELECT setval('herald_log_seq', 4321)").execute().await();
            conn.query("""
                    CREATE TABLE herald_log (seq bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(),
                        model text NOT NULL, record text NOT NULL, flags smallint NOT NULL, origin text NOT NULL, message text NOT NULL)""")
                    .execute().await();
            conn.query("INSERT INTO herald_log (seq, model, record, flags, origin, message) VALUES (4321, 'pony', '1', 1, '{}', '{}')")
                    .execute().await();
            for (int twice = 0; twice < 2; twice++) {
                dev.herald.database.Migrations.inOrder(Sql.reads(conn), NotificationLog.ddl()).await();
            }
            NotificationLog.State state = NotificationLog.state(Sql.reads(conn)).await();
            assertEquals("old-epoch", state.epoch());
            assertEquals(4321, state.pruned(), "a resume from the old log's positions answers resync");
            assertEquals(4321, state.head());
            conn.query("BEGIN").execute().await();
            long next = NotificationLog.append(Sql.reads(conn), one("after the upgrade", 1)).await();
            conn.query("COMMIT").execute().await();
            assertEquals(4322, next, "positions go on growing");
            assertEquals(List.of(4322L), NotificationLog.tail(Sql.reads(conn), 4321, 10).await().stream().map(NotificationLog.Entry::seq).toList());
        } finally {
            // the connection goes back to the pool as it came
            conn.query("ROLLBACK").execute().await();
            conn.query("RESET search_path").execute().await();
            conn.query("DROP SCHEMA " + schema + " CASCADE").execute().await();
            conn.close();
        }
    }

    @Test
    void retentionRemovesOldEntriesAndRemembersHowFarItWent() {
        Sql reads = Sql.reads(node.database());
        SqlConnection conn = connection();
        long first;
        try {
            conn.query("BEGIN").execute().await();
            first = NotificationLog.append(Sql.reads(conn), Outgoing.of(List.of(
                    new Notification.Change(new JsonObject(), List.of(
                            Notification.toRecord("pony", 1L, new JsonObject().put("verb", "updated")),
                            Notification.toRecord("pony", 2L, new JsonObject().put("verb", "updated"))))))).await();
            conn.query("COMMIT").execute().await();
            conn.query("BEGIN").execute().await();
            NotificationLog.append(Sql.reads(conn), one("recent", 3)).await();
            conn.query("COMMIT").execute().await();
        } finally {
            conn.close();
        }
        node.sql("UPDATE herald_log SET at = at - interval '2 hours' WHERE seq <= $1", first);
        long removed = NotificationLog.prune(reads, Duration.ofHours(1)).await();
        assertTrue(removed >= 1, "removed " + removed);
        assertTrue(node.sql("SELECT 1 FROM herald_log WHERE seq <= $1", first + 1).isEmpty(), "both notifications of the change went");
        assertFalse(node.sql("SELECT 1 FROM herald_log WHERE seq > $1", first + 1).isEmpty(), "the recent one stays");
        NotificationLog.State state = NotificationLog.state(reads).await();
        assertTrue(state.pruned() >= first, "the log knows it no longer reaches back before " + state.pruned());
        assertEquals(0L, NotificationLog.prune(reads, Duration.ofHours(1)).await());
    }

    @Test
    void aCommitWhosePublicationNeverCameIsDeliveredFromTheLog() {
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), null)) {
            JsonObject reply = s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(3)),
                    node.adminToken()).getJsonObject("body");
            long from = Long.parseLong(reply.getString("seq"));
            // a node committed this and died before publishing it: only the log has it
            SqlConnection conn = connection();
            long seq;
            try {
                conn.query("BEGIN").execute().await();
                seq = NotificationLog.append(Sql.reads(conn), Outgoing.of(new JsonObject().put("node", "gone"), List.of(
                        Notification.updated("pony", 3L, new JsonObject().put("name", "from the log"))))).await();
                conn.query("COMMIT").execute().await();
            } finally {
                conn.close();
            }
            JsonObject frame = s.await(f -> "pony".equals(f.getString("address")));
            assertEquals(String.valueOf(seq), frame.getJsonObject("headers").getString("seq"));
            assertTrue(seq > from);
            assertEquals("from the log", frame.getJsonObject("body").getJsonObject("data").getString("name"));

            // and the next ordinary change follows it, once
            assertEquals(200, node.patch("/pony/3", new JsonObject().put("name", "live")).statusCode());
            JsonObject live = s.await(f -> "pony".equals(f.getString("address")));
            assertTrue(Long.parseLong(live.getJsonObject("headers").getString("seq")) > seq);
            assertEquals(List.of(), s.notificationFrames("pony", 800), "nothing twice");
        }
    }

    @Test
    void aChangeWhoseNotificationsCannotBeLoggedDoesNotHappen() {
        node.sql("""
                CREATE OR REPLACE FUNCTION refuse_marked_log() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF position('refuse-me'::bytea in NEW.body) > 0 THEN RAISE EXCEPTION 'log refused'; END IF; RETURN NEW; END $$""");
        node.sql("CREATE TRIGGER refuse_marked_log BEFORE INSERT ON herald_log FOR EACH ROW EXECUTE FUNCTION refuse_marked_log()");
        try {
            long before = node.sql("SELECT count(*) FROM herald_log").get(0).getLong(0);
            var refused = node.patch("/pony/5", new JsonObject().put("name", "refuse-me"));
            assertTrue(refused.statusCode() >= 500, refused.statusCode() + " " + refused.bodyAsString());
            assertFalse(node.sql("SELECT name FROM pony WHERE id = 5").get(0).getString(0).contains("refuse-me"), "the update was rolled back");

            node.sql("UPDATE pony SET name = 'refuse-me' WHERE id = 1");
            var destroy = node.delete("/pony/1");
            assertTrue(destroy.statusCode() >= 500, destroy.statusCode() + " " + destroy.bodyAsString());
            assertEquals(1, node.sql("SELECT 1 FROM pony WHERE id = 1").size(), "the destroy was rolled back with its log entry");
            assertEquals(before, node.sql("SELECT count(*) FROM herald_log").get(0).getLong(0), "and nothing was logged");
        } finally {
            node.sql("DROP TRIGGER refuse_marked_log ON herald_log");
        }
        assertEquals(200, node.delete("/pony/1").statusCode(), "once the log takes it, the destroy goes through");
        assertEquals(1, node.sql("SELECT 1 FROM herald_log WHERE rooms @> ARRAY['pony 1'] AND position('refuse-me'::bytea in body) > 0").size(),
                "logged once, with the destroyed record as it was");
    }

    @Test
    void haystackEntityMessagesAreLoggedAndResumable() {
        String id = java.util.UUID.randomUUID().toString();
        assertEquals(200, node.post("/api/createRec", new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                .put("cols", new JsonArray().add(new JsonObject().put("name", "id")).add(new JsonObject().put("name", "dis")).add(new JsonObject().put("name", "site")))
                .put("rows", new JsonArray().add(new JsonObject().put("id", "r:" + id).put("dis", "s:Resumed Site").put("site", "m:")))).statusCode());
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), null)) {
            JsonObject reply = s.ask("herald.subscribe", new JsonObject().put("model", "entity").put("ids", new JsonArray().add(id)),
                    node.adminToken()).getJsonObject("body");
            assertEquals(new JsonArray().add(id), reply.getJsonArray("subscribed"), reply.encode());
            s.close();
            assertEquals(200, node.post("/api/deleteRec", new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                    .put("cols", new JsonArray().add(new JsonObject().put("name", "id")))
                    .put("rows", new JsonArray().add(new JsonObject().put("id", "r:" + id))))
                    .statusCode());
            try (TestSocket back = TestSocket.connect(node.vertx(), node.port(), null)) {
                JsonObject resumed = back.ask("herald.subscribe", new JsonObject().put("model", "entity").put("ids", new JsonArray().add(id))
                        .put("since", reply.getString("seq")).put("epoch", reply.getString("epoch")), node.adminToken()).getJsonObject("body");
                List<JsonObject> replayed = back.framesBeforeReply("entity");
                assertEquals(1, replayed.size(), "before the reply: " + replayed + "; after: " + back.notificationFrames("entity", 300));
                assertEquals(1, resumed.getInteger("replayed"), resumed.encode());
                assertEquals("destroyed", replayed.get(0).getJsonObject("body").getString("verb"));
                assertEquals(new JsonArray().add(id), resumed.getJsonArray("notFound"));
            }
        }
    }

    @Test
    void aNumberTakenByATransactionThatRolledBackHoldsNothingUp() {
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), null)) {
            s.ask("herald.subscribe", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(2)), node.adminToken());
            SqlConnection conn = connection();
            long lost;
            try {
                conn.query("BEGIN").execute().await();
                lost = NotificationLog.append(Sql.reads(conn), one("never", 2)).await();
                conn.query("ROLLBACK").execute().await();
            } finally {
                conn.close();
            }
            // the next publication leaves a gap no publication will ever fill: the node proves it empty and goes on
            assertEquals(200, node.patch("/pony/2", new JsonObject().put("hobby", "after the gap")).statusCode());
            JsonObject frame = s.await(f -> "pony".equals(f.getString("address")));
            assertEquals("updated", frame.getJsonObject("body").getString("verb"));
            assertTrue(Long.parseLong(frame.getJsonObject("headers").getString("seq")) > lost);
        }
    }

    @Test
    void aSocketWhoseResumeCannotKeepUpIsClosedNotSilentlyThinned() throws Exception {
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), null)) {
            JsonObject watching = s.ask("herald.watch", new JsonObject().put("model", "entity"), node.adminToken()).getJsonObject("body");
            SqlConnection blocker = connection();
            try {
                // the resume's replay cannot be read while this holds herald_meta: its frames pile up
                blocker.query("BEGIN").execute().await();
                blocker.query("LOCK TABLE herald_meta IN ACCESS EXCLUSIVE MODE").execute().await();
                s.send(new JsonObject().put("type", "send").put("address", "herald.watch").put("replyAddress", "resume")
                        .put("headers", new JsonObject().put("authorization", "Bearer " + node.adminToken()))
                        .put("body", new JsonObject().put("model", "entity").put("since", watching.getString("seq")).put("epoch", watching.getString("epoch"))));
                Thread.sleep(300);
                for (int from = 0; from <= dev.herald.realtime.ResumeLimits.MAX_HELD && !s.isClosed(); from += 1000) {
                    JsonArray rows = new JsonArray();
                    for (int i = 0; i < 1000; i++) {
                        rows.add(new JsonObject().put("dis", "s:e" + (from + i)).put("point", "m:"));
                    }
                    assertEquals(200, node.post("/api/createRec", new JsonObject().put("meta", new JsonObject().put("ver", "2.0"))
                            .put("cols", new JsonArray().add(new JsonObject().put("name", "dis")).add(new JsonObject().put("name", "point")))
                            .put("rows", rows)).statusCode());
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!s.isClosed() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(s.isClosed(), "closed once more than MAX_HELD frames waited for its resume");
            } finally {
                blocker.query("ROLLBACK").execute().await();
                blocker.close();
            }
        }
    }
}
