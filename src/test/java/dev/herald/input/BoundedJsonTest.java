package dev.herald.input;

import dev.herald.testing.Tier;
import io.vertx.core.json.DecodeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tier.Unit
class BoundedJsonTest {

    private static String arrays(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static String objects(int depth) {
        return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
    }

    @Test
    void sixtyFourLevelsAreAcceptedAndSixtyFiveAreNot() {
        assertDoesNotThrow(() -> BoundedJson.decode(arrays(64)));
        assertDoesNotThrow(() -> BoundedJson.decode(objects(64)));
        assertEquals(BoundedJson.Kind.TOO_DEEP, assertThrows(BoundedJson.Refused.class, () -> BoundedJson.decode(arrays(65))).kind());
        assertEquals(BoundedJson.Kind.TOO_DEEP, assertThrows(BoundedJson.Refused.class, () -> BoundedJson.decode(objects(65))).kind());
    }

    @Test
    void nestingThePlatformCannotParseIsUnreadable() {
        assertThrows(DecodeException.class, () -> BoundedJson.decode(arrays(100_000)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"a\\u0000\"", "{\"k\\u0000\":1}", "[\"\\ud800\"]", "\"\\udc00x\"", "\"x\\ud83d\"", "{\"a\":[{\"b\":\"\\ud83d\\ud83d\"}]}",
            "1e400", "[-1e999]"})
    void nulLoneSurrogatesAndInfiniteNumbersCannotBeStored(String json) {
        assertEquals(BoundedJson.Kind.UNSTORABLE, assertThrows(BoundedJson.Refused.class, () -> BoundedJson.decode(json)).kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\ud83d\\ude00\"", "\"plain\"", "{\"\\u00e9\":\"\\u4e2d\"}", "123456789012345678901234567890", "1.5e300", "null"})
    void pairedSurrogatesAndOrdinaryValuesPass(String json) {
        assertDoesNotThrow(() -> BoundedJson.decode(json));
    }

    @Test
    void storableTextIsChecked() {
        assertTrue(BoundedJson.isStorable("h\u00e9llo \ud83d\ude00"));
        assertFalse(BoundedJson.isStorable("a\u0000"));
        assertFalse(BoundedJson.isStorable("\ud83d"));
        assertFalse(BoundedJson.isStorable("\ude00\ud83d"));
    }
}
