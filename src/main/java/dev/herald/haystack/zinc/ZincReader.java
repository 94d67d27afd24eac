package dev.herald.haystack.zinc;

import dev.herald.haystack.json.Grid;
import dev.herald.haystack.json.Grid.Column;
import dev.herald.haystack.json.HaystackFormatException;
import dev.herald.haystack.value.Bool;
import dev.herald.haystack.value.Coord;
import dev.herald.haystack.value.Date;
import dev.herald.haystack.value.DateTime;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Marker;
import dev.herald.haystack.value.Na;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Remove;
import dev.herald.haystack.value.Str;
import dev.herald.haystack.value.Symbol;
import dev.herald.haystack.value.Time;
import dev.herald.haystack.value.Uri;
import dev.herald.haystack.value.XStr;
import dev.herald.input.BoundedJson;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Haystack Zinc into the shared value model: a whole grid ({@code ver:"3.0"} line with the grid
 * meta, the column line with column meta, then one line per row, empty cells being null), or one
 * value. Every scalar kind of Haystack 3 plus Symbol; Lists, Dicts and nested grids.
 *
 * <p>A nested grid {@code <<..>>} becomes the Dict that Herald's JSON codec makes of a nested grid in
 * JSON: {@code {meta: {ver: "3.0", ..}, cols: [{name: "a", ..}], rows: [{a: ..}]}}, and
 * {@link ZincWriter} writes such a Dict back as a nested grid. There is no other Grid value.
 *
 * <p>The same bounds as JSON bodies ({@link BoundedJson}): values are nested at most
 * {@value BoundedJson#MAX_DEPTH} levels deep, counted as in the JSON encoding of the same grid (the
 * grid object, its {@code rows} array and each row object are three levels); no string, URI, unit or
 * display text may hold a NUL character or an unpaired surrogate. Malformed input raises a
 * {@link HaystackFormatException} whose location is {@code line L, column C} (both from 1).
 */
public final class ZincReader {
    private static final int MAX_DEPTH = BoundedJson.MAX_DEPTH;

    private final String text;
    private int pos;

    private ZincReader(String text) {
        this.text = text;
    }

    /** Reads a grid from UTF-8 bytes (a request body); bytes that are not UTF-8 are an error. */
    public static Grid readGrid(byte[] utf8) {
        return readGrid(decodeUtf8(utf8));
    }

    /** Reads a whole grid; trailing blank lines are allowed, anything else after the rows is not. */
    public static Grid readGrid(String text) {
        ZincReader reader = new ZincReader(text);
        reader.checkRawText();
        Grid grid = reader.grid(0, false).grid();
        reader.skipBlankLines();
        if (!reader.atEnd()) {
            throw reader.error("unexpected " + reader.describe() + " after the grid");
        }
        return grid;
    }

    /** Reads one value, such as {@code 12.5°F} or {@code [1,"a"]}; {@code N} (null) is null. */
    public static HaystackValue readValue(String text) {
        ZincReader reader = new ZincReader(text);
        reader.checkRawText();
        reader.skipSpaces();
        HaystackValue value = reader.value(0);
        reader.skipSpaces();
        if (!reader.atEnd()) {
            throw reader.error("unexpected " + reader.describe() + " after the value");
        }
        return value;
    }

