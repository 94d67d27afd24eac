package dev.herald.haystack;

import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.value.Bool;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Marker;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Str;
import dev.herald.haystack.value.Uri;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GET requests carry a one-row grid as query parameters whose values are Zinc scalars, "otherwise
 * assumed to be of a Str type" (Haystack HTTP API): {@code ?id=@…}, {@code ?limit=10},
 * {@code ?filter=site and equip}.
 */
final class ZincParameter {
    private static final Pattern REF = Pattern.compile("@([a-zA-Z0-9_:\\-.~]+)(?: \"(?:[^\"\\\\]|\\\\.)*\")?");
    private static final Pattern NUMBER = Pattern.compile("(-?[0-9][0-9_]*(?:\\.[0-9_]+)?(?:[eE][+-]?[0-9]+)?)([a-zA-Z%_/$\\u0080-\\uffff]+)?");
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern URI = Pattern.compile("`([^`]*)`");
    private static final Pattern V3 = Pattern.compile("[mzxnrsdhtucy]:.*", Pattern.DOTALL);

    private ZincParameter() {
    }

    /**
     * The value of one parameter; null for Zinc's {@code N}. JSON v3 forms ({@code n:0}, {@code r:…})
     * are accepted too, as clients that build GET requests from JSON grids send them.
     */
    static HaystackValue decode(String text) {
        if (V3.matcher(text).matches()) {
            try {
                return HaystackJson.decode(text, "query");
            } catch (RuntimeException e) {
                return new Str(text);
            }
        }
        Matcher m;
        if ((m = REF.matcher(text)).matches()) {
            return Ref.of(m.group(1));
        }
        if ((m = QUOTED.matcher(text)).matches()) {
            String unescaped = unescape(m.group(1));
            return unescaped == null ? new Str(text) : new Str(unescaped);
        }
        if ((m = URI.matcher(text)).matches()) {
            return new Uri(m.group(1));
        }
        if ((m = NUMBER.matcher(text)).matches()) {
            try {
                return new Num(Double.parseDouble(m.group(1).replace("_", "")), m.group(2));
            } catch (IllegalArgumentException e) {
                return new Str(text);
            }
        }
        return switch (text) {
            case "T" -> Bool.TRUE;
            case "F" -> Bool.FALSE;
            case "M" -> Marker.VALUE;
            case "N" -> null;
            case "INF" -> new Num(Double.POSITIVE_INFINITY, null);
            case "-INF" -> new Num(Double.NEGATIVE_INFINITY, null);
            case "NaN" -> new Num(Double.NaN, null);
            default -> new Str(text);
        };
    }

    private static String unescape(String body) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i >= body.length()) {
                return null;
            }
            char e = body.charAt(i);
            switch (e) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case '"', '\\', '$' -> out.append(e);
                case 'u' -> {
                    try {
                        out.append((char) Integer.parseInt(body.substring(i + 1, i + 5), 16));
                    } catch (RuntimeException ex) {
                        return null;
                    }
                    i += 4;
                }
                default -> {
                    return null;
                }
            }
        }
        return out.toString();
    }
}
