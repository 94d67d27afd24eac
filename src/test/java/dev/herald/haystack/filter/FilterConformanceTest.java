package dev.herald.haystack.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.haystack.ConformanceCases;
import dev.herald.haystack.ConformanceCases.MatchCase;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.Marker;
import dev.herald.haystack.value.Ref;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of the shared conformance file, through the parser and the in-memory evaluator. */
@Tier.Unit
class FilterConformanceTest {

    static Stream<MatchCase> matchCases() {
        return ConformanceCases.matchCases();
    }

    static Stream<String> parseOkFilters() {
        return ConformanceCases.parseOkFilters();
    }

    static Stream<String> parseErrorFilters() {
        return ConformanceCases.parseErrorFilters();
    }

    /** Evaluates a case in memory: Refs resolve to the case's records unless the case forbids it. */
    private static List<String> evaluate(MatchCase c, Filter filter) {
        RefResolver resolver = c.resolveRefs()
                ? ref -> c.records().stream().filter(r -> ConformanceCases.idOf(r).equals(ref.id())).findFirst()
                : RefResolver.NONE;
        return c.records().stream()
                .filter(c::isSubject)
                .filter(record -> filter.matches(record, resolver))
                .map(ConformanceCases::idOf)
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matchCases")
    void evaluatorMatchesExactlyTheExpectedRecords(MatchCase c) {
        assertEquals(c.expectedIds(), evaluate(c, FilterParser.parse(c.filter())));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("parseOkFilters")
    void parserAcceptsConformingFilter(String filter) {
        assertNotNull(FilterParser.parse(filter));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("parseErrorFilters")
    void parserRejectsNonConformingFilter(String filter) {
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class, () -> FilterParser.parse(filter));
        assertFalse(e.reason().isBlank());
    }

    @Test
    void everyCategoryOfTheFileIsSupported() {
        List<String> categories = matchCases().map(MatchCase::category).distinct().sorted().toList();
        assertEquals(List.of("core", "core-reflists", "core-units", "haxall-datetime-path",
                "haystack4-symbol-isA", "widesky-regex"), categories,
                "a new category appeared in the conformance file: decide whether it is supported");
    }

    @Test
    void resolverIsConsultedOnlyForRefs() {
        Dict record = new Dict(Map.of("dict", new Dict(Map.of("x", Marker.VALUE))));
        RefResolver failing = ref -> {
            throw new AssertionError("resolver called for " + ref);
        };
        assertEquals(true, FilterParser.parse("dict->x").matches(record, failing));
        assertEquals(Optional.empty(), RefResolver.NONE.resolve(Ref.of("a")));
    }
}
