package dev.herald.notifications;

import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bytes of a publication: what one node encodes, every node reads back, and anything else is refused. */
@Tier.Unit
class PublicationTest {
    private static final JsonObject ORIGIN = new JsonObject().put("node", "n1").put("subject", "ann").put("socketId", "s-1");
    private static final JsonObject PREVIOUS = new JsonObject().put("name", "Pinkie Pie \u2603 \"quoted\"").put("id", 4)
            .put("toys", new JsonArray().add(new JsonObject().put("id", 9)));

    private static Buffer encode(List<Notification.Change> changes) {
        return Publication.encode(Outgoing.of(changes), 0);
    }

    @Test
    void positionsFollowTheFirstOneChangeByChangeAndZeroMeansUnlogged() {
        Outgoing outgoing = Outgoing.of(List.of(
                new Notification.Change(ORIGIN, List.of(Notification.destroyed("pony", 4L, PREVIOUS), Notification.updated("toy", 9L, new JsonObject()))),
                new Notification.Change(new JsonObject(), List.of()),
                new Notification.Change(ORIGIN, List.of(Notification.created("pony", 12L, new JsonObject())))));
        List<Publication.Received> changes = Publication.decode(Publication.encode(outgoing, 100));
        assertEquals(List.of(100L, 101L), changes.get(0).deliveries().stream().map(Publication.Delivery::seq).toList());
        assertEquals(List.of(102L), changes.get(1).deliveries().stream().map(Publication.Delivery::seq).toList());
        assertEquals(List.of(0L, 0L), Publication.decode(sample()).get(0).deliveries().stream().limit(2).map(Publication.Delivery::seq).toList());
        assertThrows(IllegalArgumentException.class, () -> Publication.decode(Buffer.buffer().appendLong(-5).appendInt(0)));
    }

    private static Buffer sample() {
        return encode(List.of(
                new Notification.Change(ORIGIN, List.of(
                        Notification.destroyed("pony", 4L, PREVIOUS),
                        Notification.updated("toy", 9L, new JsonObject().putNull("owner")),
                        Notification.removedFrom("user", "u-1", "pets", 4L))),
                new Notification.Change(new JsonObject(), List.of()),
                new Notification.Change(new JsonObject().put("node", "n1"), List.of(
                        Notification.created("pony", 12L, new JsonObject().put("name", "New"))))));
    }

    @Test
    void onlyAnOriginThatNamesASocketIsWorthParsingForOneToLeaveOut() {
        List<Publication.Received> changes = Publication.decode(sample());
        assertTrue(changes.get(0).mayNameSocket(), "the origin has a socketId");
        assertFalse(changes.get(1).mayNameSocket(), "a REST origin without one");
        // a value that spells the key quoted is no key: it only costs a parse, never a socket left out wrongly
        Publication.Received named = Publication.decode(encode(List.of(new Notification.Change(
                new JsonObject().put("subject", "socketId"), List.of(Notification.created("pony", 1L, new JsonObject())))))).get(0);
        assertTrue(named.mayNameSocket());
        assertNull(named.origin().getValue("socketId"));
        assertTrue(Publication.contains(Buffer.buffer("{\"socketId\":\"s\"}"), "\"socketId\"".getBytes()));
        assertTrue(Publication.contains(Buffer.buffer("\"socketId\""), "\"socketId\"".getBytes()), "the whole buffer");
        assertFalse(Publication.contains(Buffer.buffer("\"socketI"), "\"socketId\"".getBytes()), "cut short");
        assertFalse(Publication.contains(Buffer.buffer(""), "\"socketId\"".getBytes()));
    }

