package dev.herald.realtime;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** The server side of the Vert.x event-bus bridge frame format. */
final class Frames {
    private Frames() {
    }

    static Buffer rec(String address, Object body) {
        return new JsonObject().put("type", "rec").put("address", address).put("body", body).toBuffer();
    }

    /** A {@code rec} frame around a body that is already JSON, spliced in as it is. */
    static Buffer rec(String address, Buffer jsonBody) {
        return rec(address, jsonBody, 0);
    }

    /**
     * A notification frame: a {@code rec} frame around a message that is already JSON, with its log
     * position in {@code headers.seq} (a decimal string; no headers when the log is off, {@code seq} 0).
     */
    static Buffer rec(String address, Buffer jsonBody, long seq) {
        JsonObject frame = new JsonObject().put("type", "rec").put("address", address);
        if (seq > 0) {
            frame.put("headers", new JsonObject().put("seq", Long.toString(seq)));
        }
        Buffer head = frame.toBuffer();
        return Buffer.buffer(head.length() + jsonBody.length() + 8)
                .appendBuffer(head, 0, head.length() - 1)
                .appendString(",\"body\":")
                .appendBuffer(jsonBody)
                .appendString("}");
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
