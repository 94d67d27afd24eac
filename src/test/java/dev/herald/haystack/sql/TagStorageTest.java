package dev.herald.haystack.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.haystack.json.HaystackFormatException;
import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.Marker;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Remove;
import dev.herald.haystack.value.Str;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tier.Unit
class TagStorageTest {

    private static final String ID = "1ccbe79f-6c81-449b-b263-df59b04e9889";

    /** One tag of every storable kind, with the awkward numbers. */
    static Dict everyKind() {
        return HaystackJson.decodeDict(new JsonObject()
                .put("id", "r:" + ID + " Display")
                .put("marker", "m:").put("na", "z:").put("yes", true).put("no", false)
                .put("n", "n:12.5 °F").put("zero", "n:0").put("negZero", "n:-0.0").put("tenth", "n:0.1")
                .put("big", "n:1E20").put("tiny", "n:1.5E-7").put("max", "n:" + Double.MAX_VALUE)
                .put("minimum", "n:" + Double.MIN_VALUE).put("inf", "n:INF").put("ninf", "n:-INF").put("nan", "n:NaN")
                .put("str", "s:multi\nline \"quoted\" ✓ \uD83D\uDE00").put("colon", "s:a:b").put("uri", "u:http://x/?y")
                .put("ref", "r:site.equip.point").put("sym", "y:hot-water").put("date", "d:2016-01-01")
                .put("time", "h:08:30:00.123").put("ts", "t:2020-09-02T08:30:00.25-04:00 New_York")
                .put("utc", "t:2020-09-02T08:30:00Z UTC").put("coord", "c:37.545,-77.449")
                .put("xstr", "x:Bin:text/plain")
                .put("list", new JsonArray().add("r:a").add("n:1").add(new JsonArray().add("m:")))
                .put("dict", new JsonObject().put("inner", new JsonObject().put("x", "n:5")).put("k", "s:v")), "entity");
    }

    @Test
    void everyKindRoundTripsInMemory() {
        Dict entity = everyKind();
        assertEquals(entity, TagStorage.decode(TagStorage.encode(entity)));
        assertEquals("Display", ((Ref) TagStorage.decode(TagStorage.encode(entity)).get("id")).dis());
    }

    @Test
    void theColumnsTextDecodesToTheSameTags() {
        Dict entity = everyKind();
        String text = TagStorage.encode(entity).encode();
        assertEquals(TagStorage.decode(TagStorage.encode(entity)), TagStorage.decode(text));
        assertEquals(entity, TagStorage.decode(text));
        // JSONB's own order: shorter keys first, so a scalar's kind comes after its value
        assertEquals(new Dict(Map.of("a", new Str("x"), "m", Marker.VALUE)),
                TagStorage.decode("{\"a\": {\"v\": \"x\", \"_k\": \"s\"}, \"m\": {\"_k\": \"m\"}}"));
    }

    @Test
    void scalarsAreTypedObjects() {
        JsonObject stored = TagStorage.encode(HaystackJson.decodeDict(new JsonObject()
                .put("n", "n:75 °F").put("u", "n:1").put("r", "r:a Dis").put("l", new JsonArray().add("m:")), "e"));
        assertEquals(new JsonObject("""
                {"n":{"_k":"n","v":75,"u":"°F"},"u":{"_k":"n","v":1,"u":null},
                  "r":{"_k":"r","v":"a","d":"Dis"},"l":[{"_k":"m"}]}"""), new JsonObject(stored.encode()));
    }

    @Test
    void removeIsNotStorable() {
        Dict entity = new Dict(Map.of("list", HaystackList.of(Remove.VALUE)));
        assertEquals("tags.list[0]",
                assertThrows(HaystackFormatException.class, () -> TagStorage.encode(entity)).location());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upper", "_k", "has space", "1st"})
    void invalidTagNamesAreNotStorable(String name) {
        Dict entity = new Dict(Map.of("dict", new Dict(Map.of(name, Marker.VALUE))));
        assertEquals("tags.dict." + name,
                assertThrows(HaystackFormatException.class, () -> TagStorage.encode(entity)).location());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nul\u0000", "lone\uD800", "\uDC00"})
    void textPostgresCannotHoldIsNotStorable(String text) {
        Dict entity = new Dict(Map.of("str", new Str(text)));
        assertEquals("tags.str", assertThrows(HaystackFormatException.class, () -> TagStorage.encode(entity)).location());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":\"m:\"}", "{\"a\":{\"_k\":\"q\"}}", "{\"a\":{\"_k\":\"n\",\"v\":\"x\"}}",
            "{\"a\":{\"_k\":\"b\"}}", "{\"a\":{\"_k\":\"d\",\"v\":\"2020\"}}", "{\"a\":[{\"_k\":\"r\",\"v\":\"bad id\"}]}",
            "{\"a\":{\"_k\":\"t\",\"v\":\"2020-01-01T00:00:00Z\"}}", "{\"a\":null}"})
    void malformedStoredValueIsReportedWithItsLocation(String stored) {
        HaystackFormatException e = assertThrows(HaystackFormatException.class,
                () -> TagStorage.decode(new JsonObject(stored)));
        assertEquals("tags.a", e.location().replace("[0]", ""));
        HaystackFormatException fromText = assertThrows(HaystackFormatException.class, () -> TagStorage.decode(stored));
        assertEquals("tags.a", fromText.location().replace("[0]", ""), "the same from the column's text");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "\"x\"", "{", "{\"a\":", "{} {}", "{\"a\":{\"_k\":\"s\",\"v\":\"x\"}} trailing", "nul"})
    void storedTextThatIsNotAnObjectIsReported(String stored) {
        assertEquals("tags", assertThrows(HaystackFormatException.class, () -> TagStorage.decode(stored)).location());
    }

    @Test
    void entityIdIsTheLowerCaseUuidOfTheIdRef() {
        assertEquals(UUID.fromString(ID), TagStorage.entityId(new Dict(Map.of("id", Ref.of(ID)))));
        assertThrows(HaystackFormatException.class,
                () -> TagStorage.entityId(new Dict(Map.of("id", Ref.of(ID.toUpperCase())))));
        assertThrows(HaystackFormatException.class,
                () -> TagStorage.entityId(new Dict(Map.of("id", Ref.of("site.equip")))));
        assertThrows(HaystackFormatException.class,
                () -> TagStorage.entityId(new Dict(Map.of("id", new Str(ID)))));
    }
}
