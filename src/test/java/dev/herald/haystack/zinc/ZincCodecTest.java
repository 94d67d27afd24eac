package dev.herald.haystack.zinc;

import dev.herald.haystack.json.Grid;
import dev.herald.haystack.json.Grid.Column;
import dev.herald.haystack.json.GridJson;
import dev.herald.haystack.json.HaystackFormatException;
import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.json.JsonVersion;
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
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tier.Unit
class ZincCodecTest {

    static Stream<Arguments> canonicalValues() {
        return Stream.of(
                Arguments.of(Marker.VALUE, "M"),
                Arguments.of(Na.VALUE, "NA"),
                Arguments.of(Remove.VALUE, "R"),
                Arguments.of(Bool.TRUE, "T"),
                Arguments.of(Bool.FALSE, "F"),
                Arguments.of(Num.of(45.5), "45.5"),
                Arguments.of(Num.of(10), "10"),
                Arguments.of(Num.of(-3.25), "-3.25"),
                Arguments.of(Num.of(1.5e-7), "0.00000015"),
                Arguments.of(Num.of(1e21), "1000000000000000000000"),
                Arguments.of(new Num(73.2, "°F"), "73.2°F"),
                Arguments.of(new Num(45, "%"), "45%"),
                Arguments.of(new Num(9.99, "$"), "9.99$"),
                Arguments.of(new Num(12, "m²"), "12m²"),
                Arguments.of(new Num(1, "kW/m²"), "1kW/m²"),
                Arguments.of(new Num(-40, "°C"), "-40°C"),
                Arguments.of(Num.of(Double.POSITIVE_INFINITY), "INF"),
                Arguments.of(Num.of(Double.NEGATIVE_INFINITY), "-INF"),
                Arguments.of(Num.of(Double.NaN), "NaN"),
                Arguments.of(new Num(Double.POSITIVE_INFINITY, "kW"), "INFkW"),
                Arguments.of(new Num(Double.NEGATIVE_INFINITY, "°F"), "-INF°F"),
                Arguments.of(new Num(Double.NaN, "%"), "NaN%"),
                Arguments.of(new Str("hello"), "\"hello\""),
                Arguments.of(new Str(""), "\"\""),
                Arguments.of(new Str("m:"), "\"m:\""),
                Arguments.of(new Str("q\"b\\s\nn\rr\tt\bb\ff\u0001x\u007f"), "\"q\\\"b\\\\s\\nn\\rr\\tt\\bb\\ff\\u0001x\\u007f\""),
                Arguments.of(new Str("$5 ü € 😀"), "\"$5 ü € 😀\""),
                Arguments.of(new Uri("http://project-haystack.org/"), "`http://project-haystack.org/`"),
                Arguments.of(new Uri("a`b"), "`a\\`b`"),
                Arguments.of(new Uri("a\\:b\\\\c\\nd\\"), "`a\\:b\\u005c\\u005cc\\u005cnd\\u005c`"),
                Arguments.of(new Uri("line\nbreak"), "`line\\nbreak`"),
                Arguments.of(Ref.of("site.equip.real-time_point"), "@site.equip.real-time_point"),
                Arguments.of(new Ref("1ccbe79f-6c81-449b-b263-df59b04e9889", "Point \"7\""),
                        "@1ccbe79f-6c81-449b-b263-df59b04e9889 \"Point \\\"7\\\"\""),
                Arguments.of(new Symbol("hot-water"), "^hot-water"),
                Arguments.of(Date.parse("2014-01-03"), "2014-01-03"),
                Arguments.of(new Time(LocalTime.of(8, 30)), "08:30:00"),
                Arguments.of(Time.parse("23:59:00.120"), "23:59:00.12"),
                Arguments.of(DateTime.parse("2015-06-08T15:47:41-04:00 New_York"), "2015-06-08T15:47:41-04:00 New_York"),
                Arguments.of(DateTime.parse("2015-06-08T15:47:41.5Z UTC"), "2015-06-08T15:47:41.5Z UTC"),
                Arguments.of(DateTime.parse("2015-06-08T15:47:41+05:30 Kolkata"), "2015-06-08T15:47:41+05:30 Kolkata"),
                Arguments.of(DateTime.parse("2015-06-08T15:47:41-05:00 GMT+5"), "2015-06-08T15:47:41-05:00 GMT+5"),
                Arguments.of(new Coord(37.545, -77.449), "C(37.545,-77.449)"),
                Arguments.of(new Coord(-90, 180), "C(-90,180)"),
                Arguments.of(new XStr("Bin", "text/plain"), "Bin(\"text/plain\")"),
                Arguments.of(new XStr("Span", "2024-01-01,\"x\""), "Span(\"2024-01-01,\\\"x\\\"\")"),
                Arguments.of(HaystackList.of(), "[]"),
                Arguments.of(HaystackList.of(Num.of(1), new Str("a"), HaystackList.of(Marker.VALUE)), "[1,\"a\",[M]]"),
                Arguments.of(Dict.EMPTY, "{}"),
                Arguments.of(dict("site", Marker.VALUE, "area", new Num(35000, "ft²"), "inner", dict("n", Na.VALUE)),
                        "{site area:35000ft² inner:{n:NA}}"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("canonicalValues")
    void everyKindRoundTripsAndAgreesWithTheJsonCodec(HaystackValue value, String zinc) {
        assertEquals(zinc, ZincWriter.writeValue(value));
        HaystackValue read = ZincReader.readValue(zinc);
        assertEquals(value, read);
        assertEquals(zinc, ZincWriter.writeValue(read));
        Object json = HaystackJson.encode(value, JsonVersion.V3);
        assertEquals(json, HaystackJson.encode(read, JsonVersion.V3), "the same JSON, Ref display text included");
        assertEquals(read, HaystackJson.decode(json, "value"), "JSON decodes to what Zinc reads");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "1_000           | 1000",
            "1e3             | 1000",
            "1E-2            | 0.01",
            "1.5e+3kW        | 1500kW",
            "1e+30m²         | 1000000000000000000000000000000m²",
            "0x1F            | 31",
            "0xff_ffkg       | 65535kg",
            "-0              | 0",
            "007             | 7",
            "INF°F           | INF°F",
            "'\"\\$\\u00fc\\u20AC\"' | '\"$ü€\"'",
            "'\"\\ud83d\\ude00\"'    | '\"😀\"'",
            "'`a\\$b\\u0041`'  | '`a$bA`'",
            "8:30:00         | 08:30:00",
            "08:30           | 08:30:00",
            "2024-01-02T03:04:05Z | 2024-01-02T03:04:05Z UTC",
            "2024-01-02T03:04:05.123456789-05:00 | 2024-01-02T03:04:05.123456789-05:00 GMT+5",
            "2024-01-02T03:04:05+10:00 | 2024-01-02T03:04:05+10:00 GMT-10",
            "2024-01-02T03:04:05+00:00 | 2024-01-02T03:04:05Z UTC",
            "2024-01-02T03:04Z Chicago | 2024-01-02T03:04:00Z Chicago",
            "'C(37.5, -77.25)'  | 'C(37.5,-77.25)'",
            "'C(\"x\")'         | 'C(\"x\")'",
            "'[ 1 , 2 , ]'      | '[1,2]'",
            "'[\n1,\n2\n]'      | '[1,2]'",
            "'{a:1,b:2 , c}'    | '{a:1 b:2 c}'",
            "'{a:N b}'          | '{b}'",
            "'{\n  a:1\n  b\n}' | '{a:1 b}'",
            "'@a.b:c-d~e_f \"Dis\"' | '@a.b:c-d~e_f \"Dis\"'"})
    void readsWhatOtherWritersWrite(String zinc, String canonical) {
        assertEquals(canonical, ZincWriter.writeValue(ZincReader.readValue(zinc)));
    }

    @Test
    void nullIsN() {
        assertNull(ZincReader.readValue("N"));
    }

    @Test
    void theEmptyGrid() {
        Grid empty = ZincReader.readGrid("ver:\"3.0\"\nempty\n");
        assertEquals(Grid.empty(Dict.EMPTY), empty);
        assertEquals("ver:\"3.0\"\nempty\n", ZincWriter.write(empty));
        assertEquals(GridJson.decode(new JsonObject("{\"meta\":{\"ver\":\"2.0\"},\"cols\":[{\"name\":\"empty\"}],\"rows\":[]}")), empty);
        assertEquals(empty, ZincReader.readGrid("ver:\"3.0\"\r\nempty"));
        assertEquals(empty, ZincReader.readGrid("ver:\"2.0\"\nempty\n\n\n"));
    }

    @Test
    void anErrorGridIsAZincGrid() {
        Grid error = Grid.empty(dict("err", Marker.VALUE, "dis", new Str("HBadRequestError: no \"x\"")));
        String zinc = "ver:\"3.0\" err dis:\"HBadRequestError: no \\\"x\\\"\"\nempty\n";
        assertEquals(zinc, ZincWriter.write(error));
        assertEquals(error, ZincReader.readGrid(zinc));
    }

    /** A grid with meta, column meta, null cells and every kind in its rows. */
    static Grid everyKindGrid() {
        List<Column> columns = List.of(new Column("id", dict("dis", new Str("Id"))), Column.named("name"),
                new Column("curVal", dict("unit", new Str("°F"), "writable", Marker.VALUE)), Column.named("kinds"),
                Column.named("nested"));
        Map<String, HaystackValue> kinds = new LinkedHashMap<>();
        canonicalValues().forEach(a -> kinds.put("k" + kinds.size(), (HaystackValue) a.get()[0]));
        Dict nestedGrid = ZincWriter.gridDict(new Grid(dict("title", new Str("inner")), List.of(Column.named("a"), Column.named("b")),
                List.of(dict("a", Num.of(1), "b", new Str("x")), dict("b", HaystackList.of(Marker.VALUE)))), "3.0");
        return new Grid(dict("title", new Str("All kinds"), "hisStart", DateTime.parse("2020-09-01T00:00:00Z UTC"),
                "view", dict("rows", Num.of(3))), columns, List.of(
                dict("id", new Ref("1ccbe79f-6c81-449b-b263-df59b04e9889", "Point"), "name", new Str("real-time_point"),
                        "curVal", new Num(72, "°F"), "kinds", new Dict(kinds), "nested", nestedGrid),
                dict("id", Ref.of("a"), "kinds", HaystackList.of(new ArrayList<>(kinds.values()).toArray(new HaystackValue[0]))),
                Dict.EMPTY,
                dict("nested", HaystackList.of(nestedGrid, nestedGrid))));
    }

    @Test
    void aGridRoundTripsAndAgreesWithGridJson() {
        Grid grid = everyKindGrid();
        String zinc = ZincWriter.write(grid);
        Grid read = ZincReader.readGrid(zinc);
        assertEquals(grid, read);
        assertEquals(zinc, ZincWriter.write(read));
        JsonObject json = GridJson.encode(grid);
        assertEquals(json, GridJson.encode(read));
        assertEquals(GridJson.decode(json), read);
        assertTrue(zinc.startsWith("ver:\"3.0\" title:\"All kinds\" hisStart:2020-09-01T00:00:00Z UTC view:{rows:3}\n"
                + "id dis:\"Id\",name,curVal unit:\"°F\" writable,kinds,nested\n"
                + "@1ccbe79f-6c81-449b-b263-df59b04e9889 \"Point\",\"real-time_point\",72°F,{k0 k1:NA k2:R "), zinc);
        assertTrue(zinc.contains("\nN,N,N,N,N\n"), "a row of nulls is not a blank line: " + zinc);
        assertTrue(zinc.endsWith(",[<<ver:\"3.0\" title:\"inner\"\na,b\n1,\"x\"\n,[M]\n>>,<<ver:\"3.0\" title:\"inner\"\na,b\n1,\"x\"\n,[M]\n>>]\n"), zinc);
    }

    @Test
    void aNestedGridReadsAsTheJsonCodecReadsANestedJsonGrid() {
        HaystackValue zinc = ZincReader.readValue("<<ver:\"3.0\" x\na dis:\"A\",b\n1,\n,@r\n>>");
        JsonObject json = new JsonObject("{\"meta\":{\"ver\":\"3.0\",\"x\":\"m:\"},\"cols\":[{\"name\":\"a\",\"dis\":\"A\"},{\"name\":\"b\"}],"
                + "\"rows\":[{\"a\":\"n:1\"},{\"b\":\"r:r\"}]}");
        assertEquals(HaystackJson.decode(json, "v"), zinc);
        assertEquals("<<ver:\"3.0\" x\na dis:\"A\",b\n1,\n,@r\n>>", ZincWriter.writeValue(zinc));
        assertEquals(zinc, ZincReader.readValue("<<\n  ver:\"3.0\" x\na dis:\"A\",b\n1,\n,@r>>"), "lenient about where >> is");
        HaystackValue inCell = ZincReader.readGrid("ver:\"3.0\"\ng,n\n<<ver:\"2.0\"\nempty\n>>,1\n").rows().get(0).get("g");
        assertEquals("<<ver:\"2.0\"\nempty\n>>", ZincWriter.writeValue(inCell));
        Dict notAGrid = dict("meta", dict("ver", new Str("3.0")), "cols", HaystackList.of(dict("name", new Str("a"))),
                "rows", HaystackList.of(dict("b", Marker.VALUE)));
        assertTrue(ZincWriter.writeValue(notAGrid).startsWith("{meta:{ver:\"3.0\"}"), "a row tag without a column: a Dict");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("", "line 1, column 1", "expected the version line"),
                Arguments.of("ver:3.0\nempty\n", "line 1, column 5", "expected the version as a string"),
                Arguments.of("ver:\"4.0\"\nempty\n", "line 1, column 1", "unsupported version \"4.0\""),
                Arguments.of("ver:\"3.0\"\n", "line 2, column 1", "expected a column name"),
                Arguments.of("ver:\"3.0\" ver:\"2.0\"\nempty\n", "line 1, column 10", "duplicate tag 'ver'"),
                Arguments.of("ver:\"3.0\" a a\nempty\n", "line 1, column 13", "duplicate tag 'a'"),
                Arguments.of("ver:\"3.0\"\nid,Bad\n", "line 2, column 4", "expected a column name after ','"),
                Arguments.of("ver:\"3.0\"\nid,id\n", "line 2, column 4", "duplicate column 'id'"),
                Arguments.of("ver:\"3.0\"\nid,v\n@a,1,2\n", "line 3, column 5", "more cells than the 2 columns"),
                Arguments.of("ver:\"3.0\"\nid,v,w\n@a,1\n", "line 3, column 5", "expected ',' and 1 more cell(s)"),
                Arguments.of("ver:\"3.0\"\nv\n\"abc\n", "line 3, column 1", "unterminated string"),
                Arguments.of("ver:\"3.0\"\nv\n\"a\\qb\"\n", "line 3, column 3", "invalid escape '\\q'"),
                Arguments.of("ver:\"3.0\"\nv\n\"a\\u12g4\"\n", "line 3, column 3", "invalid \\u escape"),
                Arguments.of("ver:\"3.0\"\nv\n\"a\tb\"\n", "line 3, column 3", "raw control character"),
                Arguments.of("ver:\"3.0\"\nv\n`abc\n", "line 3, column 1", "unterminated URI"),
                Arguments.of("ver:\"3.0\"\nv\n@\n", "line 3, column 2", "expected a Ref id"),
                Arguments.of("ver:\"3.0\"\nv\n^\n", "line 3, column 2", "expected a symbol name"),
                Arguments.of("ver:\"3.0\"\nv\n12 kW\n", "line 3, column 4", "expected the end of the line, not 'k'"),
                Arguments.of("ver:\"3.0\"\nv\n1e999\n", "line 3, column 1", "number out of range"),
                Arguments.of("ver:\"3.0\"\nv\n2024-13-01\n", "line 3, column 1", "invalid Date"),
                Arguments.of("ver:\"3.0\"\nv\n2024-01-01T25:00:00Z\n", "line 3, column 1", "invalid DateTime"),
                Arguments.of("ver:\"3.0\"\nv\n2024-01-01T10:00:00\n", "line 3, column 20", "expected the DateTime's offset"),
                Arguments.of("ver:\"3.0\"\nv\n2024-01-01T10:00:00+05:30\n", "line 3, column 1", "needs a timezone name"),
                Arguments.of("ver:\"3.0\"\nv\n25:00:00\n", "line 3, column 1", "invalid Time"),
                Arguments.of("ver:\"3.0\"\nv\nC(91,0)\n", "line 3, column 1", "coordinate out of range"),
                Arguments.of("ver:\"3.0\"\nv\nC(1 2)\n", "line 3, column 5", "expected ','"),
                Arguments.of("ver:\"3.0\"\nv\nfoo(\"x\")\n", "line 3, column 1", "expected a value, not 'f'"),
                Arguments.of("ver:\"3.0\"\nv\nBin(x)\n", "line 3, column 5", "expected a string after 'Bin('"),
                Arguments.of("ver:\"3.0\"\nv\nTRUE\n", "line 3, column 1", "unknown keyword 'TRUE'"),
                Arguments.of("ver:\"3.0\"\nv\nINF2\n", "line 3, column 1", "unknown keyword 'INF2'"),
                Arguments.of("ver:\"3.0\"\nv\n[1,N]\n", "line 3, column 4", "null (N) is not allowed in a List"),
                Arguments.of("ver:\"3.0\"\nv\n[1 2]\n", "line 3, column 4", "expected ',' or ']'"),
                Arguments.of("ver:\"3.0\"\nv\n[1,2\n", "line 4, column 1", "expected ',' or ']' in a List, not the end of the input"),
                Arguments.of("ver:\"3.0\"\nv\n{a:1 B}\n", "line 3, column 6", "expected a tag name or '}'"),
                Arguments.of("ver:\"3.0\"\nv\n{a:1 a}\n", "line 3, column 6", "duplicate tag 'a'"),
                Arguments.of("ver:\"3.0\"\nv\n{a\"x\"}\n", "line 3, column 3", "expected ' ', ',' or '}'"),
                Arguments.of("ver:\"3.0\"\nv\n<<ver:\"3.0\"\na\n1\n", "line 6, column 1", "expected '>>'"),
                Arguments.of("ver:\"3.0\"\nv\n<<ver:\"3.0\"\na\n1,2\n>>\n", "line 5, column 2", "more cells than the 1 columns"),
                Arguments.of("ver:\"3.0\"\nv\n1\n>>\n", "line 4, column 1", "expected a value, not '>'"),
                Arguments.of("ver:\"3.0\"\nv\n\"€\" x\n", "line 3, column 5", "expected the end of the line, not 'x'"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("malformed")
    void malformedInputNamesItsLineAndColumn(String zinc, String location, String reason) {
        HaystackFormatException e = assertThrows(HaystackFormatException.class, () -> ZincReader.readGrid(zinc));
        assertEquals(location, e.location(), e.getMessage());
        assertTrue(e.getMessage().startsWith(location + ": ") && e.getMessage().contains(reason), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"a\\u0000b\"", "\"a\u0000b\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\ud800\"", "`a\\u0000`",
            "@a \"\\u0000\"", "Bin(\"\\ud800\")", "1\ud800", "{a:\"\\u0000\"}"})
    void nulAndUnpairedSurrogatesAreRefusedAsInJson(String value) {
        HaystackFormatException e = assertThrows(HaystackFormatException.class,
                () -> ZincReader.readGrid("ver:\"3.0\"\nv\n" + value + "\n"));
        assertTrue(e.location().startsWith("line 3, column "), e.getMessage());
        assertTrue(e.getMessage().contains("NUL character or an unpaired surrogate"), e.getMessage());
        assertEquals(new Str("😀"), ZincReader.readValue("\"\\ud83d\\ude00\""), "a pair is fine");
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheirPosition() {
        byte[] body = "ver:\"3.0\"\nv\n\"ab".getBytes(StandardCharsets.UTF_8);
        byte[] bad = new byte[body.length + 2];
        System.arraycopy(body, 0, bad, 0, body.length);
        bad[body.length] = (byte) 0xC3;
        bad[body.length + 1] = (byte) 0x28;
        HaystackFormatException e = assertThrows(HaystackFormatException.class, () -> ZincReader.readGrid(bad));
        assertEquals("line 3, column 4", e.location(), e.getMessage());
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        assertEquals(new Num(72, "°F"), ZincReader.readGrid("ver:\"3.0\"\nv\n72°F\n".getBytes(StandardCharsets.UTF_8)).rows().get(0).get("v"));
    }

    static Stream<Arguments> nestings() {
        String grid = "<<ver:\"3.0\"\na\n";
        return Stream.of(Arguments.of("[", "]", 61), Arguments.of("[", "]", 62),
                Arguments.of("{a:", "}", 61), Arguments.of("{a:", "}", 62),
                Arguments.of(grid, "\n>>", 20), Arguments.of(grid, "\n>>", 21));
    }

    /**
     * Row cells sit three levels deep in the JSON grid (grid, rows, row): 61 nested Lists or Dicts fit
     * in 64, and 20 nested grids (three levels each). Zinc refuses exactly what the JSON of the same
     * grid is refused for.
     */
    @ParameterizedTest(name = "{2} x {0}")
    @MethodSource("nestings")
    void nestingIsBoundedExactlyAsJsonIs(String open, String close, int levels) {
        String zinc = "ver:\"3.0\"\ndeep\n" + open.repeat(levels) + "1" + close.repeat(levels) + "\n";
        String inner = "\"n:1\"";
        for (int i = 0; i < levels; i++) {
            inner = open.startsWith("[") ? "[" + inner + "]" : open.startsWith("{") ? "{\"a\":" + inner + "}"
                    : "{\"meta\":{\"ver\":\"3.0\"},\"cols\":[{\"name\":\"a\"}],\"rows\":[{\"a\":" + inner + "}]}";
        }
        String json = "{\"meta\":{\"ver\":\"3.0\"},\"cols\":[{\"name\":\"deep\"}],\"rows\":[{\"deep\":" + inner + "}]}";
        boolean jsonRefused = refused(() -> BoundedJson.decode(json));
        boolean zincRefused = refused(() -> ZincReader.readGrid(zinc));
        assertEquals(levels == 62 || levels == 21, jsonRefused, "the JSON bound is where this test expects it");
        assertEquals(jsonRefused, zincRefused, "Zinc and JSON agree at " + levels + " levels of " + open);
        if (zincRefused) {
            HaystackFormatException e = assertThrows(HaystackFormatException.class, () -> ZincReader.readGrid(zinc));
            assertTrue(e.getMessage().contains("nested more than 64 levels"), e.getMessage());
        } else {
            assertEquals(GridJson.decode(new JsonObject(json)), ZincReader.readGrid(zinc), "and read the same grid");
        }
    }

    private static boolean refused(Runnable read) {
        try {
            read.run();
            return false;
        } catch (HaystackFormatException | BoundedJson.Refused e) {
            return true;
        }
    }

    @Test
    void hostileNestingFailsFastWithoutExhaustingTheStack() {
        for (String open : List.of("[", "{a:", "<<ver:\"3.0\"\na\n")) {
            String zinc = "ver:\"3.0\"\ndeep\n" + open.repeat(200_000);
            HaystackFormatException e = assertThrows(HaystackFormatException.class, () -> ZincReader.readGrid(zinc));
            assertTrue(e.getMessage().contains("nested more than 64 levels"), e.getMessage());
        }
        assertThrows(HaystackFormatException.class, () -> ZincReader.readGrid("ver:\"3.0\" m:" + "[".repeat(100) + "\nempty\n"));
        assertDoesNotThrow(() -> ZincReader.readGrid("ver:\"3.0\" m:" + "[".repeat(62) + "]".repeat(62) + "\nempty\n"),
                "grid meta values sit two levels deep");
        assertThrows(HaystackFormatException.class,
                () -> ZincReader.readGrid("ver:\"3.0\" m:" + "[".repeat(63) + "]".repeat(63) + "\nempty\n"));
    }

    /**
     * Truncations and random edits of valid Zinc either read or fail with a located
     * {@link HaystackFormatException}: nothing else escapes (which HaystackApi would answer as a 500).
     */
    @Test
    void damagedZincFailsOnlyWithALocatedFormatError() {
        String valid = ZincWriter.write(everyKindGrid()) + "N,\"\\u00fc\\$\",0x1F,1_000.5e-3kW,2024-01-02T03:04:05Z\n";
        String alphabet = "\"`@^[]{}<>(),:;\\ \n\r\t-+._0123456789eExTFMNRCIabzZ\u00b0\u00fc\ud800\u0000";
        java.util.Random random = new java.util.Random(20240601);
        for (int i = 0; i <= valid.length(); i += 7) {
            readOrFormatError(valid.substring(0, i));
        }
        for (int round = 0; round < 5_000; round++) {
            StringBuilder damaged = new StringBuilder(valid);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(damaged.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> damaged.setCharAt(at, c);
                    case 1 -> damaged.insert(at, c);
                    default -> damaged.deleteCharAt(at);
                }
            }
            readOrFormatError(damaged.toString());
        }
    }

    private static void readOrFormatError(String zinc) {
        try {
            ZincReader.readGrid(zinc);
        } catch (HaystackFormatException e) {
            assertTrue(e.location().matches("line \\d+, column \\d+"), e.getMessage());
        } catch (RuntimeException e) {
            throw new AssertionError("not a format error for " + zinc, e);
        }
    }

    @Test
    void unitsAreZincUnitCharacters() {
        for (String unit : List.of("°F", "%", "$", "m²", "kW/m²", "_custom", "%RH", "m³/h", "€")) {
            Num num = new Num(1.5, unit);
            assertEquals("1.5" + unit, ZincWriter.writeValue(num));
            assertEquals(num, ZincReader.readValue("1.5" + unit));
            assertEquals(num, HaystackJson.decode(HaystackJson.encode(num, JsonVersion.V3), "v"));
        }
    }

    static Dict dict(Object... pairs) {
        Map<String, HaystackValue> tags = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            tags.put((String) pairs[i], (HaystackValue) pairs[i + 1]);
        }
        return new Dict(tags);
    }
}
