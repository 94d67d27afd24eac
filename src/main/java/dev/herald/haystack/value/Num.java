package dev.herald.haystack.value;

import java.math.BigDecimal;

/**
 * A Number with an optional unit ({@code null} when unitless). Negative zero is normalised to zero,
 * so that {@code -0 == 0} in every representation; NaN equals NaN.
 */
public record Num(double value, String unit) implements HaystackValue {

    public Num {
        if (unit != null && !isUnit(unit)) {
            throw new IllegalArgumentException("invalid unit '" + unit + "'");
        }
        value = value + 0.0;
    }

    public static Num of(double value) {
        return new Num(value, null);
    }

    /** Units use Zinc's unit characters: letters, {@code % _ / $} and anything above U+007F. */
    public static boolean isUnit(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!isUnitChar(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    public static boolean isUnitChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || c == '%' || c == '_' || c == '/' || c == '$' || (c > 0x7f && !Character.isWhitespace(c));
    }

    /**
     * The value as plain decimal text with no exponent and no trailing zeros ({@code 12.5},
     * {@code 456178901}), or {@code INF}, {@code -INF}, {@code NaN}.
     */
    public String valueText() {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "INF" : "-INF";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /** The value followed by its unit without a space, as in Zinc and filters: {@code 75°F}. */
    public String text() {
        return unit == null ? valueText() : valueText() + unit;
    }
}
