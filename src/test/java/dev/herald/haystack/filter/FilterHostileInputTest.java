package dev.herald.haystack.filter;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whatever arrives, the parser answers with a filter or a FilterSyntaxException, quickly. */
@Tier.Unit
class FilterHostileInputTest {

    @ParameterizedTest
    @ValueSource(strings = {"(", "not not not", "->", "\"", "`", "/", "=~", "@", "^", "\\", "a->", "a ==",
            "a =~ /", "a =~ /\\", "\"\\", "\"\\u", "\"\\uZZZZ\"", "`\\", "1.", "1e", "-", "--1", "\u0000", "\uFFFF",
            "\uD800", "a\u00A0b", "x == \"\u0001\"", "x==@@", "((((((", "))))", "a and", "or a", "x == 5°F°F!"})
    void rejectsMalformedInputCleanly(String filter) {
        assertThrows(FilterSyntaxException.class, () -> FilterParser.parse(filter));
    }

    @Test
    void deepNestingIsRefusedWithoutStackOverflow() {
        assertThrows(FilterSyntaxException.class,
                () -> FilterParser.parse("(".repeat(FilterParser.MAX_LENGTH)));
        assertThrows(FilterSyntaxException.class,
                () -> FilterParser.parse("not ".repeat(FilterParser.MAX_LENGTH / 4)));
        assertThrows(FilterSyntaxException.class,
                () -> FilterParser.parse("a" + "->a".repeat(FilterParser.MAX_LENGTH / 3 - 1)));
    }

    @Test
    void hugeInputIsRefusedBeforeLexing() {
        assertThrows(FilterSyntaxException.class, () -> FilterParser.parse("\"" + "x".repeat(10_000_000)));
    }

    @Test
    void randomBytesNeverEscapeAsOtherExceptions() {
        Random random = new Random(20260501);
        String alphabet = "ab(){}[]<>=!~-/\\\"`@^:._0123456789 eEnotandr\u00b0\u0000\n\uD83D\uDE00TF";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                text.append(random.nextInt(8) == 0
                        ? (char) random.nextInt(0x10000)
                        : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            try {
                FilterParser.parse(text.toString());
            } catch (FilterSyntaxException expected) {
                // the only acceptable failure
            }
        }
    }
}
