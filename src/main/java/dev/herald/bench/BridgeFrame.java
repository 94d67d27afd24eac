package dev.herald.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * What the bench's sockets read of an event-bus bridge frame: its {@code address}, {@code body.verb},
 * {@code body.id} (a {@code Long} for records, a {@code String} for entities) and whether the body has a
 * {@code previous} object, read with the streaming parser and the rest skipped: the driver shares the
 * machine with what it measures, so it spends as little as it can. Not a frame: all null.
 */
record BridgeFrame(String address, String verb, Object id, boolean previous) {
    private static final JsonFactory JSON = new JsonFactory();
    private static final BridgeFrame NONE = new BridgeFrame(null, null, null, false);

    static BridgeFrame of(Buffer data) {
        String address = null;
        String verb = null;
        Object id = null;
        boolean previous = false;
        try (JsonParser p = JSON.createParser(data.getBytes())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return NONE;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("address") && value == JsonToken.VALUE_STRING) {
                    address = p.getText();
                } else if (name.equals("body") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken v = p.nextToken();
                        if (field.equals("verb") && v == JsonToken.VALUE_STRING) {
                            verb = p.getText();
                        } else if (field.equals("id") && v == JsonToken.VALUE_NUMBER_INT) {
                            id = p.getLongValue();
                        } else if (field.equals("id") && v == JsonToken.VALUE_STRING) {
                            id = p.getText();
                        } else {
                            previous |= field.equals("previous") && v == JsonToken.START_OBJECT;
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return NONE;
        }
        return new BridgeFrame(address, verb, id, previous);
    }
}
