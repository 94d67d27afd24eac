package dev.herald.haystack.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.haystack.filter.Filter.And;
import dev.herald.haystack.filter.Filter.Compare;
import dev.herald.haystack.filter.Filter.Has;
import dev.herald.haystack.filter.Filter.IsA;
import dev.herald.haystack.filter.Filter.Matches;
import dev.herald.haystack.filter.Filter.Missing;
import dev.herald.haystack.filter.Filter.Op;
import dev.herald.haystack.filter.Filter.Or;
import dev.herald.haystack.filter.Filter.Path;
import dev.herald.haystack.value.Bool;
import dev.herald.haystack.value.Date;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Str;
import dev.herald.haystack.value.Symbol;
import dev.herald.haystack.value.Time;
import dev.herald.haystack.value.Uri;
import java.util.List;
import java.util.stream.Stream;
import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

@Tier.Unit
class FilterParserTest {

    private static Has has(String... path) {
        return new Has(Path.of(path));
    }

    private static Compare eq(String name, HaystackValue literal) {
        return new Compare(Path.of(name), Op.EQ, literal);
    }

    @Test
    void parsesPathsAndMissing() {
        assertEquals(has("foo_bar"), FilterParser.parse("foo_bar"));
        assertEquals(has("a", "b", "c"), FilterParser.parse("a->b->c"));
        assertEquals(new Missing(Path.of("foo", "bar")), FilterParser.parse(" not  foo->bar "));
    }

    @Test
    void parsesEveryComparisonOperator() {
        for (Op op : Op.values()) {
            assertEquals(new Compare(Path.of("x", "y"), op, Num.of(2)), FilterParser.parse("x->y " + op.symbol() + " 2"));
            assertEquals(new Compare(Path.of("x"), op, Num.of(2)), FilterParser.parse("x" + op.symbol() + "2"));
        }
    }

