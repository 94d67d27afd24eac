package dev.herald.haystack;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.herald.haystack.json.Grid;
import dev.herald.haystack.json.GridJson;
import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.json.JsonVersion;
import dev.herald.haystack.sql.TagStorage;
import dev.herald.haystack.value.Bool;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Ref;
import dev.herald.notifications.Notification;
import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The answer and the notifications of one deleteRec, written in one pass: each deleted entity is
 * rendered once, as the row of the response grid, and those same bytes are the {@code previous} of its
 * {@code destroyed} message. The grid is the one {@link EntityStore#grid} and {@link GridJson#encode}
 * would give (columns, {@code ver}, Ref display text), without building a JSON tree per row: a request
 * of 10,000 entities otherwise built and encoded three trees per entity.
 */
final class DeletedRows {
    private static final JsonFactory JSON = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
    private static final byte[] ROWS = ",\"rows\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DESTROYED = "{\"verb\":\"destroyed\",\"id\":\"".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PREVIOUS = "\",\"previous\":".getBytes(StandardCharsets.UTF_8);
    /** A guess at one rendered row, to size the buffer once for a typical point. */
    private static final int ROW_BYTES = 640;

    private DeletedRows() {
    }

    /**
     * The response grid (JSON bytes) and one {@code destroyed} per entity, in order; Refs carry the
     * display text in {@code displays} (by UUID), none when it has none.
     */
    static EntityWrites.Result render(List<Dict> entities, Map<UUID, String> displays) {
        if (entities.isEmpty()) {
            return new EntityWrites.Result(GridJson.encode(Grid.empty(Dict.EMPTY)).toBuffer(), List.of());
        }
        List<Grid.Column> columns = EntityStore.columns(entities);
        Bytes out = new Bytes(64 + entities.size() * ROW_BYTES);
        int[] starts = new int[entities.size()];
        int[] ends = new int[entities.size()];
        try {
            writeHead(out, columns, needsV3(entities));
            for (int i = 0; i < entities.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                starts[i] = out.size();
                writeRow(out, entities.get(i), columns, displays);
                ends[i] = out.size();
            }
            out.write(']');
            out.write('}');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Notification> destroyed = new ArrayList<>(entities.size());
        for (int i = 0; i < entities.size(); i++) {
            byte[] id = TagStorage.entityId(entities.get(i)).toString().getBytes(StandardCharsets.US_ASCII);
            int length = ends[i] - starts[i];
            Buffer message = Buffer.buffer(DESTROYED.length + id.length + PREVIOUS.length + length + 1)
                    .appendBytes(DESTROYED).appendBytes(id).appendBytes(PREVIOUS)
                    .appendBytes(out.array(), starts[i], length).appendByte((byte) '}');
            destroyed.add(Notification.destroyed(EntitiesVerticle.MODEL, new String(id, StandardCharsets.US_ASCII), message));
        }
        return new EntityWrites.Result(Buffer.buffer(out.toByteArray()), destroyed);
    }

    private static boolean needsV3(List<Dict> entities) {
        for (Dict e : entities) {
            for (HaystackValue v : e.tags().values()) {
                if (GridJson.isV3Only(v)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code {"meta":{"ver":..},"cols":[..],"rows":[}: the grid up to its first row. */
    private static void writeHead(Bytes out, List<Grid.Column> columns, boolean v3) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("meta");
            g.writeStringField("ver", (v3 ? JsonVersion.V3 : JsonVersion.V2).text());
            g.writeEndObject();
            g.writeArrayFieldStart("cols");
            for (Grid.Column c : columns) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        out.write(ROWS);
    }

    /**
     * One row, its tags in column order: every Ref, and every Ref directly in a List, with the display
     * text of its target (as {@link EntityStore#grid} rewrites them); everything else as stored.
     */
    private static void writeRow(Bytes out, Dict entity, List<Grid.Column> columns, Map<UUID, String> displays) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            for (Grid.Column c : columns) {
                HaystackValue value = entity.get(c.name());
                if (value == null) {
                    continue;
                }
                g.writeFieldName(c.name());
                if (value instanceof Ref ref) {
                    writeValue(g, shown(ref, displays));
                } else if (value instanceof HaystackList list) {
                    g.writeStartArray();
                    for (HaystackValue item : list.items()) {
                        writeValue(g, item instanceof Ref ref ? shown(ref, displays) : item);
                    }
                    g.writeEndArray();
                } else {
                    writeValue(g, value);
                }
            }
            g.writeEndObject();
        }
    }

    private static Ref shown(Ref ref, Map<UUID, String> displays) {
        UUID target = EntityRefs.uuidOrNull(ref.id());
        return new Ref(ref.id(), target == null ? null : displays.get(target));
    }

    /** A value as {@link HaystackJson#encode} renders it (stored values have no Remove, so 2.0 and 3.0 agree). */
    private static void writeValue(JsonGenerator g, HaystackValue value) throws IOException {
        if (value instanceof Bool bool) {
            g.writeBoolean(bool.value());
        } else if (value instanceof HaystackList list) {
            g.writeStartArray();
            for (HaystackValue item : list.items()) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else if (value instanceof Dict dict) {
            g.writeStartObject();
            for (Map.Entry<String, HaystackValue> tag : dict.tags().entrySet()) {
                g.writeFieldName(tag.getKey());
                writeValue(g, tag.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeString((String) HaystackJson.encode(value, JsonVersion.V3));
        }
    }

    /** The bytes written so far, readable in place. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }
}
