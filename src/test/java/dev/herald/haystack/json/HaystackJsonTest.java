package dev.herald.haystack.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalTime;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Tier.Unit
class HaystackJsonTest {

    static Stream<Arguments> canonicalEncodings() {
        return Stream.of(
                Arguments.of(Marker.VALUE, "m:"),
                Arguments.of(Na.VALUE, "z:"),
                Arguments.of(Remove.VALUE, "-:"),
                Arguments.of(Num.of(45.5), "n:45.5"),
                Arguments.of(Num.of(10), "n:10"),
                Arguments.of(new Num(73.2, "°F"), "n:73.2 °F"),
                Arguments.of(new Num(1, "kW/m²"), "n:1 kW/m²"),
                Arguments.of(Num.of(Double.POSITIVE_INFINITY), "n:INF"),
                Arguments.of(Num.of(Double.NEGATIVE_INFINITY), "n:-INF"),
                Arguments.of(Num.of(Double.NaN), "n:NaN"),
                Arguments.of(Num.of(1.5e-7), "n:0.00000015"),
                Arguments.of(new Str("hello"), "s:hello"),
                Arguments.of(new Str("m:"), "s:m:"),
                Arguments.of(new Str(""), "s:"),
                Arguments.of(new Ref("a", "A Dis"), "r:a A Dis"),
                Arguments.of(Ref.of("site.equip.real-time_point"), "r:site.equip.real-time_point"),
                Arguments.of(new Uri("http://project-haystack.org/"), "u:http://project-haystack.org/"),
                Arguments.of(Date.parse("2014-01-03"), "d:2014-01-03"),
                Arguments.of(new Time(LocalTime.of(8, 30)), "h:08:30:00"),
                Arguments.of(Time.parse("23:59:00.120"), "h:23:59:00.12"),
                Arguments.of(DateTime.parse("2015-06-08T15:47:41-04:00 New_York"), "t:2015-06-08T15:47:41-04:00 New_York"),
                Arguments.of(DateTime.parse("2015-06-08T15:47:41.5Z UTC"), "t:2015-06-08T15:47:41.5Z UTC"),
                Arguments.of(new Coord(37.545, -77.449), "c:37.545,-77.449"),
                Arguments.of(new XStr("Bin", "text/plain"), "x:Bin:text/plain"),
                Arguments.of(new Symbol("hot-water"), "y:hot-water"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("canonicalEncodings")
    void scalarEncodesCanonicallyAndDecodesBack(HaystackValue value, String json) {
        assertEquals(json, HaystackJson.encode(value, JsonVersion.V3));
        assertEquals(value, HaystackJson.decode(json, "value"));
    }

    @Test
    void boolAndCollectionsUseJsonTypes() {
        Dict dict = new Dict(Map.of("flag", Bool.TRUE,
                "list", HaystackList.of(Num.of(1), new Str("x"), new Dict(Map.of("m", Marker.VALUE)))));
        Object json = HaystackJson.encode(dict, JsonVersion.V3);
        assertEquals(new JsonObject().put("flag", true)
                .put("list", new JsonArray().add("n:1").add("s:x").add(new JsonObject().put("m", "m:"))), json);
        assertEquals(dict, HaystackJson.decode(json, "value"));
    }

    @Test
    void removeIsWrittenAsXColonUnderVersion2() {
        assertEquals("x:", HaystackJson.encode(Remove.VALUE, JsonVersion.V2));
    }

    @Test
    void decodingIsLenientWhereTheSpecIs() {
        assertEquals(new Str("hello"), HaystackJson.decode("hello", "v"));
        assertEquals(new Str("q:unknown prefix"), HaystackJson.decode("q:unknown prefix", "v"));
        assertEquals(Remove.VALUE, HaystackJson.decode("x:", "v"));
        assertEquals(Remove.VALUE, HaystackJson.decode("-:", "v"));
        assertEquals(new XStr("Bin", "text/plain"), HaystackJson.decode("b:text/plain", "v"));
        assertEquals(Num.of(12), HaystackJson.decode(12, "v"));
        assertEquals(Time.parse("08:30"), HaystackJson.decode("h:8:30", "v"));
        assertNull(HaystackJson.decode(null, "v"));
    }

    @Test
    void refDisplayTextStartsAfterTheFirstSpaceAndIsIgnoredByEquality() {
        Ref ref = (Ref) HaystackJson.decode("r:70624619-abcd WideSky Hub \"Test Site\"", "v");
        assertEquals("70624619-abcd", ref.id());
        assertEquals("WideSky Hub \"Test Site\"", ref.dis());
        assertEquals(Ref.of("70624619-abcd"), ref);
    }

    @Test
    void nullDictValueMeansTheTagIsAbsent() {
        Dict dict = HaystackJson.decodeDict(new JsonObject().put("a", "m:").putNull("b"), "row");
        assertTrue(dict.has("a"));
        assertFalse(dict.has("b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"n:abc", "n:1e999", "n:12 ", "n:5 bad unit", "d:2014-13-01", "d:14-01-01",
            "h:25:00", "h:8", "t:2015-06-08T15:47:41-04:00", "t:2015-06-08 New_York", "c:100,0", "c:1",
            "r:", "r:bad!id", "m:x", "z:1", "-:x", "x:lower:val", "x:NoColon", "y:", "y:bad sym"})
    void malformedValueIsRejectedWithItsLocation(String json) {
        HaystackFormatException e = assertThrows(HaystackFormatException.class,
                () -> HaystackJson.decodeDict(new JsonObject().put("tag", json), "rows[3]"));
        assertEquals("rows[3].tag", e.location());
        assertTrue(e.getMessage().startsWith("rows[3].tag: invalid value"), e.getMessage());
    }

    @Test
    void nestedErrorNamesTheElement() {
        JsonObject json = new JsonObject().put("a", new JsonArray().add("n:1").add(new JsonObject().put("b", "d:x")));
        HaystackFormatException e = assertThrows(HaystackFormatException.class,
                () -> HaystackJson.decodeDict(json, "meta"));
        assertEquals("meta.a[1].b", e.location());
    }

    @Test
    void nullInsideAListIsRejected() {
        HaystackFormatException e = assertThrows(HaystackFormatException.class,
                () -> HaystackJson.decode(new JsonArray().add("n:1").addNull(), "v"));
        assertEquals("v[1]", e.location());
    }

    @Test
    void negativeZeroEqualsZero() {
        assertEquals(Num.of(0), Num.of(-0.0));
        assertEquals("n:0", HaystackJson.encode(Num.of(-0.0), JsonVersion.V3));
    }
}