    private static String decodeUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            String before = new String(bytes, 0, in.position(), StandardCharsets.UTF_8);
            ZincReader reader = new ZincReader(before);
            reader.pos = before.length();
            throw reader.error("the body is not valid UTF-8");
        }
        try {
            result = decoder.flush(out);
            if (result.isError()) {
                result.throwException();
            }
        } catch (CharacterCodingException e) {
            throw new HaystackFormatException("the body", "not valid UTF-8");
        }
        out.flip();
        return out.toString();
    }

    /** Raw NUL characters and unpaired surrogates, wherever they are; escapes are checked where they are read. */
    private void checkRawText() {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean bad = c == '\u0000'
                    || Character.isHighSurrogate(c) && (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1)))
                    || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
            if (bad) {
                pos = i;
                throw error("a NUL character or an unpaired surrogate");
            }
        }
    }

    // ---- grids -------------------------------------------------------------------------------

    /** A grid and the version its text gave. */
    private record Read(Grid grid, String ver) {
    }

    /**
     * A grid whose JSON object would be at {@code depth}. Nested ({@code <<..>>}) grids end at a line
     * starting with {@code >>}, which is left for the caller.
     */
    private Read grid(int depth, boolean nested) {
        enter(depth);
        enter(depth + 1);
        if (!text.startsWith("ver:", pos)) {
            throw error("expected the version line ver:\"3.0\", not " + describe());
        }
        int verAt = pos;
        pos += 4;
        if (peek() != '"') {
            throw error("expected the version as a string, such as ver:\"3.0\"");
        }
        String ver = string();
        if (!ver.equals("3.0") && !ver.equals("2.0")) {
            pos = verAt;
            throw error("unsupported version \"" + ver + "\": expected \"3.0\" or \"2.0\"");
        }
        int metaAt = pos;
        Dict meta = meta(depth + 2);
        if (meta.has("ver")) {
            pos = metaAt;
            throw error("duplicate tag 'ver' in the grid meta");
        }
        endLine(nested);

        List<Column> columns = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        while (true) {
            skipSpaces();
            int at = pos;
            if (!isTagStart(peek())) {
                throw error(columns.isEmpty() ? "expected a column name, not " + describe()
                        : "expected a column name after ',', not " + describe());
            }
            String name = id();
            enter(depth + 2);
            Dict colMeta = meta(depth + 3);
            if (!names.add(name)) {
                pos = at;
                throw error("duplicate column '" + name + "'");
            }
            columns.add(new Column(name, colMeta));
            skipSpaces();
            if (peek() == ',') {
                pos++;
                continue;
            }
            break;
        }
        endLine(nested);

        List<Dict> rows = new ArrayList<>();
        while (true) {
            skipBlankLines();
            if (atEnd() || nested && closesGrid()) {
                break;
            }
            enter(depth + 2);
            rows.add(row(columns, depth + 3, nested));
        }
        return new Read(new Grid(meta, columns, rows), ver);
    }

    private Dict row(List<Column> columns, int depth, boolean nested) {
        Map<String, HaystackValue> cells = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            skipSpaces();
            if (i > 0) {
                if (peek() != ',') {
                    throw error("expected ',' and " + (columns.size() - i) + " more cell(s): the grid has "
                            + columns.size() + " columns, not " + describe());
                }
                pos++;
                skipSpaces();
            }
            char c = peek();
            if (c == ',' || isLineEnd() || nested && text.startsWith(">>", pos)) {
                continue;
            }
            HaystackValue value = value(depth);
            if (value != null) {
                cells.put(columns.get(i).name(), value);
            }
        }
        skipSpaces();
        if (peek() == ',') {
            throw error("more cells than the " + columns.size() + " columns");
        }
        endLine(nested);
        return new Dict(cells);
    }

    /** Meta items after a version or column name: {@code " name"} (a Marker) or {@code " name:value"}. */
    private Dict meta(int depth) {
        Map<String, HaystackValue> tags = new LinkedHashMap<>();
        while (true) {
            int before = pos;
            skipSpaces();
            if (pos == before || !isTagStart(peek())) {
                pos = before;
                return new Dict(tags);
            }
            item(tags, depth);
        }
    }

    /** One {@code name} or {@code name:value} into {@code tags}; a null value leaves the tag out. */
    private void item(Map<String, HaystackValue> tags, int depth) {
        int at = pos;
        String name = id();
        HaystackValue value = Marker.VALUE;
        if (peek() == ':') {
            pos++;
            skipSpaces();
            value = value(depth);
        }
        if (tags.containsKey(name)) {
            pos = at;
            throw error("duplicate tag '" + name + "'");
        }
        if (value != null) {
            tags.put(name, value);
        }
    }

    /** The end of a line (or of the input); in a nested grid, {@code >>} also ends the line and is left. */
    private void endLine(boolean nested) {
        skipSpaces();
        if (atEnd() || nested && text.startsWith(">>", pos)) {
            return;
        }
        if (peek() == '\r' && peekAt(1) == '\n') {
            pos += 2;
            return;
        }
        if (peek() == '\n') {
            pos++;
            return;
        }
        throw error("expected the end of the line, not " + describe());
    }

    // ---- values ------------------------------------------------------------------------------

    /** A value whose JSON encoding would be at {@code depth}; null for {@code N}. */
    private HaystackValue value(int depth) {
        char c = peek();
        int start = pos;
        if (c == '"') {
            return new Str(string());
        }
        if (c == '`') {
            return new Uri(uri());
        }
        if (c == '@') {
            return ref();
        }
        if (c == '^') {
            pos++;
            return new Symbol(idChars("a symbol name after '^'"));
        }
        if (c == '[') {
            return list(depth);
        }
        if (c == '{') {
            return dict(depth);
        }
        if (c == '<' && peekAt(1) == '<') {
            return nestedGrid(depth);
        }
        if (isDigit(c) || c == '-' && isDigit(peekAt(1))) {
            return numberOrDateTime();
        }
        if (c == '-' && text.startsWith("-INF", pos)) {
            pos += 4;
            return numberWithUnit(Double.NEGATIVE_INFINITY, start);
        }
        if (text.startsWith("INF", pos) || text.startsWith("NaN", pos)) {
            pos += 3;
            if (!isTagChar(peek()) || Num.isUnitChar(peek())) {
                double special = text.startsWith("INF", start) ? Double.POSITIVE_INFINITY : Double.NaN;
                return numberWithUnit(special, start);
            }
            pos = start;
        }
        if (c >= 'A' && c <= 'Z') {
            String word = word();
            if (peek() == '(') {
                return word.equals("C") && peekAt(1) != '"' ? coord(start) : xstr(word, start);
            }
            return switch (word) {
                case "N" -> null;
                case "M" -> Marker.VALUE;
                case "R" -> Remove.VALUE;
                case "NA" -> Na.VALUE;
                case "T" -> Bool.TRUE;
                case "F" -> Bool.FALSE;
                default -> {
                    pos = start;
                    throw error("unknown keyword '" + word + "'");
                }
            };
        }
        throw error("expected a value, not " + describe());
    }

    private HaystackList list(int depth) {
        enter(depth);
        pos++;
        List<HaystackValue> items = new ArrayList<>();
        while (true) {
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return new HaystackList(items);
            }
            int at = pos;
            HaystackValue item = value(depth + 1);
            if (item == null) {
                pos = at;
                throw error("null (N) is not allowed in a List");
            }
            items.add(item);
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() != ']') {
                throw error("expected ',' or ']' in a List, not " + describe());
            }
        }
    }

    private Dict dict(int depth) {
        enter(depth);
        pos++;
        Map<String, HaystackValue> tags = new LinkedHashMap<>();
        while (true) {
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return new Dict(tags);
            }
            if (!isTagStart(peek())) {
                throw error("expected a tag name or '}' in a Dict, not " + describe());
            }
            item(tags, depth + 1);
            char next = peek();
            if (next != '}' && next != ',' && !isWhitespace(next)) {
                throw error("expected ' ', ',' or '}' in a Dict, not " + describe());
            }
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            }
        }
    }

    /** {@code <<ver:"3.0" ...>>}, read as the Dict a JSON nested grid becomes. */
    private Dict nestedGrid(int depth) {
        pos += 2;
        skipWhitespace();
        Read read = grid(depth, true);
        skipWhitespace();
        if (!text.startsWith(">>", pos)) {
            throw error("expected '>>' to close the nested grid, not " + describe());
        }
        pos += 2;
        return ZincWriter.gridDict(read.grid(), read.ver());
    }

    private Ref ref() {
        int start = pos;
        pos++;
        String id = idChars("a Ref id after '@'");
        String dis = null;
        if (peek() == ' ' && peekAt(1) == '"') {
            pos++;
            dis = string();
        }
        try {
            return new Ref(id, dis);
        } catch (IllegalArgumentException e) {
            pos = start;
            throw error(e.getMessage());
        }
    }

    private String idChars(String what) {
        int start = pos;
        while (Ref.isIdChar(peek())) {
            pos++;
        }
        if (pos == start) {
            throw error("expected " + what + ", not " + describe());
        }
        return text.substring(start, pos);
    }

    private XStr xstr(String type, int start) {
        pos++;
        if (peek() != '"') {
            throw error("expected a string after '" + type + "(', not " + describe());
        }
        String value = string();
        expect(')', "to close " + type + "(\"..\"");
        try {
            return new XStr(type, value);
        } catch (IllegalArgumentException e) {
            pos = start;
            throw error(e.getMessage());
        }
    }

    private Coord coord(int start) {
        pos++;
        skipSpaces();
        double lat = coordPart();
        skipSpaces();
        expect(',', "between the latitude and longitude of C(..)");
        skipSpaces();
        double lng = coordPart();
        skipSpaces();
        expect(')', "to close C(..)");
        try {
            return new Coord(lat, lng);
        } catch (IllegalArgumentException e) {
            pos = start;
            throw error(e.getMessage());
        }
    }

    private double coordPart() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        while (isDigit(peek()) || peek() == '.') {
            pos++;
        }
        try {
            return Double.parseDouble(text.substring(start, pos));
        } catch (NumberFormatException e) {
            pos = start;
            throw error("expected a decimal number in C(..), not " + describe());
        }
    }

    /** Numbers (with units, exponents, {@code _} separators, {@code 0x} hex), Dates, Times and DateTimes. */
    private HaystackValue numberOrDateTime() {
        int start = pos;
        if (peek() != '-') {
            int digits = 0;
            while (isDigit(peekAt(digits))) {
                digits++;
            }
            if (digits == 4 && peekAt(4) == '-') {
                return dateOrDateTime(start);
            }
            if ((digits == 1 || digits == 2) && peekAt(digits) == ':') {
                return time(start);
            }
            if (peek() == '0' && peekAt(1) == 'x') {
                return hex(start);
            }
        }
        if (peek() == '-') {
            pos++;
        }
        digits();
        if (peek() == '.' && isDigit(peekAt(1))) {
            pos++;
            digits();
        }
        char e = peek();
        if ((e == 'e' || e == 'E') && (isDigit(peekAt(1)) || (peekAt(1) == '+' || peekAt(1) == '-') && isDigit(peekAt(2)))) {
            pos += 2;
            digits();
        }
        String number = text.substring(start, pos).replace("_", "");
        double value = Double.parseDouble(number);
        if (Double.isInfinite(value)) {
            pos = start;
            throw error("number out of range");
        }
        return numberWithUnit(value, start);
    }

    private void digits() {
        while (isDigit(peek()) || peek() == '_' && isDigit(peekAt(1))) {
            pos++;
        }
    }

    private HaystackValue hex(int start) {
        pos += 2;
        int digitsAt = pos;
        while (Character.digit(peek(), 16) >= 0 || peek() == '_') {
            pos++;
        }
        String digits = text.substring(digitsAt, pos).replace("_", "");
        if (digits.isEmpty() || digits.length() > 13) {
            pos = start;
            throw error(digits.isEmpty() ? "expected hex digits after 0x" : "hex number out of range");
        }
        return numberWithUnit((double) Long.parseLong(digits, 16), start);
    }

    private Num numberWithUnit(double value, int start) {
        String unit = optionalUnit();
        if (peek() == '-' || peek() == ':' || isDigit(peek())) {
            throw error("unexpected " + describe() + " in a number");
        }
        try {
            return new Num(value, unit);
        } catch (IllegalArgumentException e) {
            pos = start;
            throw error(e.getMessage());
        }
    }

    private String optionalUnit() {
        int start = pos;
        while (!atEnd() && Num.isUnitChar(peek())) {
            pos++;
        }
        return pos == start ? null : text.substring(start, pos);
    }

    private HaystackValue dateOrDateTime(int start) {
        pos += 10;
        String dateText = text.substring(start, Math.min(pos, text.length()));
        if (peek() != 'T') {
            try {
                return Date.parse(dateText);
            } catch (IllegalArgumentException | DateTimeException e) {
                pos = start;
                throw error("invalid Date '" + dateText + "', expected YYYY-MM-DD");
            }
        }
        pos++;
        while (isDigit(peek()) || peek() == ':' || peek() == '.') {
            pos++;
        }
        if (peek() == 'Z') {
            pos++;
        } else if (peek() == '+' || peek() == '-') {
            pos++;
            while (isDigit(peek()) || peek() == ':') {
                pos++;
            }
        } else {
            throw error("expected the DateTime's offset (Z or ±hh:mm), not " + describe());
        }
        String iso = text.substring(start, pos);
        OffsetDateTime value;
        try {
            value = OffsetDateTime.parse(iso);
        } catch (DateTimeException e) {
            pos = start;
            throw error("invalid DateTime '" + iso + "'");
        }
        String tz;
        if (peek() == ' ' && peekAt(1) >= 'A' && peekAt(1) <= 'Z') {
            pos++;
            int tzAt = pos;
            while (isTzChar(peek())) {
                pos++;
            }
            tz = text.substring(tzAt, pos);
        } else {
            tz = defaultTz(value.getOffset(), start);
        }
        try {
            return new DateTime(value, tz);
        } catch (IllegalArgumentException e) {
            pos = start;
            throw error(e.getMessage());
        }
    }

    /** Without a timezone name: UTC for a zero offset, else the fixed-offset zone {@code GMT±h} for whole hours. */
    private String defaultTz(ZoneOffset offset, int start) {
        int seconds = offset.getTotalSeconds();
        if (seconds == 0) {
            return "UTC";
        }
        if (seconds % 3600 != 0) {
            pos = start;
            throw error("a DateTime whose offset is not whole hours needs a timezone name");
        }
        int hours = -seconds / 3600;
        return "GMT" + (hours > 0 ? "+" : "") + hours;
    }

    private Time time(int start) {
        while (isDigit(peek()) || peek() == ':' || peek() == '.') {
            pos++;
        }
        String timeText = text.substring(start, pos);
        try {
            return Time.parse(timeText);
        } catch (IllegalArgumentException | DateTimeException e) {
            pos = start;
            throw error("invalid Time '" + timeText + "', expected hh:mm:ss[.fff]");
        }
    }

    // ---- strings ----------------------------------------------------------------------------

    /** A quoted string at {@code "}, unescaped and checked. */
    private String string() {
        return quoted('"', "string");
    }

    /**
     * A URI at {@code `}. Its escapes are a string's plus {@code \`}; a backslash before one of
     * {@code : / ? # [ ] @ \ & = ;} is kept with it, as in Fantom and haystack-java.
     */
    private String uri() {
        return quoted('`', "URI");
    }

    /** The literal between {@code quote} and the next unescaped one, on one line, unescaped and checked. */
    private String quoted(char quote, String what) {
        boolean inUri = quote == '`';
        int start = pos;
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (atEnd()) {
                pos = start;
                throw error("unterminated " + what);
            }
            char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                break;
            }
            if (c == '\n' || c == '\r') {
                pos = start;
                throw error("unterminated " + what + " (a " + what + " ends on the line it starts)");
            }
            if (c < ' ') {
                throw error("a raw control character in a " + what + (inUri ? "" : " (escape it, as \\n or \\u" + String.format("%04x", (int) c) + ")"));
            }
            if (c == '\\' && inUri && ZincWriter.URI_KEPT_ESCAPES.indexOf(peekAt(1)) >= 0 && peekAt(1) != 0) {
                out.append(c).append(peekAt(1));
                pos += 2;
            } else if (c == '\\') {
                out.append(escape(inUri));
            } else {
                out.append(c);
                pos++;
            }
        }
        return storable(out.toString(), start);
    }

    private char escape(boolean inUri) {
        int at = pos;
        char e = peekAt(1);
        pos += 2;
        switch (e) {
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case '"':
            case '\\':
            case '$':
                return e;
            case '`':
                if (inUri) {
                    return e;
                }
                break;
            case 'u':
                if (pos + 4 <= text.length()) {
                    String hex = text.substring(pos, pos + 4);
                    if (hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                        pos += 4;
                        return (char) Integer.parseInt(hex, 16);
                    }
                }
                pos = at;
                throw error("invalid \\u escape: expected four hex digits");
            default:
                break;
        }
        pos = at;
        throw error("invalid escape '\\" + (e == 0 ? "" : String.valueOf(e)) + "'");
    }

    private String storable(String value, int start) {
        if (!BoundedJson.isStorable(value)) {
            pos = start;
            throw error("a string with a NUL character or an unpaired surrogate");
        }
        return value;
    }

    // ---- characters -------------------------------------------------------------------------

    private String id() {
        int start = pos;
        pos++;
        while (isTagChar(peek())) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private String word() {
        int start = pos;
        while (isTagChar(peek())) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private void expect(char c, String why) {
        if (peek() != c) {
            throw error("expected '" + c + "' " + why + ", not " + describe());
        }
        pos++;
    }

    private void enter(int depth) {
        if (depth >= MAX_DEPTH) {
            throw error("Zinc is nested more than " + MAX_DEPTH + " levels deep (as JSON would be)");
        }
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    /** The character at the position, or 0 at the end. */
    private char peek() {
        return peekAt(0);
    }

    private char peekAt(int offset) {
        int at = pos + offset;
        return at < text.length() ? text.charAt(at) : 0;
    }

    private boolean isLineEnd() {
        return atEnd() || peek() == '\n' || peek() == '\r' && peekAt(1) == '\n';
    }

    private void skipSpaces() {
        while (peek() == ' ' || peek() == '\t') {
            pos++;
        }
    }

    /** Spaces and line ends, inside Lists, Dicts and around nested grids. */
    private void skipWhitespace() {
        while (isWhitespace(peek())) {
            pos++;
        }
    }

    /** Whether the rest of this line, after spaces, starts with {@code >>}; moves past the spaces if so. */
    private boolean closesGrid() {
        int at = pos;
        skipSpaces();
        if (text.startsWith(">>", pos)) {
            return true;
        }
        pos = at;
        return false;
    }

    private void skipBlankLines() {
        while (true) {
            int lineStart = pos;
            skipSpaces();
            if (peek() == '\n') {
                pos++;
            } else if (peek() == '\r' && peekAt(1) == '\n') {
                pos += 2;
            } else {
                pos = atEnd() ? pos : lineStart;
                return;
            }
        }
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isTagStart(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isTagChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_';
    }

    private static boolean isTzChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c == '+' || c == '-' || c == '/';
    }

    private String describe() {
        if (atEnd()) {
            return "the end of the input";
        }
        char c = peek();
        if (c == '\n' || c == '\r') {
            return "the end of the line";
        }
        if (c < ' ' || c == 0x7f) {
            return String.format("character U+%04X", (int) c);
        }
        return "'" + new String(Character.toChars(text.codePointAt(pos))) + "'";
    }

    private HaystackFormatException error(String reason) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(pos, text.length());
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = text.codePointCount(lineStart, end) + 1;
        return new HaystackFormatException("line " + line + ", column " + column, reason);
    }
}
