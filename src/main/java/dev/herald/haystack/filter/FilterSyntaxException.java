package dev.herald.haystack.filter;

/**
 * A filter that does not parse. {@link #position()} is the 0-based offset, in UTF-16 chars, of the
 * offending character in the filter text; the message reads
 * {@code "<reason> at position <n>"}.
 */
public final class FilterSyntaxException extends RuntimeException {

    private final int position;
    private final String reason;

    public FilterSyntaxException(String reason, int position) {
        super(reason + " at position " + position);
        this.position = position;
        this.reason = reason;
    }

    public int position() {
        return position;
    }

    public String reason() {
        return reason;
    }
}
