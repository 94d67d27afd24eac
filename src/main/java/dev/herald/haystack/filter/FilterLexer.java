package dev.herald.haystack.filter;

import dev.herald.haystack.value.Date;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Str;
import dev.herald.haystack.value.Symbol;
import dev.herald.haystack.value.Time;
import dev.herald.haystack.value.Uri;
import java.time.DateTimeException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits filter text into tokens. Literals are decoded here, with Zinc's lexical rules. */
final class FilterLexer {

    enum Kind { NAME, LITERAL, SYMBOL, LPAREN, RPAREN, ARROW, EQ, NE, LT, LE, GT, GE, MATCH, REGEX, EOF }

    /** {@code value} is set for literals and symbols; {@code text} is the source text. */
    record Token(Kind kind, String text, HaystackValue value, int start) {

        String describe() {
            if (kind == Kind.EOF) {
                return "end of filter";
            }
            return "'" + (text.length() > 40 ? text.substring(0, 37) + "..." : text) + "'";
        }
    }

    private static final Pattern DATE_START = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern TIME = Pattern.compile("\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?");
    private static final Pattern NUMBER =
            Pattern.compile("-?\\d+(_\\d+)*(\\.\\d+(_\\d+)*)?([eE][+-]?\\d+)?");

    private final String text;
    private int pos;

    FilterLexer(String text) {
        this.text = text;
    }

