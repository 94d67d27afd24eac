package dev.herald.haystack.sql;

import dev.herald.haystack.json.HaystackFormatException;
import dev.herald.haystack.value.Bool;
import dev.herald.haystack.value.Coord;
import dev.herald.haystack.value.Date;
import dev.herald.haystack.value.DateTime;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Marker;
import dev.herald.haystack.value.Na;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Remove;
import dev.herald.haystack.value.Str;
import dev.herald.haystack.value.Symbol;
import dev.herald.haystack.value.Time;
import dev.herald.haystack.value.Uri;
import dev.herald.haystack.value.XStr;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How an entity's tags are stored in {@code entity.tags} (JSONB).
 *
 * <p>The column is a JSON object from tag name to stored value. A List is a JSON array of stored
 * values, a Dict a JSON object of the same shape as the column, and every scalar a small object
 * whose {@code "_k"} names its kind (no tag name starts with {@code _}, so the two never mix):
 *
 * <pre>
 * Marker   {"_k":"m"}                   NA     {"_k":"z"}
 * Bool     {"_k":"b","v":true}          Str    {"_k":"s","v":"text"}
 * Number   {"_k":"n","v":12.5,"u":"°F"}  (unitless: "u":null; "v" is "INF", "-INF" or "NaN" when not finite)
 * Uri      {"_k":"u","v":"http://x"}    Symbol {"_k":"y","v":"hot-water"}
 * Ref      {"_k":"r","v":"1ccbe79f-...","d":"Display"}   ("d" only when the Ref has display text)
 * Date     {"_k":"d","v":"2016-01-01"}  Time   {"_k":"h","v":"08:30:00"}
 * DateTime {"_k":"t","v":"2020-09-01T01:00:00-04:00","tz":"New_York"}
 * Coord    {"_k":"c","lat":37.545,"lng":-77.449}
 * XStr     {"_k":"x","t":"Bin","v":"text/plain"}
 * </pre>
 *
 * Why this shape: each scalar has a fixed set of keys, so JSONB containment is value equality
 * ({@code tags @> {"num":{"_k":"n","v":75,"u":null}}}) and indexable, and a Ref ignores its display
 * text. Numbers are exact decimals, so PostgreSQL's text of the number is {@link Num#valueText()}.
 * Text values are canonical ({@link Time#text()}, ISO dates, four-digit years), so they order
 * correctly as text. Remove is never stored; strings must be valid PostgreSQL text (no NUL).
 */
public final class TagStorage {

    static final String KIND = "_k";
    private static final JsonFactory JSON = new JsonFactory();

    private TagStorage() {
    }

    public static JsonObject encode(Dict tags) {
        return encodeDict(tags, "tags");
    }

    public static Dict decode(JsonObject stored) {
        return decodeDict(stored, "tags");
    }

    /**
     * The same as {@link #decode(JsonObject)} for the column's text ({@code tags::text}), read in one
     * streaming pass without building a JSON tree first: what a large deleteRec reads.
     */
    public static Dict decode(String stored) {
        try (JsonParser p = JSON.createParser(stored)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new HaystackFormatException("tags", "stored tags are not a JSON object");
            }
            HaystackValue tags = readObject(p, "tags");
            if (!(tags instanceof Dict dict) || p.nextToken() != null) {
                throw new HaystackFormatException("tags", "stored tags are not a JSON object");
            }
            return dict;
        } catch (java.io.IOException e) {
            throw new HaystackFormatException("tags", "stored tags are not JSON: " + e.getMessage());
        }
    }

    /** The value whose first token was just read, at {@code location}. */
    private static HaystackValue readValue(JsonParser p, String location) throws java.io.IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.START_OBJECT) {
            return readObject(p, location);
        }
        if (token == JsonToken.START_ARRAY) {
            List<HaystackValue> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(readValue(p, location + "[" + items.size() + "]"));
            }
            return new HaystackList(items);
        }
        throw new HaystackFormatException(location, "stored value is not a JSON object or array");
    }

    /**
     * An object: a scalar when it has {@value #KIND} (its fields are collected first: JSONB orders keys by
     * length, so the kind comes after {@code v}), else a Dict.
     */
    private static HaystackValue readObject(JsonParser p, String location) throws java.io.IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        boolean nested = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                fields.put(name, readValue(p, location + "." + name));
                nested = true;
            } else if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
                fields.put(name, p.getDecimalValue());
            } else if (value == JsonToken.VALUE_STRING) {
                fields.put(name, p.getText());
            } else if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
                fields.put(name, value == JsonToken.VALUE_TRUE);
            } else {
                fields.put(name, null);
            }
        }
        if (fields.containsKey(KIND) && !nested) {
            JsonObject scalar = new JsonObject(fields);
            try {
                return decodeScalar(scalar);
            } catch (RuntimeException e) {
                throw new HaystackFormatException(location, "malformed stored value " + scalar.encode());
            }
        }
        Map<String, HaystackValue> tags = new LinkedHashMap<>();
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            if (!(field.getValue() instanceof HaystackValue value)) {
                throw new HaystackFormatException(location + "." + field.getKey(), "stored value is not a JSON object or array");
            }
            tags.put(field.getKey(), value);
        }
        return new Dict(tags);
    }

    /** The entity's UUID, from its {@code id} tag, which must be a Ref to a lower-case UUID. */
    public static UUID entityId(Dict tags) {
        if (!(tags.get("id") instanceof Ref ref)) {
            throw new HaystackFormatException("tags.id", "an entity needs a Ref id");
        }
        try {
            UUID id = UUID.fromString(ref.id());
            if (id.toString().equals(ref.id())) {
                return id;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new HaystackFormatException("tags.id", "'" + ref.id() + "' is not a lower-case UUID");
    }

    static Object encodeValue(HaystackValue value, String location) {
        if (value instanceof HaystackList list) {
            JsonArray array = new JsonArray();
            for (int i = 0; i < list.items().size(); i++) {
                array.add(encodeValue(list.items().get(i), location + "[" + i + "]"));
            }
            return array;
        }
        if (value instanceof Dict dict) {
            return encodeDict(dict, location);
        }
        return encodeScalar(value, location);
    }

    private static JsonObject encodeDict(Dict dict, String location) {
        JsonObject json = new JsonObject();
        dict.tags().forEach((name, value) -> {
            String where = location + "." + name;
            if (!Dict.isTagName(name)) {
                throw new HaystackFormatException(where, "'" + name + "' is not a valid tag name");
            }
            json.put(name, encodeValue(value, where));
        });
        return json;
    }

    private static JsonObject encodeScalar(HaystackValue value, String location) {
        if (value instanceof Marker) {
            return kind("m");
        }
        if (value instanceof Na) {
            return kind("z");
        }
        if (value instanceof Remove) {
            throw new HaystackFormatException(location, "Remove cannot be stored");
        }
        if (value instanceof Bool bool) {
            return kind("b").put("v", bool.value());
        }
        if (value instanceof Num num) {
            return kind("n").put("v", number(num)).put("u", num.unit());
        }
        if (value instanceof Str str) {
            return text("s", str.value(), location);
        }
        if (value instanceof Uri uri) {
            return text("u", uri.value(), location);
        }
        if (value instanceof Symbol symbol) {
            return text("y", symbol.name(), location);
        }
        if (value instanceof Ref ref) {
            JsonObject json = text("r", ref.id(), location);
            return ref.dis() == null ? json : json.put("d", storable(ref.dis(), location));
        }
        if (value instanceof Date date) {
            return text("d", date.text(), location);
        }
        if (value instanceof Time time) {
            return text("h", time.text(), location);
        }
        if (value instanceof DateTime dateTime) {
            return text("t", dateTime.isoText(), location).put("tz", dateTime.tz());
        }
        if (value instanceof Coord coord) {
            return kind("c").put("lat", number(Num.of(coord.lat()))).put("lng", number(Num.of(coord.lng())));
        }
        XStr xstr = (XStr) value;
        return text("x", xstr.value(), location).put("t", xstr.type());
    }

    private static JsonObject kind(String kind) {
        return new JsonObject().put(KIND, kind);
    }

    private static JsonObject text(String kind, String text, String location) {
        return kind(kind).put("v", storable(text, location));
    }

    private static Object number(Num num) {
        return Double.isFinite(num.value()) ? new BigDecimal(num.valueText()) : num.valueText();
    }

    private static String storable(String text, String location) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                throw new HaystackFormatException(location, "text with NUL characters cannot be stored");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new HaystackFormatException(location, "text with an unpaired UTF-16 surrogate cannot be stored");
            }
        }
        return text;
    }

    private static Dict decodeDict(JsonObject json, String location) {
        Map<String, HaystackValue> tags = new LinkedHashMap<>();
        for (String name : json.fieldNames()) {
            tags.put(name, decodeValue(json.getValue(name), location + "." + name));
        }
        return new Dict(tags);
    }

    private static HaystackValue decodeValue(Object json, String location) {
        if (json instanceof JsonArray array) {
            List<HaystackValue> items = new ArrayList<>(array.size());
            for (int i = 0; i < array.size(); i++) {
                items.add(decodeValue(array.getValue(i), location + "[" + i + "]"));
            }
            return new HaystackList(items);
        }
        if (!(json instanceof JsonObject object)) {
            throw new HaystackFormatException(location, "stored value is not a JSON object or array");
        }
        if (!object.containsKey(KIND)) {
            return decodeDict(object, location);
        }
        try {
            return decodeScalar(object);
        } catch (RuntimeException e) {
            throw new HaystackFormatException(location, "malformed stored value " + object.encode());
        }
    }

    private static HaystackValue decodeScalar(JsonObject json) {
        String kind = json.getString(KIND);
        return switch (kind) {
            case "m" -> Marker.VALUE;
            case "z" -> Na.VALUE;
            case "b" -> Bool.of(json.getBoolean("v"));
            case "n" -> new Num(number(json.getValue("v")), json.getString("u"));
            case "s" -> new Str(json.getString("v"));
            case "u" -> new Uri(json.getString("v"));
            case "y" -> new Symbol(json.getString("v"));
            case "r" -> new Ref(json.getString("v"), json.getString("d"));
            case "d" -> Date.parse(json.getString("v"));
            case "h" -> Time.parse(json.getString("v"));
            case "t" -> new DateTime(OffsetDateTime.parse(json.getString("v")), json.getString("tz"));
            case "c" -> new Coord(number(json.getValue("lat")), number(json.getValue("lng")));
            case "x" -> new XStr(json.getString("t"), json.getString("v"));
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
    }

    private static double number(Object json) {
        if (json instanceof Number number) {
            return Double.parseDouble(number.toString());
        }
        return switch ((String) json) {
            case "INF" -> Double.POSITIVE_INFINITY;
            case "-INF" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> throw new IllegalArgumentException("not a number: " + json);
        };
    }
}