    static Stream<Arguments> literals() {
        return Stream.of(
                Arguments.of("true", Bool.TRUE),
                Arguments.of("false", Bool.FALSE),
                Arguments.of("\"hi\"", new Str("hi")),
                Arguments.of("\"\\\"hi\\\"\"", new Str("\"hi\"")),
                Arguments.of("\"_\\uabcd_\\n_\\t\\b\\f\\r\\$\\\\\"", new Str("_\uabcd_\n_\t\b\f\r$\\")),
                Arguments.of("\"\\ud83d\\ude00 ok\"", new Str("\uD83D\uDE00 ok")),
                Arguments.of("\"é°\"", new Str("é°")),
                Arguments.of("`http://foo/?bar`", new Uri("http://foo/?bar")),
                Arguments.of("`file name`", new Uri("file name")),
                Arguments.of("`a\\`b\\:c`", new Uri("a`b\\:c")),
                Arguments.of("4", Num.of(4)),
                Arguments.of("-99", Num.of(-99)),
                Arguments.of("4.0", Num.of(4)),
                Arguments.of("1.6e+4", Num.of(16000)),
                Arguments.of("1.6e-8", Num.of(1.6e-8)),
                Arguments.of("4E5", Num.of(4e5)),
                Arguments.of("10_000", Num.of(10000)),
                Arguments.of("5ns", new Num(5, "ns")),
                Arguments.of("-9sec", new Num(-9, "sec")),
                Arguments.of("2.5hr", new Num(2.5, "hr")),
                Arguments.of("75°F", new Num(75, "°F")),
                Arguments.of("3kW/m²", new Num(3, "kW/m²")),
                Arguments.of("5e", new Num(5, "e")),
                Arguments.of("100%", new Num(100, "%")),
                Arguments.of("@xyz", Ref.of("xyz")),
                Arguments.of("@xyz:foo.bar", Ref.of("xyz:foo.bar")),
                Arguments.of("@a-b_c~d.e", Ref.of("a-b_c~d.e")),
                Arguments.of("@1ccbe79f-6c81-449b-b263-df59b04e9889", Ref.of("1ccbe79f-6c81-449b-b263-df59b04e9889")),
                Arguments.of("2009-10-30", Date.parse("2009-10-30")),
                Arguments.of("8:30", Time.parse("08:30:00")),
                Arguments.of("13:00:00", Time.parse("13:00:00")),
                Arguments.of("08:30:00.125", Time.parse("08:30:00.125")),
                Arguments.of("^point", new Symbol("point")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("literals")
    void parsesLiteral(String text, HaystackValue expected) {
        assertEquals(eq("x", expected), FilterParser.parse("x == " + text));
        assertEquals(eq("x", expected), FilterParser.parse("x==" + text));
    }

    @Test
    void parsesRegexAsWritten() {
        Matches matches = (Matches) FilterParser.parse("area =~ /456178.*\\/x/");
        assertEquals(Path.of("area"), matches.path());
        assertEquals("456178.*\\/x", matches.source());
        assertEquals(matches, FilterParser.parse("area=~/456178.*\\/x/"));
    }

    @Test
    void parsesSymbolTerm() {
        assertEquals(new IsA(new Symbol("air-output")), FilterParser.parse("^air-output"));
        assertEquals(List.of("air", "output"), new IsA(new Symbol("air-output")).terms());
    }

    @Test
    void andBindsTighterThanOr() {
        Filter a = has("a");
        Filter b = has("b");
        Filter c = has("c");
        Filter d = has("d");
        assertEquals(new Or(List.of(new And(List.of(a, b)), c)), FilterParser.parse("a and b or c"));
        assertEquals(new Or(List.of(a, new And(List.of(b, c)))), FilterParser.parse("a or b and c"));
        assertEquals(new Or(List.of(new And(List.of(a, b)), new And(List.of(c, d)))),
                FilterParser.parse("a and b or c and d"));
        assertEquals(new And(List.of(a, new Or(List.of(b, c)), d)), FilterParser.parse("a and (b or c) and d"));
        assertEquals(new And(List.of(a, b, c)), FilterParser.parse("a and b and c"));
    }

    @Test
    void parenthesesOnlyGroup() {
        assertEquals(has("a"), FilterParser.parse("((a))"));
        assertEquals(new And(List.of(has("a"), has("b"))), FilterParser.parse("( a )  and  ( b ) "));
        assertEquals(eq("test", Bool.TRUE), FilterParser.parse("((test == true))"));
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "''                          | 0  | empty filter",
            "'   '                       | 0  | empty filter",
            "n:                          | 1  | unexpected character ':'",
            "n-foo                       | 1  | expected '->' or a digit after '-'",
            "n->                         | 3  | expected a tag name, not end of filter",
            "(x                          | 2  | expected ')', not end of filter",
            "(x and                      | 6  | expected a tag name, '(', 'not' or a ^symbol, not end of filter",
            "n==                         | 3  | expected a value, not end of filter",
            "n==\"..                     | 3  | unterminated string",
            "n==`..                      | 3  | unterminated Uri",
            "foo==Foo(\"xxx\")           | 5  | expected a value, not 'Foo'",
            "n=3x5                       | 1  | expected '==' or '=~'",
            "x==T                        | 3  | Zinc's 'T' is not a filter value; use true or false",
            "x==F                        | 3  | Zinc's 'F' is not a filter value; use true or false",
            "x==M                        | 3  | expected a value, not 'M'",
            "foo and not (test == \"me\") | 12 | expected a tag name after 'not', not '('",
            "x == \"a\\qb\"              | 7  | invalid escape '\\q'",
            "x == \"\\u12\"              | 6  | invalid escape: '\\u' needs four hex digits",
            "x == `a\\qb`                | 7  | invalid escape '\\q'",
            "x == \"\\u0000\"            | 5  | NUL characters are not allowed",
            "x == \"\\ud800\"            | 5  | unpaired UTF-16 surrogate in a literal",
            "x == 2016-01-01T00:00:00Z   | 5  | DateTime literals are not part of the filter grammar",
            "x == 2016-02-30             | 5  | invalid literal '2016-02-30'",
            "x == 25:00                  | 5  | invalid literal '25:00'",
            "x == 5 m                    | 7  | expected 'and', 'or' or end of filter, not 'm'",
            "x == 0x1f                   | 5  | hexadecimal numbers are not supported",
            "x == -INF                   | 5  | expected '->' or a digit after '-'",
            "x == INF                    | 5  | expected a value, not 'INF'",
            "x == 1e999                  | 5  | number out of range",
            "x == @                      | 5  | expected a Ref id after '@'",
            "x == @ab cd                 | 9  | expected 'and', 'or' or end of filter, not 'cd'",
            "^                           | 0  | expected a symbol name after '^'",
            "Site                        | 0  | tag names start with a lower-case letter; spec names like 'Site' are not supported",
            "and                         | 0  | 'and' is a keyword, not a tag name",
            "a and or                    | 6  | 'or' is a keyword, not a tag name",
            "not                         | 3  | expected a tag name after 'not', not end of filter",
            "x ~ 1                       | 2  | unexpected character '~'",
            "x == 1 // comment           | 7  | unexpected character '/'",
            "a b                         | 2  | expected 'and', 'or' or end of filter, not 'b'",
            ")                           | 0  | expected a tag name, '(', 'not' or a ^symbol, not ')'",
            "x =~ abc                    | 5  | expected '/' to start a regex",
            "x =~ /abc                   | 5  | unterminated regex",
            "x =~ //                     | 5  | empty regex",
            "x =~ /a/i                   | 8  | regex flags are not supported",
            "x =~ /\\bword/              | 6  | regex escape '\\b' is not supported",
            "x =~ /a\\x41/               | 7  | regex escape '\\x' is not supported",
            "x =~ /(?i)a/                | 6  | only (?:, (?=, (?!, (?<= and (?<! groups are supported in a regex",
            "x =~ /(?<n>a)/              | 6  | only (?:, (?=, (?!, (?<= and (?<! groups are supported in a regex",
            "x =~ /a++/                  | 8  | possessive quantifiers are not supported in a regex",
            "x =~ /[[:alpha:]]/          | 7  | '[' inside [...] must be escaped in a regex",
            "x =~ /[a&&b]/               | 8  | '&' inside [...] must be escaped in a regex",
            "x =~ /[]a]/                 | 7  | a ']' right after '[' must be escaped in a regex",
            "x =~ /(/                    | 6  | invalid regex: Unclosed group",
            "x =~ /a\\/                  | 5  | unterminated regex"})
    void rejectsWithPositionAndReason(String filter, int position, String reason) {
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class, () -> FilterParser.parse(filter));
        assertEquals(reason, e.reason());
        assertEquals(position, e.position());
        assertEquals(reason + " at position " + position, e.getMessage());
    }

    @Test
    void acceptsFiltersUpToTheLengthBound() {
        String longest = "a" + " or a".repeat((FilterParser.MAX_LENGTH - 1) / 5);
        assertTrue(longest.length() <= FilterParser.MAX_LENGTH);
        assertEquals(Or.class, FilterParser.parse(longest).getClass());
    }

    @Test
    void rejectsFiltersOverTheLengthBound() {
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class,
                () -> FilterParser.parse("a".repeat(FilterParser.MAX_LENGTH + 1)));
        assertEquals(FilterParser.MAX_LENGTH, e.position());
    }

