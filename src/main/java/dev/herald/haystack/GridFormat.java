package dev.herald.haystack;

import java.util.Locale;

/**
 * The grid formats of the Haystack ops: JSON (the default) and Zinc. A request body is Zinc when its
 * {@code Content-Type} is {@code text/zinc} (any parameters), else JSON; the answer is Zinc when
 * {@code Accept} prefers {@code text/zinc}.
 */
enum GridFormat {
    JSON("application/json"),
    ZINC("text/zinc");

    private final String mime;

    GridFormat(String mime) {
        this.mime = mime;
    }

    String mime() {
        return mime;
    }

    String contentType() {
        return mime + "; charset=utf-8";
    }

    /** The format of a request body with this {@code Content-Type} (null or anything but Zinc: JSON). */
    static GridFormat ofContentType(String contentType) {
        return contentType != null && mediaType(contentType).equals(ZINC.mime) ? ZINC : JSON;
    }

    /**
     * The charset parameter of a {@code Content-Type}, lower case, or null when it has none.
     */
    static String charset(String contentType) {
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                return unquote(param.substring(eq + 1).trim()).toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /**
     * The format to answer in, by {@code Accept} (RFC 9110 §12.5.1): each format takes the q-value of
     * the most specific media range that matches it ({@code text/zinc} over {@code text/*} over
     * {@code *}{@code /*}); the higher q wins, then the more specific match, then the range listed
     * first. No header, no acceptable format, or a tie: JSON, the default (never 406).
     */
    static GridFormat forAccept(String accept) {
        if (accept == null || accept.isBlank()) {
            return JSON;
        }
        Match json = match(accept, JSON);
        Match zinc = match(accept, ZINC);
        if (zinc == null || zinc.q <= 0) {
            return JSON;
        }
        if (json == null || json.q <= 0) {
            return ZINC;
        }
        if (zinc.q != json.q) {
            return zinc.q > json.q ? ZINC : JSON;
        }
        if (zinc.specificity != json.specificity) {
            return zinc.specificity > json.specificity ? ZINC : JSON;
        }
        return zinc.index < json.index ? ZINC : JSON;
    }

    /** How a media range of an {@code Accept} header matches a format. */
    private record Match(double q, int specificity, int index) {
    }

    /** The most specific range of {@code accept} that matches {@code format}, or null. */
    private static Match match(String accept, GridFormat format) {
        String type = format.mime.substring(0, format.mime.indexOf('/'));
        Match best = null;
        String[] ranges = accept.split(",");
        for (int i = 0; i < ranges.length; i++) {
            String range = ranges[i].trim();
            if (range.isEmpty()) {
                continue;
            }
            String media = mediaType(range);
            int specificity;
            if (media.equals(format.mime)) {
                specificity = 2;
            } else if (media.equals(type + "/*")) {
                specificity = 1;
            } else if (media.equals("*/*")) {
                specificity = 0;
            } else {
                continue;
            }
            Double q = quality(range);
            if (q == null) {
                continue;
            }
            if (best == null || specificity > best.specificity) {
                best = new Match(q, specificity, i);
            }
        }
        return best;
    }

    /** The {@code q} parameter: 1 when absent, null (the range is ignored) when not a number in 0..1. */
    private static Double quality(String range) {
        String[] parts = range.split(";");
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("q")) {
                try {
                    double q = Double.parseDouble(param.substring(eq + 1).trim());
                    return q >= 0 && q <= 1 ? q : null;
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return 1.0;
    }

    private static String mediaType(String header) {
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }
}