    Token next() {
        while (pos < text.length() && isSpace(text.charAt(pos))) {
            pos++;
        }
        int start = pos;
        if (pos >= text.length()) {
            return new Token(Kind.EOF, "", null, start);
        }
        char c = text.charAt(pos);
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
            while (pos < text.length() && isNameChar(text.charAt(pos))) {
                pos++;
            }
            return token(Kind.NAME, start, null);
        }
        if (c >= '0' && c <= '9' || c == '-' && isDigitAt(pos + 1)) {
            return number(start);
        }
        return switch (c) {
            case '(' -> operator(Kind.LPAREN, 1);
            case ')' -> operator(Kind.RPAREN, 1);
            case '=' -> charAt(pos + 1) == '=' ? operator(Kind.EQ, 2)
                    : charAt(pos + 1) == '~' ? operator(Kind.MATCH, 2)
                    : fail("expected '==' or '=~'", start);
            case '!' -> charAt(pos + 1) == '=' ? operator(Kind.NE, 2) : fail("expected '!='", start);
            case '<' -> charAt(pos + 1) == '=' ? operator(Kind.LE, 2) : operator(Kind.LT, 1);
            case '>' -> charAt(pos + 1) == '=' ? operator(Kind.GE, 2) : operator(Kind.GT, 1);
            case '-' -> charAt(pos + 1) == '>' ? operator(Kind.ARROW, 2)
                    : fail("expected '->' or a digit after '-'", start);
            case '"' -> token(Kind.LITERAL, start, new Str(quoted('"', start)));
            case '`' -> token(Kind.LITERAL, start, new Uri(quoted('`', start)));
            case '@' -> token(Kind.LITERAL, start, Ref.of(idAfterSigil("a Ref id", start)));
            case '^' -> token(Kind.SYMBOL, start, new Symbol(idAfterSigil("a symbol name", start)));
            default -> fail("unexpected character " + describeChar(c), start);
        };
    }

    /**
     * Reads {@code /pattern/} after {@code =~}: a REGEX token whose text is the pattern as written
     * between the slashes and whose start is the pattern's first character.
     */
    Token regex() {
        while (pos < text.length() && isSpace(text.charAt(pos))) {
            pos++;
        }
        int open = pos;
        if (charAt(open) != '/') {
            fail("expected '/' to start a regex", open);
        }
        pos++;
        while (pos < text.length() && text.charAt(pos) != '/') {
            char c = text.charAt(pos);
            if (c == '\n' || c == '\r' || c == 0) {
                fail("regex contains a line break or NUL", pos);
            }
            pos += c == '\\' && pos + 1 < text.length() ? 2 : 1;
        }
        if (pos >= text.length()) {
            fail("unterminated regex", open);
        }
        String source = text.substring(open + 1, pos);
        pos++;
        if (source.isEmpty()) {
            fail("empty regex", open);
        }
        if (isNameChar(charAt(pos))) {
            fail("regex flags are not supported", pos);
        }
        return new Token(Kind.REGEX, source, null, open + 1);
    }

    private Token number(int start) {
        if (charAt(pos) == '0' && (charAt(pos + 1) == 'x' || charAt(pos + 1) == 'X')) {
            fail("hexadecimal numbers are not supported", start);
        }
        Matcher date = DATE_START.matcher(text).region(pos, text.length());
        if (date.lookingAt()) {
            pos = date.end();
            if (charAt(pos) == 'T') {
                fail("DateTime literals are not part of the filter grammar", start);
            }
            return literal(start, () -> Date.parse(text.substring(start, pos)));
        }
        Matcher time = TIME.matcher(text).region(pos, text.length());
        if (time.lookingAt()) {
            pos = time.end();
            return literal(start, () -> Time.parse(text.substring(start, pos)));
        }
        Matcher number = NUMBER.matcher(text).region(pos, text.length());
        number.lookingAt();
        pos = number.end();
        double value = Double.parseDouble(number.group().replace("_", ""));
        if (Double.isInfinite(value)) {
            fail("number out of range", start);
        }
        int unitStart = pos;
        while (pos < text.length() && Num.isUnitChar(text.charAt(pos))) {
            pos++;
        }
        String unit = pos > unitStart ? text.substring(unitStart, pos) : null;
        return token(Kind.LITERAL, start, new Num(value, unit));
    }

    private Token literal(int start, Supplier<HaystackValue> parse) {
        try {
            return token(Kind.LITERAL, start, parse.get());
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new FilterSyntaxException("invalid literal '" + text.substring(start, pos) + "'", start);
        }
    }

    private String quoted(char quote, int start) {
        StringBuilder out = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length()) {
                fail(quote == '"' ? "unterminated string" : "unterminated Uri", start);
            }
            char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                break;
            }
            if (c < 0x20) {
                fail("control character " + describeChar(c) + " in a literal", pos);
            }
            if (c == '\\') {
                escape(quote, out);
            } else {
                out.append(c);
                pos++;
            }
        }
        checkWellFormed(out, start);
        return out.toString();
    }

    private void escape(char quote, StringBuilder out) {
        int at = pos;
        char e = charAt(pos + 1);
        pos += 2;
        if (e == quote || e == '\\') {
            out.append(e);
            return;
        }
        if (e == 'u') {
            String hex = text.substring(pos, Math.min(pos + 4, text.length()));
            if (!hex.matches("[0-9a-fA-F]{4}")) {
                fail("invalid escape: '\\u' needs four hex digits", at);
            }
            out.append((char) Integer.parseInt(hex, 16));
            pos += 4;
            return;
        }
        if (quote == '"') {
            String decoded = switch (e) {
                case 'b' -> "\b";
                case 'f' -> "\f";
                case 'n' -> "\n";
                case 'r' -> "\r";
                case 't' -> "\t";
                case '$' -> "$";
                default -> null;
            };
            if (decoded != null) {
                out.append(decoded);
                return;
            }
        } else if (":/?#[]@&=;$".indexOf(e) >= 0) {
            out.append('\\').append(e);
            return;
        }
        fail("invalid escape " + (at + 1 < text.length() ? "'\\" + e + "'" : "at end of filter"), at);
    }

    /** Strings must survive PostgreSQL's text type: no NUL, no unpaired surrogate. */
    private static void checkWellFormed(CharSequence s, int start) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new FilterSyntaxException("NUL characters are not allowed", start);
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new FilterSyntaxException("unpaired UTF-16 surrogate in a literal", start);
            }
        }
    }

    private String idAfterSigil(String what, int start) {
        pos++;
        while (pos < text.length() && Ref.isIdChar(text.charAt(pos))) {
            pos++;
        }
        if (pos == start + 1) {
            fail("expected " + what + " after '" + text.charAt(start) + "'", start);
        }
        return text.substring(start + 1, pos);
    }

    private Token operator(Kind kind, int length) {
        int start = pos;
        pos += length;
        return token(kind, start, null);
    }

    private Token token(Kind kind, int start, HaystackValue value) {
        return new Token(kind, text.substring(start, pos), value, start);
    }

    private char charAt(int i) {
        return i < text.length() ? text.charAt(i) : 0;
    }

    private boolean isDigitAt(int i) {
        char c = charAt(i);
        return c >= '0' && c <= '9';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    private static String describeChar(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static <T> T fail(String reason, int position) {
        throw new FilterSyntaxException(reason, position);
    }
}
