package dev.herald.haystack.value;

import java.time.LocalTime;

/**
 * A time of day. Its canonical text is {@code HH:mm:ss} plus a fraction without trailing zeros when
 * the time has one; that text sorts chronologically.
 */
public record Time(LocalTime value) implements HaystackValue {

    public static Time parse(String text) {
        if (!text.matches("\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?")) {
            throw new IllegalArgumentException("invalid Time '" + text + "', expected hh:mm[:ss[.fff]]");
        }
        String padded = text.indexOf(':') == 1 ? "0" + text : text;
        return new Time(LocalTime.parse(padded));
    }

    public String text() {
        return text(value);
    }

    static String text(LocalTime time) {
        String hms = String.format("%02d:%02d:%02d", time.getHour(), time.getMinute(), time.getSecond());
        if (time.getNano() == 0) {
            return hms;
        }
        String fraction = String.format("%09d", time.getNano()).replaceFirst("0+$", "");
        return hms + "." + fraction;
    }
}
