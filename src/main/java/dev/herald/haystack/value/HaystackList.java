package dev.herald.haystack.value;

import java.util.List;

/** The List kind. Elements are never null. */
public record HaystackList(List<HaystackValue> items) implements HaystackValue {

    public HaystackList {
        items = List.copyOf(items);
    }

    public static HaystackList of(HaystackValue... items) {
        return new HaystackList(List.of(items));
    }
}
