package dev.herald.haystack.value;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Dict kind, and every entity: tag names to values in insertion order. An absent tag is simply
 * not in the map; null values are refused.
 */
public record Dict(Map<String, HaystackValue> tags) implements HaystackValue {

    public static final Dict EMPTY = new Dict(Map.of());

    public Dict {
        LinkedHashMap<String, HaystackValue> copy = new LinkedHashMap<>();
        tags.forEach((name, value) -> {
            if (name == null || name.isEmpty() || value == null) {
                throw new IllegalArgumentException("a Dict needs non-empty names and non-null values");
            }
            copy.put(name, value);
        });
        tags = Collections.unmodifiableMap(copy);
    }

    public HaystackValue get(String name) {
        return tags.get(name);
    }

    public boolean has(String name) {
        return tags.containsKey(name);
    }

    /** Haystack tag names: a lower-case ASCII letter, then ASCII letters, digits or underscores. */
    public static boolean isTagName(String name) {
        if (name == null || name.isEmpty() || name.charAt(0) < 'a' || name.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
