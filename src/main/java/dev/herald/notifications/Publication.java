package dev.herald.notifications;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bytes of one publication on {@link NotificationAddresses#NOTIFICATIONS}: the changes of one commit.
 * Every message is encoded to JSON once, by the node that committed; a receiving node reads the
 * routing fields without parsing any message, and copies a message's bytes into a frame only when one
 * of its sockets is in the room (the measured cost of decoding and re-encoding every {@code previous}
 * on every node is why this is not a {@code JsonObject}).
 *
 * <p>Layout, big-endian: long position of the first notification in the {@link NotificationLog} (each
 * next notification has the next position; 0 when the log is off; the log keeps what follows it), int change count; per change: int length + origin JSON, int notification
 * count; per notification: byte flags ({@value #RETIRE} retire the room, {@value #CREATION} a
 * creation, for the watchers of the model), int length + model (UTF-8), the id (for a creation, the
 * new record's: byte {@code 'L'} + long, or byte {@code 'S'} + int length + UTF-8), int length +
 * message (JSON).
 */
public final class Publication {
    private static final byte RETIRE = NotificationLog.RETIRE;
    private static final byte CREATION = NotificationLog.CREATION;
    private static final List<String> MINIMAL_FIELDS = List.of("verb", "id", "attribute", "addedId", "removedId");
    private static final Logger LOG = Logger.getLogger(Publication.class.getName());

    private Publication() {
    }

    /**
     * One notification as a receiving node sees it: its log position ({@code seq}, 0 when the log is off),
     * where it goes, and the message still as JSON bytes.
     */
    public record Delivery(long seq, String model, Object id, boolean retire, boolean creation, Buffer message) {
    }

    private static final String SOCKET_ID = "socketId";
    private static final byte[] SOCKET_ID_KEY = ("\"" + SOCKET_ID + "\"").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Whether {@code bytes} holds {@code wanted} anywhere (on a copy: a buffer's bytes one by one cost more). */
    static boolean contains(Buffer bytes, byte[] wanted) {
        byte[] all = bytes.getBytes();
        int last = all.length - wanted.length;
        for (int i = 0; i <= last; i++) {
            if (java.util.Arrays.equals(all, i, i + wanted.length, wanted, 0, wanted.length)) {
                return true;
            }
        }
        return false;
    }

    /** One request's notifications; its origin (who is left out) is parsed only if someone asks. */
    public static final class Received {
        private final Buffer originJson;
        private final List<Delivery> deliveries;
        private JsonObject origin;
        private long committedAt;

        public Received(Buffer originJson, List<Delivery> deliveries) {
            this.originJson = originJson;
            this.deliveries = deliveries;
        }

        /** When the change committed (epoch milliseconds on its node); 0 when unknown (read from the log). */
        public long committedAt() {
            return committedAt;
        }

        /** All {@code changes}, published together, committed at {@code committedAt}. */
        public static void committedAt(List<Received> changes, long committedAt) {
            changes.forEach(c -> c.committedAt = committedAt);
        }

        /** The origin; {@link IllegalArgumentException} when it is not a JSON object. */
        public JsonObject origin() {
            if (origin == null) {
                try {
                    origin = new JsonObject(originJson);
                } catch (DecodeException e) {
                    throw new IllegalArgumentException("the origin of a change is not JSON: " + e.getMessage(), e);
                }
            }
            return origin;
        }

        /**
         * Whether the origin may name a socket to leave out: false when its JSON has no {@code "socketId"}
         * key (a REST or Haystack request), so that the origins of most changes are never parsed. Origins
         * are written by Herald (Jackson escapes no ASCII letter), so the key's bytes are always these.
         */
        public boolean mayNameSocket() {
            return origin != null ? origin.containsKey(SOCKET_ID) : contains(originJson, SOCKET_ID_KEY);
        }

        public List<Delivery> deliveries() {
            return deliveries;
        }

        /** The origin as it travelled, JSON bytes. */
        public Buffer originJson() {
            return originJson;
        }

        /** The same change with only some of its deliveries. */
        public Received with(List<Delivery> some) {
            Received r = new Received(originJson, some);
            r.origin = origin;
            r.committedAt = committedAt;
            return r;
        }
    }

    /**
     * The publication of the prepared changes, whose first notification has log position
     * {@code firstSeq}; null when none of them has a notification.
     */
    static Buffer encode(Outgoing outgoing, long firstSeq) {
        List<Notification.Change> changes = outgoing.changes();
        if (changes.isEmpty()) {
            return null;
        }
        Buffer out = Buffer.buffer(size(outgoing));
        out.appendLong(firstSeq);
        out.appendInt(changes.size());
        int m = 0;
        for (int c = 0; c < changes.size(); c++) {
            Notification.Change change = changes.get(c);
            appendSized(out, outgoing.origins().get(c));
            out.appendInt(change.notifications().size());
            for (Notification n : change.notifications()) {
                out.appendByte(Outgoing.flags(n));
                appendSized(out, Buffer.buffer(n.model(), "UTF-8"));
                appendId(out, Outgoing.room(n));
                appendSized(out, outgoing.messages().get(m++));
            }
        }
        return out;
    }

    /**
     * About the publication's length, so that its buffer is allocated once: the messages and origins,
     * and per notification its flags, lengths, model and an id (a UUID's text, or a number).
     */
    private static int size(Outgoing outgoing) {
        long size = 12;
        for (Buffer origin : outgoing.origins()) {
            size += 8 + origin.length();
        }
        for (Buffer message : outgoing.messages()) {
            size += 64 + message.length();
        }
        return (int) Math.min(Integer.MAX_VALUE - 8, size);
    }

    /**
     * A message's JSON. The change it reports is committed, so a message that cannot be rendered (a
     * defect) still goes out, as its verb, id and link fields without the record, and is logged.
     */
    static Buffer rendered(Notification n) {
        if (n.json() != null) {
            return n.json();
        }
        try {
            return n.message().toBuffer();
        } catch (RuntimeException | StackOverflowError e) {
            LOG.log(Level.SEVERE, "the " + n.message().getValue("verb") + " message for " + n.model() + " " + n.id()
                    + " could not be rendered; it goes out without its record", e);
            JsonObject minimal = new JsonObject();
            for (String field : MINIMAL_FIELDS) {
                Object v = n.message().getValue(field);
                if (v != null && !(v instanceof JsonObject)) {
                    minimal.put(field, v);
                }
            }
            return minimal.toBuffer();
        }
    }

    /** Reads a publication; anything that is not one is an {@link IllegalArgumentException}. */
    public static List<Received> decode(Buffer bytes) {
        return decode(bytes, true, 0);
    }

    /**
     * Reads a publication as the {@link NotificationLog} keeps it: without its leading position, whose
     * value is {@code firstSeq}.
     */
    static List<Received> decodeLogged(Buffer body, long firstSeq) {
        return decode(body, false, firstSeq);
    }

    private static List<Received> decode(Buffer bytes, boolean positioned, long firstSeq) {
        try {
            Reader in = new Reader(bytes);
            long seq = positioned ? in.position() : firstSeq;
            int changes = in.count();
            List<Received> received = new ArrayList<>(changes);
            for (int c = 0; c < changes; c++) {
                Buffer origin = in.sized();
                int notifications = in.count();
                List<Delivery> deliveries = new ArrayList<>(notifications);
                for (int i = 0; i < notifications; i++) {
                    byte flags = in.flags();
                    String model = in.sized().toString(StandardCharsets.UTF_8);
                    Object id = in.id();
                    deliveries.add(new Delivery(seq, model, id, (flags & RETIRE) != 0, (flags & CREATION) != 0, in.sized()));
                    if (seq > 0) {
                        seq++;
                    }
                }
                received.add(new Received(origin, deliveries));
            }
            if (in.position != bytes.length()) {
                throw new IllegalArgumentException("trailing bytes after the last change");
            }
            return received;
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a publication: " + e.getMessage(), e);
        }
    }

    /** Record ids are whole numbers or strings (UUIDs travel as text). */
    private static void appendId(Buffer out, Object id) {
        if (id instanceof Long || id instanceof Integer || id instanceof Short) {
            out.appendByte((byte) 'L').appendLong(((Number) id).longValue());
        } else {
            out.appendByte((byte) 'S');
            appendSized(out, Buffer.buffer(String.valueOf(id), "UTF-8"));
        }
    }

    private static void appendSized(Buffer out, Buffer part) {
        out.appendInt(part.length()).appendBuffer(part);
    }

    private static final class Reader {
        private final Buffer bytes;
        private int position;

        Reader(Buffer bytes) {
            this.bytes = bytes;
        }

        int count() {
            int n = bytes.getInt(position);
            position += 4;
            if (n < 0 || n > bytes.length() - position) {
                throw new IllegalArgumentException("impossible count " + n + " at byte " + (position - 4));
            }
            return n;
        }

        long position() {
            long seq = bytes.getLong(position);
            position += 8;
            if (seq < 0) {
                throw new IllegalArgumentException("negative log position " + seq);
            }
            return seq;
        }

        byte flags() {
            return bytes.getByte(position++);
        }

        /** A view of the next length-prefixed part; the publication is never written to. */
        Buffer sized() {
            int length = count();
            Buffer part = bytes.slice(position, position + length);
            position += length;
            return part;
        }

        Object id() {
            byte type = flags();
            if (type == 'L') {
                long id = bytes.getLong(position);
                position += 8;
                return id;
            }
            if (type == 'S') {
                return sized().toString(StandardCharsets.UTF_8);
            }
            throw new IllegalArgumentException("unknown id type " + type);
        }
    }
}
