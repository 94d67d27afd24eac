package dev.herald.haystack.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.haystack.ConformanceCases;
import dev.herald.haystack.ConformanceCases.MatchCase;
import dev.herald.haystack.filter.Filter;
import dev.herald.haystack.filter.FilterParser;
import dev.herald.haystack.filter.RefResolver;
import dev.herald.haystack.value.Dict;
import java.util.List;
import java.util.stream.Stream;
import dev.herald.testing.Tier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of the shared conformance file, translated to SQL and run in PostgreSQL; the SQL
 * answer and the in-memory answer must both be the expected one.
 */
@Tier.Component
class FilterSqlConformanceTest {

    static Stream<MatchCase> matchCases() {
        return ConformanceCases.matchCases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matchCases")
    void sqlAndEvaluatorMatchExactlyTheExpectedRecords(MatchCase c) {
        UuidCase uuids = new UuidCase(c);
        Filter filter = uuids.filter(FilterParser.parse(c.filter()));
        List<Dict> records = uuids.records();
        List<Dict> subjects = records.stream().filter(r -> c.isSubjectId(uuids.shortId(r))).toList();

        RefResolver resolver = ref -> records.stream().filter(r -> ConformanceCases.idOf(r).equals(ref.id())).findFirst();
        List<String> inMemory = subjects.stream()
                .filter(record -> filter.matches(record, resolver))
                .map(uuids::shortId)
                .toList();
        List<String> inSql = EntityTable.replaceWith(records).select(filter, subjects).stream()
                .map(uuids::shortId)
                .toList();

        assertEquals(c.expectedIds(), inSql, "SQL");
        assertEquals(c.expectedIds(), inMemory, "evaluator");
    }
}
