package dev.herald.realtime;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The server side of the Vert.x event-bus bridge frame format. */
final class Frames {
    private Frames() {
    }

    static Buffer rec(String address, Object body) {
        return new JsonObject().put("type", "rec").put("address", address).put("body", body).toBuffer();
    }

    private static final byte[] HEADERS = ",\"headers\":{\"seq\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY = ",\"body\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY_AFTER_HEADERS = "\"},\"body\":".getBytes(StandardCharsets.US_ASCII);
    /** {@code {"type":"rec","address":"<model>"} by model identity: a bounded set, every notification frame starts so. */
    private static final Map<String, byte[]> NOTIFICATION_HEADS = new ConcurrentHashMap<>();

    /** A {@code rec} frame around a body that is already JSON, spliced in as it is. */
    static Buffer rec(String address, Buffer jsonBody) {
        byte[] head = head(address);
        return Buffer.buffer(head.length + BODY.length + jsonBody.length() + 1)
                .appendBytes(head).appendBytes(BODY).appendBuffer(jsonBody).appendByte((byte) '}');
    }

    /**
     * A notification frame: a {@code rec} frame around a message that is already JSON, with its log
     * position in {@code headers.seq} (a decimal string; no headers when the log is off, {@code seq} 0).
     * Written straight into one buffer: a large deleteRec sends tens of thousands of them.
     */
    static Buffer rec(String model, Buffer jsonBody, long seq) {
        if (seq <= 0) {
            return rec(model, jsonBody);
        }
        byte[] head = NOTIFICATION_HEADS.computeIfAbsent(model, Frames::head);
        byte[] position = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
        return Buffer.buffer(head.length + HEADERS.length + position.length + BODY_AFTER_HEADERS.length + jsonBody.length() + 1)
                .appendBytes(head).appendBytes(HEADERS).appendBytes(position).appendBytes(BODY_AFTER_HEADERS)
                .appendBuffer(jsonBody).appendByte((byte) '}');
    }

    /** {@code {"type":"rec","address":"<address>"}, without its closing brace. */
    private static byte[] head(String address) {
        Buffer head = new JsonObject().put("type", "rec").put("address", address).toBuffer();
        return head.getBytes(0, head.length() - 1);
    }

    /** An {@code err} frame: protocol-level problems only, with an HTTP-like code. */
    static Buffer err(int code, String address, String message) {
        JsonObject frame = new JsonObject().put("type", "err").put("failureCode", code)
                .put("failureType", "RECIPIENT_FAILURE").put("message", message);
        if (address != null) {
            frame.put("address", address);
        }
        return frame.toBuffer();
    }
}