    @Test
    void everyFieldComesBackAndEveryMessageIsTheSameJson() {
        List<Publication.Received> changes = Publication.decode(sample());

        assertEquals(2, changes.size(), "a change without notifications is not sent");
        assertEquals(ORIGIN, changes.get(0).origin());
        List<Publication.Delivery> first = changes.get(0).deliveries();
        assertEquals(3, first.size());
        assertEquals("pony", first.get(0).model());
        assertEquals(4L, first.get(0).id());
        assertTrue(first.get(0).retire());
        assertFalse(first.get(0).creation());
        assertEquals(new JsonObject().put("verb", "destroyed").put("id", 4).put("previous", PREVIOUS),
                new JsonObject(first.get(0).message()));
        assertEquals("toy", first.get(1).model());
        assertFalse(first.get(1).retire());
        assertEquals("u-1", first.get(2).id(), "string ids stay strings");
        assertEquals(new JsonObject().put("verb", "removedFrom").put("id", "u-1").put("attribute", "pets").put("removedId", 4),
                new JsonObject(first.get(2).message()));

        Publication.Delivery created = changes.get(1).deliveries().get(0);
        assertTrue(created.creation());
        assertEquals(12L, created.id(), "a creation carries the new record's id");
        assertEquals("created", new JsonObject(created.message()).getString("verb"));
    }

    @Test
    void uuidAndStringIdsTravelAsText() {
        String uuid = "5f0c7a0e-93c1-4c35-8d4a-3b1f0a7d9e21";
        Buffer bytes = encode(List.of(new Notification.Change(ORIGIN, List.of(
                Notification.destroyed("entity", uuid, new JsonObject()), Notification.updated("tag", "caf\u00e9", new JsonObject())))));
        List<Publication.Delivery> deliveries = Publication.decode(bytes).get(0).deliveries();
        assertEquals(uuid, deliveries.get(0).id());
        assertEquals("caf\u00e9", deliveries.get(1).id());
    }

    @Test
    void nothingToSayIsNoPublication() {
        assertNull(encode(List.of(new Notification.Change(ORIGIN, List.of()))));
        assertNull(encode(List.of()));
    }

    @Test
    void everyTruncationOfAPublicationIsRefusedAsMalformed() {
        Buffer whole = sample();
        for (int length = 0; length < whole.length(); length++) {
            Buffer cut = whole.getBuffer(0, length);
            assertThrows(IllegalArgumentException.class, () -> Publication.decode(cut), "cut at " + length);
        }
    }

    @Test
    void garbageImpossibleCountsAndTrailingBytesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Publication.decode(Buffer.buffer("{\"origin\":{},\"notifications\":[]}")));
        assertThrows(IllegalArgumentException.class, () -> Publication.decode(Buffer.buffer().appendLong(0).appendInt(Integer.MAX_VALUE)));
        assertThrows(IllegalArgumentException.class, () -> Publication.decode(Buffer.buffer().appendLong(0).appendInt(-1)));
        assertThrows(IllegalArgumentException.class, () -> Publication.decode(sample().appendByte((byte) 0)));
        Buffer badOrigin = Buffer.buffer().appendLong(0).appendInt(1).appendInt(3).appendString("{{{").appendInt(0);
        Publication.Received unreadable = Publication.decode(badOrigin).get(0);
        assertThrows(IllegalArgumentException.class, unreadable::origin, "the origin is read when it is needed");
        Buffer badId = Buffer.buffer().appendLong(0).appendInt(1).appendInt(2).appendString("{}").appendInt(1).appendByte((byte) 0)
                .appendInt(4).appendString("pony").appendByte((byte) 'J').appendInt(2).appendString("{}");
        assertThrows(IllegalArgumentException.class, () -> Publication.decode(badId));
    }

    @Test
    void aMessageThatCannotBeRenderedStillGoesOutWithItsVerbAndId() {
        JsonObject unrenderable = new JsonObject().put("name", "x").put("thing", new Object());
        Buffer bytes = encode(List.of(new Notification.Change(ORIGIN, List.of(
                Notification.destroyed("pony", 4L, unrenderable),
                Notification.removedFrom("user", 2L, "pets", 4L)))));

        List<Publication.Delivery> deliveries = Publication.decode(bytes).get(0).deliveries();
        assertEquals(new JsonObject().put("verb", "destroyed").put("id", 4), new JsonObject(deliveries.get(0).message()));
        assertTrue(deliveries.get(0).retire(), "the room still retires");
        assertEquals(new JsonObject().put("verb", "removedFrom").put("id", 2).put("attribute", "pets").put("removedId", 4),
                new JsonObject(deliveries.get(1).message()));
    }
}
