package dev.herald.haystack.json;

/**
 * A value, dict or grid that cannot be decoded. The message names where the problem is, as a path
 * such as {@code rows[2].curVal} or {@code meta.ver}.
 */
public final class HaystackFormatException extends RuntimeException {

    private final String location;

    public HaystackFormatException(String location, String reason) {
        super(location + ": " + reason);
        this.location = location;
    }

    public String location() {
        return location;
    }
}
