package dev.herald.haystack.json;

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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Haystack JSON v3 ("prefix" encoding) for single values and dicts.
 *
 * <p>Decoding is lenient where the spec and WideSky's clients are: a string without a colon as its
 * second character, or with an unknown prefix, is a Str; {@code x:} and {@code -:} are both Remove in
 * any version; {@code b:<mime>} (JSON 2.0 Bin) becomes {@code XStr("Bin", mime)}; raw JSON numbers
 * are unitless Numbers; a null dict value means the tag is absent. Known prefixes with a malformed
 * payload are errors. Encoding always writes the {@code s:} prefix for strings.
 */
public final class HaystackJson {

    private static final Pattern NUMBER =
            Pattern.compile("(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?|-?INF|NaN)(?: (.+))?", Pattern.DOTALL);
    private static final Pattern COORD =
            Pattern.compile("(-?\\d+(?:\\.\\d+)?),(-?\\d+(?:\\.\\d+)?)");
    private static final Pattern XSTR = Pattern.compile("([A-Z][A-Za-z0-9_]*):(.*)", Pattern.DOTALL);

    private HaystackJson() {
    }

    /** Decodes a JSON value (as held by a {@link JsonObject} or {@link JsonArray}); null stays null. */
    public static HaystackValue decode(Object json, String location) {
        if (json == null) {
            return null;
        }
        if (json instanceof Boolean bool) {
            return Bool.of(bool);
        }
        if (json instanceof Number number) {
            return Num.of(number.doubleValue());
        }
        if (json instanceof String text) {
            return decodeString(text, location);
        }
        if (json instanceof JsonArray array) {
            return decodeList(array, location);
        }
        if (json instanceof JsonObject object) {
            return decodeDict(object, location);
        }
        throw new HaystackFormatException(location, "unsupported JSON value " + json.getClass().getSimpleName());
    }

    public static Dict decodeDict(JsonObject json, String location) {
        Map<String, HaystackValue> tags = new LinkedHashMap<>();
        for (String name : json.fieldNames()) {
            if (name.isEmpty()) {
                throw new HaystackFormatException(location, "empty tag name");
            }
            HaystackValue value = decode(json.getValue(name), location + "." + name);
            if (value != null) {
                tags.put(name, value);
            }
        }
        return new Dict(tags);
    }

    private static HaystackList decodeList(JsonArray json, String location) {
        List<HaystackValue> items = new ArrayList<>(json.size());
        for (int i = 0; i < json.size(); i++) {
            String itemLocation = location + "[" + i + "]";
            HaystackValue item = decode(json.getValue(i), itemLocation);
            if (item == null) {
                throw new HaystackFormatException(itemLocation, "null is not allowed in a List");
            }
            items.add(item);
        }
        return new HaystackList(items);
    }

    private static HaystackValue decodeString(String text, String location) {
        if (text.length() < 2 || text.charAt(1) != ':') {
            return new Str(text);
        }
        String payload = text.substring(2);
        try {
            return switch (text.charAt(0)) {
                case 'm' -> empty(payload, Marker.VALUE, text);
                case 'z' -> empty(payload, Na.VALUE, text);
                case '-' -> empty(payload, Remove.VALUE, text);
                case 'x' -> payload.isEmpty() ? Remove.VALUE : xstr(payload);
                case 'b' -> new XStr("Bin", payload);
                case 's' -> new Str(payload);
                case 'n' -> number(payload);
                case 'r' -> ref(payload);
                case 'u' -> new Uri(payload);
                case 'd' -> Date.parse(payload);
                case 'h' -> Time.parse(payload);
                case 't' -> DateTime.parse(payload);
                case 'c' -> coord(payload);
                case 'y' -> new Symbol(payload);
                default -> new Str(text);
            };
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new HaystackFormatException(location, "invalid value \"" + abbreviate(text) + "\": " + e.getMessage());
        }
    }

    private static HaystackValue empty(String payload, HaystackValue value, String text) {
        if (!payload.isEmpty()) {
            throw new IllegalArgumentException("'" + text.substring(0, 2) + "' takes no payload");
        }
        return value;
    }

    private static Num number(String payload) {
        Matcher m = NUMBER.matcher(payload);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected n:<number>[ <unit>]");
        }
        double value = switch (m.group(1)) {
            case "INF" -> Double.POSITIVE_INFINITY;
            case "-INF" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(m.group(1));
        };
        if (Double.isInfinite(value) && !m.group(1).endsWith("INF")) {
            throw new IllegalArgumentException("number out of range");
        }
        return new Num(value, m.group(2));
    }

    private static Ref ref(String payload) {
        int space = payload.indexOf(' ');
        return space < 0
                ? Ref.of(payload)
                : new Ref(payload.substring(0, space), payload.substring(space + 1));
    }

    private static Coord coord(String payload) {
        Matcher m = COORD.matcher(payload);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected c:<lat>,<lng>");
        }
        return new Coord(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)));
    }

    private static XStr xstr(String payload) {
        Matcher m = XSTR.matcher(payload);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected x:<Type>:<value>");
        }
        return new XStr(m.group(1), m.group(2));
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    /** Encodes a value as a JSON value: a String, Boolean, {@link JsonArray} or {@link JsonObject}. */
    public static Object encode(HaystackValue value, JsonVersion version) {
        if (value instanceof Bool bool) {
            return bool.value();
        }
        if (value instanceof HaystackList list) {
            JsonArray array = new JsonArray();
            list.items().forEach(item -> array.add(encode(item, version)));
            return array;
        }
        if (value instanceof Dict dict) {
            return encodeDict(dict, version);
        }
        return encodeScalar(value, version);
    }

    public static JsonObject encodeDict(Dict dict, JsonVersion version) {
        JsonObject json = new JsonObject();
        dict.tags().forEach((name, value) -> json.put(name, encode(value, version)));
        return json;
    }

    private static String encodeScalar(HaystackValue value, JsonVersion version) {
        if (value instanceof Marker) {
            return "m:";
        }
        if (value instanceof Na) {
            return "z:";
        }
        if (value instanceof Remove) {
            return version == JsonVersion.V2 ? "x:" : "-:";
        }
        if (value instanceof Num num) {
            return "n:" + num.valueText() + (num.unit() == null ? "" : " " + num.unit());
        }
        if (value instanceof Str str) {
            return "s:" + str.value();
        }
        if (value instanceof Uri uri) {
            return "u:" + uri.value();
        }
        if (value instanceof Ref ref) {
            return "r:" + ref.id() + (ref.dis() == null ? "" : " " + ref.dis());
        }
        if (value instanceof Symbol symbol) {
            return "y:" + symbol.name();
        }
        if (value instanceof Date date) {
            return "d:" + date.text();
        }
        if (value instanceof Time time) {
            return "h:" + time.text();
        }
        if (value instanceof DateTime dateTime) {
            return "t:" + dateTime.isoText() + " " + dateTime.tz();
        }
        if (value instanceof Coord coord) {
            return "c:" + Num.of(coord.lat()).valueText() + "," + Num.of(coord.lng()).valueText();
        }
        XStr xstr = (XStr) value;
        return "x:" + xstr.type() + ":" + xstr.value();
    }
}
