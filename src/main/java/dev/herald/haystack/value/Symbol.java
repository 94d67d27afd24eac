package dev.herald.haystack.value;

/** A Haystack 4 symbol such as {@code ^hot-water}; the name excludes the caret. */
public record Symbol(String name) implements HaystackValue {
    public Symbol {
        if (!Ref.isId(name)) {
            throw new IllegalArgumentException("invalid symbol name '" + name + "'");
        }
    }
}
