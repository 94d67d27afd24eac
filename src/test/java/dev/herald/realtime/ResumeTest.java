package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resume (DESIGN §8): a socket that comes back with {@code since} and {@code epoch} gets exactly the
 * logged notifications it missed, in order, before the reply, then live ones, nothing twice; or an
 * explicit resync; a {@code since} that is no position is a 400.
 */
@Tier.Component
class ResumeTest {
    static final String MODELS = """
            item:
              attributes:
                name:  { type: string }
                owner: { model: holder }
            holder:
              attributes:
                name:  { type: string }
                items: { collection: item, via: owner }
            """;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels(MODELS);

    private List<Long> items(int n) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(node.create("item", new JsonObject().put("name", "item " + i)));
        }
        return ids;
    }

    private JsonObject subscribe(TestSocket s, List<Long> ids, String since, String epoch) {
        JsonObject body = new JsonObject().put("model", "item").put("ids", new JsonArray(new ArrayList<>(ids)));
        if (since != null) {
            body.put("since", since).put("epoch", epoch);
        }
        return s.ask("herald.subscribe", body, node.adminToken());
    }

    private TestSocket socket() {
        return TestSocket.connect(node.vertx(), node.port(), null);
    }

    private static long seq(JsonObject frame) {
        return Long.parseLong(frame.getJsonObject("headers").getString("seq"));
    }

    private static void assertIncreasing(List<JsonObject> frames) {
        for (int i = 1; i < frames.size(); i++) {
            assertTrue(seq(frames.get(i)) > seq(frames.get(i - 1)), "seqs strictly increase: " + frames);
        }
    }

    @Test
    void aSocketThatWasAwayGetsExactlyWhatItMissedInOrderBeforeTheReplyThenLive() {
        List<Long> ids = items(6);
        String since;
        String epoch;
        try (TestSocket first = socket()) {
            JsonObject reply = subscribe(first, ids, null, null).getJsonObject("body");
            epoch = reply.getString("epoch");
            assertEquals(200, node.patch("/item/" + ids.get(0), new JsonObject().put("name", "seen")).statusCode());
            JsonObject seen = first.await(f -> "item".equals(f.getString("address")));
            assertTrue(seq(seen) > Long.parseLong(reply.getString("seq")), "a frame after the subscribe has a larger seq");
            since = seen.getJsonObject("headers").getString("seq");
        }
        // away: two destroys, one update, and a change to a record it never subscribed to
        assertEquals(200, node.delete("/item/" + ids.get(1)).statusCode());
        assertEquals(200, node.patch("/item/" + ids.get(2), new JsonObject().put("name", "changed")).statusCode());
        assertEquals(200, node.delete("/item/" + ids.get(3)).statusCode());
        long other = node.create("item", new JsonObject().put("name", "not mine"));
        assertEquals(200, node.delete("/item/" + other).statusCode());

        try (TestSocket back = socket()) {
            JsonObject reply = subscribe(back, ids, since, epoch);
            List<JsonObject> replayed = back.framesBeforeReply("item");
            assertEquals(List.of("destroyed " + ids.get(1), "updated " + ids.get(2), "destroyed " + ids.get(3)),
                    replayed.stream().map(f -> f.getJsonObject("body").getString("verb") + " " + f.getJsonObject("body").getLong("id")).toList());
            assertIncreasing(replayed);
            assertTrue(seq(replayed.get(0)) > Long.parseLong(since));
            JsonObject body = reply.getJsonObject("body");
            assertEquals(3, body.getInteger("replayed"));
            assertFalse(body.getBoolean("resync"));
            assertEquals(new JsonArray().add(ids.get(1)).add(ids.get(3)), body.getJsonArray("notFound"), "destroyed ones are not found");
            assertTrue(Long.parseLong(body.getString("seq")) >= seq(replayed.get(2)));

            assertEquals(200, node.delete("/item/" + ids.get(4)).statusCode());
            JsonObject live = back.await(f -> "item".equals(f.getString("address")));
            assertEquals(ids.get(4), live.getJsonObject("body").getLong("id"));
            assertTrue(seq(live) > Long.parseLong(body.getString("seq")));
            assertEquals(List.of(), back.notificationFrames("item", 200), "nothing twice");
        }
    }

    @Test
    void resumingDuringAStormOfDestroysMissesNothingAndDoublesNothingAtTheBoundary() throws Exception {
        List<Long> ids = items(120);
        JsonObject start;
        try (TestSocket s = socket()) {
            start = subscribe(s, ids, null, null).getJsonObject("body");
        }
        // destroys keep committing while the socket resumes from before all of them
        CompletableFuture<List<HttpResponse<Buffer>>> storm = CompletableFuture.supplyAsync(() -> node.destroyAtOnce("item", ids));
        try (TestSocket back = socket()) {
            Thread.sleep(5);
            JsonObject reply = subscribe(back, ids, start.getString("seq"), start.getString("epoch")).getJsonObject("body");
            assertFalse(reply.getBoolean("resync"));
            List<JsonObject> frames = new ArrayList<>(back.framesBeforeReply("item"));
            assertTrue(frames.size() >= reply.getInteger("replayed"), "the replay, and the live frames held meanwhile, come before the reply");
            storm.get().forEach(r -> assertEquals(200, r.statusCode()));
            frames.addAll(back.notificationFrames("item", 1500));

            assertIncreasing(frames);
            Set<Long> destroyed = new HashSet<>();
            for (JsonObject f : frames) {
                assertEquals("destroyed", f.getJsonObject("body").getString("verb"));
                assertTrue(destroyed.add(f.getJsonObject("body").getLong("id")), "once: " + f);
            }
            assertEquals(new HashSet<>(ids), destroyed, "every destroy exactly once, replayed or live");
        }
    }

    @Test
    void anotherEpochOrPrunedHistoryAnswersResyncAndReplaysNothing() {
        List<Long> ids = items(2);
        try (TestSocket s = socket()) {
            JsonObject first = subscribe(s, ids, null, null).getJsonObject("body");
            assertEquals(200, node.delete("/item/" + ids.get(0)).statusCode());
            s.await(f -> "item".equals(f.getString("address")));

            try (TestSocket other = socket()) {
                JsonObject reply = subscribe(other, ids, "0", "some-other-log").getJsonObject("body");
                assertTrue(reply.getBoolean("resync"));
                assertEquals(0, reply.getInteger("replayed"));
                assertEquals(List.of(), other.framesBeforeReply("item"));
                assertEquals(new JsonArray().add(ids.get(1)), reply.getJsonArray("subscribed"), "still subscribed, live");
            }
            // the log no longer reaches back: everything up to now is pruned
            node.sql("UPDATE herald_meta SET value = (SELECT max(last) FROM herald_log)::text WHERE key = 'log.pruned'");
            try (TestSocket old = socket()) {
                JsonObject reply = subscribe(old, ids, first.getString("seq"), first.getString("epoch")).getJsonObject("body");
                assertTrue(reply.getBoolean("resync"), "since is older than the log: " + reply);
                assertEquals(List.of(), old.framesBeforeReply("item"));
            }
        }
    }

    @Test
    void aSinceThatIsNoPositionOrIsAheadOfTheLogIsA400() {
        List<Long> ids = items(1);
        try (TestSocket s = socket()) {
            String epoch = subscribe(s, ids, null, null).getJsonObject("body").getString("epoch");
            for (Object bad : List.of("abc", "-1", "1.5", " 12", "", "99999999999999999999", new JsonObject(), new JsonArray(), -3, 1.5, true)) {
                JsonObject body = new JsonObject().put("model", "item").put("ids", new JsonArray().add(ids.get(0)))
                        .put("since", bad).put("epoch", epoch);
                JsonObject reply = s.ask("herald.subscribe", body, node.adminToken());
                assertEquals("err", reply.getString("type"), "since " + bad + ": " + reply);
                assertEquals(400, reply.getInteger("failureCode"));
                JsonObject watch = s.ask("herald.watch", new JsonObject().put("model", "item").put("since", bad).put("epoch", epoch), node.adminToken());
                assertEquals(400, watch.getInteger("failureCode"), "watch since " + bad);
            }
            JsonObject noEpoch = s.ask("herald.subscribe", new JsonObject().put("model", "item").put("ids", new JsonArray()).put("since", "1"), node.adminToken());
            assertEquals(400, noEpoch.getInteger("failureCode"), "since needs its epoch");
            long head = node.sql("SELECT max(last) FROM herald_log").get(0).getLong(0);
            JsonObject ahead = subscribe(s, ids, String.valueOf(head + 1000), epoch);
            assertEquals("err", ahead.getString("type"));
            assertEquals(400, ahead.getInteger("failureCode"));
            assertTrue(ahead.getString("message").contains("ahead"), ahead.encode());
        }
    }

    @Test
    void aResumedWatchReplaysCreationsAndTheLaterMessagesOfTheRecordsCreatedSince() {
        try (TestSocket s = socket()) {
            JsonObject watching = s.ask("herald.watch", new JsonObject().put("model", "holder"), node.adminToken()).getJsonObject("body");
            assertEquals("holder", watching.getString("watching"));
            String since = watching.getString("seq");
            String epoch = watching.getString("epoch");
            s.close();
            long kept = node.create("holder", new JsonObject().put("name", "kept"));
            long gone = node.create("holder", new JsonObject().put("name", "gone"));
            assertEquals(200, node.patch("/holder/" + kept, new JsonObject().put("name", "kept, renamed")).statusCode());
            assertEquals(200, node.delete("/holder/" + gone).statusCode());

            try (TestSocket back = socket()) {
                JsonObject reply = back.ask("herald.watch", new JsonObject().put("model", "holder").put("since", since).put("epoch", epoch),
                        node.adminToken()).getJsonObject("body");
                List<String> replayed = back.framesBeforeReply("holder").stream()
                        .map(f -> f.getJsonObject("body").getString("verb") + " " + f.getJsonObject("body").getLong("id")).toList();
                assertEquals(List.of("created " + kept, "created " + gone, "updated " + kept, "destroyed " + gone), replayed);
                assertEquals(4, reply.getInteger("replayed"));
                assertFalse(reply.getBoolean("resync"));
                // it joined the room of the record created while it was away
                assertEquals(200, node.delete("/holder/" + kept).statusCode());
                JsonObject live = back.await(f -> "holder".equals(f.getString("address")));
                assertEquals("destroyed", live.getJsonObject("body").getString("verb"));
                assertEquals(kept, live.getJsonObject("body").getLong("id"));
            }
        }
    }

    @Test
    void anAutosubscribingVirtualGetSaysWhereLiveDeliveryStarts() {
        List<Long> ids = items(1);
        try (TestSocket s = socket()) {
            JsonObject got = s.request("GET", "/item/" + ids.get(0), null, node.adminToken());
            assertEquals(200, got.getInteger("statusCode"));
            String from = got.getJsonObject("headers").getString("X-Herald-Seq");
            assertTrue(from != null && from.matches("[0-9]+"), got.encode());
            assertEquals(200, node.call(HttpMethod.DELETE, "/item/" + ids.get(0), null).statusCode());
            JsonObject destroyed = s.await(f -> "item".equals(f.getString("address")));
            assertTrue(seq(destroyed) > Long.parseLong(from));
        }
    }

    @Test
    void twoResumesOfOneSocketSentTogetherAreReplayedAsOneOrderedStream() {
        List<Long> a = items(3);
        long holder = node.create("holder", new JsonObject().put("name", "h"));
        String since;
        String epoch;
        try (TestSocket s = socket()) {
            JsonObject r = subscribe(s, a, null, null).getJsonObject("body");
            since = r.getString("seq");
            epoch = r.getString("epoch");
        }
        // interleaved changes of two models while away
        node.delete("/item/" + a.get(0));
        node.patch("/holder/" + holder, new JsonObject().put("name", "h2"));
        node.delete("/item/" + a.get(1));
        node.patch("/holder/" + holder, new JsonObject().put("name", "h3"));
        try (TestSocket back = socket()) {
            String token = "Bearer " + node.adminToken();
            back.send(new JsonObject().put("type", "send").put("address", "herald.subscribe").put("replyAddress", "one")
                    .put("headers", new JsonObject().put("authorization", token))
                    .put("body", new JsonObject().put("model", "item").put("ids", new JsonArray(new ArrayList<>(a))).put("since", since).put("epoch", epoch)));
            back.send(new JsonObject().put("type", "send").put("address", "herald.subscribe").put("replyAddress", "two")
                    .put("headers", new JsonObject().put("authorization", token))
                    .put("body", new JsonObject().put("model", "holder").put("ids", new JsonArray().add(holder)).put("since", since).put("epoch", epoch)));
            JsonObject one = back.await(f -> "one".equals(f.getString("address"))).getJsonObject("body");
            JsonObject two = back.await(f -> "two".equals(f.getString("address"))).getJsonObject("body");
            assertFalse(one.getBoolean("resync"), one.encode());
            assertFalse(two.getBoolean("resync"), two.encode());
            assertEquals(2, one.getInteger("replayed"));
            assertEquals(2, two.getInteger("replayed"));
            List<JsonObject> all = new ArrayList<>(back.framesBeforeReply("item"));
            all.addAll(back.framesBeforeReply("holder"));
            all.sort((x, y) -> Long.compare(seq(x), seq(y)));
            assertEquals(4, all.size());
        }
    }
}
