package dev.herald.haystack.value;

import java.time.LocalDate;

/** A calendar date; years are limited to 0000-9999 so that the ISO text sorts chronologically. */
public record Date(LocalDate value) implements HaystackValue {

    public Date {
        if (value.getYear() < 0 || value.getYear() > 9999) {
            throw new IllegalArgumentException("year out of range 0000-9999: " + value);
        }
    }

    public static Date parse(String text) {
        if (!text.matches("\\d{4}-\\d{2}-\\d{2}")) {
            throw new IllegalArgumentException("invalid Date '" + text + "', expected YYYY-MM-DD");
        }
        return new Date(LocalDate.parse(text));
    }

    public String text() {
        return value.toString();
    }
}
