package dev.herald.haystack.value;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** A timestamp with its UTC offset and Haystack timezone name ({@code New_York}, {@code UTC}). */
public record DateTime(OffsetDateTime value, String tz) implements HaystackValue {

    public DateTime {
        if (value.getYear() < 0 || value.getYear() > 9999) {
            throw new IllegalArgumentException("year out of range 0000-9999: " + value);
        }
        if (tz == null || !tz.matches("[A-Za-z0-9_+\\-/]+")) {
            throw new IllegalArgumentException("invalid timezone name '" + tz + "'");
        }
    }

    /** Parses {@code 2015-06-08T15:47:41-04:00 New_York}; the timezone name is required. */
    public static DateTime parse(String text) {
        int space = text.indexOf(' ');
        if (space < 0) {
            throw new IllegalArgumentException("DateTime '" + text + "' has no timezone name");
        }
        try {
            return new DateTime(OffsetDateTime.parse(text.substring(0, space)), text.substring(space + 1));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid DateTime '" + text + "'");
        }
    }

    /** ISO text with seconds always present and the offset as {@code Z} or {@code ±hh:mm}. */
    public String isoText() {
        return value.toLocalDate() + "T" + Time.text(value.toLocalTime()) + value.getOffset().getId();
    }

    /** The parts haxall lets a filter path into: {@code ->date}, {@code ->time}, {@code ->tz}. */
    public HaystackValue part(String name) {
        return switch (name) {
            case "date" -> new Date(value.toLocalDate());
            case "time" -> new Time(value.toLocalTime());
            case "tz" -> new Str(tz);
            default -> null;
        };
    }
}