    @Test
    void acceptsNestingUpToTheDepthBound() {
        int depth = FilterParser.MAX_DEPTH;
        assertEquals(has("a"), FilterParser.parse("(".repeat(depth) + "a" + ")".repeat(depth)));
    }

    @Test
    void rejectsNestingOverTheDepthBound() {
        int depth = FilterParser.MAX_DEPTH + 1;
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class,
                () -> FilterParser.parse("(".repeat(depth) + "a" + ")".repeat(depth)));
        assertEquals(FilterParser.MAX_DEPTH, e.position());
        assertEquals("parentheses nested deeper than 64 levels", e.reason());
    }

    @Test
    void boundsPathLength() {
        String longest = "a" + "->a".repeat(FilterParser.MAX_PATH_LENGTH - 1);
        assertEquals(FilterParser.MAX_PATH_LENGTH, ((Has) FilterParser.parse(longest)).path().size());
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class,
                () -> FilterParser.parse(longest + "->a"));
        assertEquals(longest.length(), e.position());
    }

    @Test
    void boundsTheArrowsOfTheWholeFilter() {
        String path = "a" + "->a".repeat(31);
        String two = path + " or " + path;
        assertEquals(2, ((Or) FilterParser.parse(two)).parts().size(), "62 arrows are fine");
        String many = String.join(" or ", java.util.Collections.nCopies(80, path));
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class, () -> FilterParser.parse(many));
        assertEquals("filter follows more than 64 '->' in all", e.reason());
        assertEquals(two.length() + " or ".length() + 7, e.position(), "at the 65th arrow");
    }
}
