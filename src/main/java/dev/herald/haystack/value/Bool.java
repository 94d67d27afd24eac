package dev.herald.haystack.value;

public record Bool(boolean value) implements HaystackValue {
    public static final Bool TRUE = new Bool(true);
    public static final Bool FALSE = new Bool(false);

    public static Bool of(boolean value) {
        return value ? TRUE : FALSE;
    }
}
