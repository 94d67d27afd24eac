package dev.herald.haystack.value;

/**
 * A Haystack value of one of the kinds of Haystack 3 plus Symbol (Haystack 4). A tag that is absent
 * is represented by {@code null}, never by a value.
 */
public sealed interface HaystackValue
        permits Marker, Na, Remove, Bool, Num, Str, Uri, Ref, Symbol, Date, Time, DateTime, Coord, XStr,
        HaystackList, Dict {
}
