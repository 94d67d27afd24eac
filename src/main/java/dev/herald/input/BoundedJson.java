package dev.herald.input;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * JSON from clients, bounded (security.md): at most {@value #MAX_DEPTH} levels of nesting, no NUL
 * characters and no lone surrogates in any key or string, no number that JSON cannot write back
 * (infinite or NaN). Every request body, socket frame and criteria text is read through here, so
 * what reaches the database, and every message later built from it, stays within these bounds.
 */
public final class BoundedJson {
    public static final int MAX_DEPTH = 64;

    private BoundedJson() {
    }

    /** Why a value was refused: its shape (nesting) makes it unreadable, or one of its values cannot be stored. */
    public enum Kind { TOO_DEEP, UNSTORABLE }

    /** A value over the bounds; the message says what and where, and is safe to show a client. */
    public static final class Refused extends RuntimeException {
        private final Kind kind;

        Refused(Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    /** Parses JSON text: {@link DecodeException} when it is not JSON, {@link Refused} when it is over the bounds. */
    public static Object decode(Buffer text) {
        Object value = Json.decodeValue(text);
        check(value);
        return value;
    }

    public static Object decode(String text) {
        return decode(Buffer.buffer(text));
    }

    /** Checks a value already decoded (a JSON object, array, string, number, boolean or null). */
    public static void check(Object value) {
        check(value, 0, "the value");
    }

    /** Whether {@code text} can be stored as text: no NUL character, every surrogate in a pair. */
    public static boolean isStorable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static void check(Object value, int depth, String where) {
        if (value instanceof JsonObject || value instanceof Map || value instanceof JsonArray || value instanceof List) {
            if (depth == MAX_DEPTH) {
                throw new Refused(Kind.TOO_DEEP, "JSON is nested more than " + MAX_DEPTH + " levels deep.");
            }
        }
        if (value instanceof JsonObject object) {
            value = object.getMap();
        } else if (value instanceof JsonArray array) {
            value = array.getList();
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                text(key, "a key in " + where);
                check(e.getValue(), depth + 1, "`" + shorten(key) + "`");
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                check(item, depth + 1, where);
            }
        } else if (value instanceof String s) {
            text(s, where);
        } else if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
            throw new Refused(Kind.UNSTORABLE, "A number in " + where + " is too large to store.");
        }
    }

    private static void text(String s, String where) {
        if (!isStorable(s)) {
            throw new Refused(Kind.UNSTORABLE, "A string in " + where + " contains a NUL character or an unpaired surrogate.");
        }
    }

    private static String shorten(String key) {
        return key.length() > 40 ? key.substring(0, 37) + "..." : key;
    }
}
