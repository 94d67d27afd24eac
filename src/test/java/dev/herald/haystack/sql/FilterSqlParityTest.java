package dev.herald.haystack.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.haystack.ConformanceCases;
import dev.herald.haystack.filter.Filter;
import dev.herald.haystack.filter.FilterParser;
import dev.herald.haystack.filter.RefResolver;
import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.value.Dict;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Edge cases beyond the conformance file: the SQL translation must select exactly the entities
 * the in-memory evaluator selects, and both must give the answer written here.
 */
@Tier.Component
class FilterSqlParityTest {

    private static final String S1 = "00000000-0000-4000-8000-000000000001";
    private static final String E1 = "00000000-0000-4000-8000-0000000000e1";
    private static final String E2 = "00000000-0000-4000-8000-000000000003";
    private static final String P1 = "00000000-0000-4000-8000-000000000004";
    private static final String DANGLING = "00000000-0000-4000-8000-0000000000ff";

    private static final List<Dict> ENTITIES = Stream.of(
            new JsonObject().put("id", "r:" + S1 + " Site One").put("site", "m:").put("dis", "s:Site One")
                    .put("geoCity", "s:Chicago").put("area", "n:456178901").put("hot", "m:").put("water", "m:"),
            new JsonObject().put("id", "r:" + E1).put("equip", "m:").put("siteRef", "r:" + S1)
                    .put("nested", new JsonObject().put("inner", new JsonObject().put("x", "n:5")))
                    .put("refs", new JsonArray().add("r:" + S1).add("r:" + E2))
                    .put("temp", "n:75 °F").put("ts", "t:2020-09-02T08:30:00.25-04:00 New_York")
                    .put("t", "h:08:30:00.5").put("dis", "s:\uD83D\uDE00 emoji").put("nan", "n:NaN")
                    .put("inf", "n:INF").put("ninf", "n:-INF").put("bool", true).put("uri", "u:http://x/y")
                    .put("sym", "y:hot-water").put("coord", "c:37.5,-77.4").put("xstr", "x:Bin:text/plain")
                    .put("na", "z:").put("strs", new JsonArray().add("s:a").add("s:b"))
                    .put("date", "d:2016-01-01").put("tiny", "n:0.00000015").put("big", "n:1E20"),
            new JsonObject().put("id", "r:" + E2).put("equip", "m:").put("siteRef", "r:" + DANGLING)
                    .put("temp", "n:75").put("dur", "n:2 min").put("dis", "s:\uE000 private use")
                    .put("upperRef", "r:" + E1.toUpperCase()).put("date", "d:2015-12-31"),
            new JsonObject().put("id", "r:" + P1).put("point", "m:").put("equipRef", "r:" + E1)
                    .put("refs", new JsonArray().add("r:" + E1).add("r:" + E2)).put("str", "s:a\nb")
                    .put("dis", "s:Zed").put("num", "n:-0.5").put("tail", "s:ab\n"))
            .map(json -> HaystackJson.decodeDict(json, "entity"))
            .toList();

    static Stream<Arguments> filters() {
        return Stream.of(
                cases("site", "s1"),
                cases("not site", "e1", "e2", "p1"),
                cases("equip and siteRef->geoCity == \"Chicago\"", "e1"),
                cases("not siteRef->geoCity", "s1", "e2", "p1"),
                cases("equipRef->siteRef->dis == \"Site One\"", "p1"),
                cases("refs->dis == \"Site One\"", "e1"),
                cases("refs->siteRef->geoCity", "p1"),
                cases("not refs->site", "s1", "e1", "e2", "p1"),
                cases("not refs->equip", "s1", "e1", "e2"),
                cases("refs == @" + S1, "e1"),
                cases("refs != @" + S1, "e1", "p1"),
                cases("refs > @" + S1, "e1", "p1"),
                cases("refs > @" + E1),
                cases("refs =~ /e1$/", "p1"),
                cases("nested->inner->x == 5", "e1"),
                cases("nested->inner->x >= 5 and nested->inner->x < 5.5", "e1"),
                cases("not nested->inner->y", "s1", "e1", "e2", "p1"),
                cases("nested->inner", "e1"),
                cases("ts->date == 2020-09-02", "e1"),
                cases("ts->time > 08:30:00.2 and ts->time < 08:30:00.3", "e1"),
                cases("ts->tz == \"New_York\"", "e1"),
                cases("ts->foo"),
                cases("not ts->foo", "s1", "e1", "e2", "p1"),
                cases("not ts->date", "s1", "e2", "p1"),
                cases("ts->date->x"),
                cases("ts == 2020-09-02"),
                cases("ts != 2020-09-02", "e1"),
                cases("t >= 08:30:00.5 and t <= 08:30:00.50", "e1"),
                cases("t > 08:30", "e1"),
                cases("t == 8:30"),
                cases("temp == 75°F", "e1"),
                cases("temp == 75", "e2"),
                cases("temp > 70°F", "e1"),
                cases("temp >= 75", "e2"),
                cases("dur > 1min", "e2"),
                cases("dur == 120sec"),
                cases("nan > 0", "e1"),
                cases("nan == 0"),
                cases("nan != 0", "e1"),
                cases("inf > 1e300", "e1"),
                cases("ninf < -1e300", "e1"),
                cases("tiny == 1.5e-7", "e1"),
                cases("tiny < 0.0000002", "e1"),
                cases("big == 100_000_000_000_000_000_000", "e1"),
                cases("num == -0.5 and num < 0", "p1"),
                cases("dis > \"\uE000\"", "e1", "e2"),
                cases("dis < \"\uD83D\uDE00\"", "s1", "e2", "p1"),
                cases("dis >= \"Site\" and dis < \"Zed\"", "s1"),
                cases("str =~ /^a.b$/", "p1"),
                cases("str =~ /a$/"),
                cases("tail =~ /b$/"),
                cases("tail =~ /b\\n$/", "p1"),
                cases("str =~ /\\sb|z/", "p1"),
                cases("area =~ /^456178901$/", "s1"),
                cases("temp =~ /^75°F$/", "e1"),
                cases("tiny =~ /^0\\.00000015$/", "e1"),
                cases("inf =~ /^INF$/", "e1"),
                cases("bool =~ /^true$/", "e1"),
                cases("date =~ /^2016-/", "e1"),
                cases("t =~ /^08:30:00\\.5$/", "e1"),
                cases("sym =~ /^hot/", "e1"),
                cases("coord =~ /3/"),
                cases("dis =~ /[\\ue000-\\ue0ff]/", "e2"),
                cases("bool == true", "e1"),
                cases("bool > false", "e1"),
                cases("sym == ^hot-water", "e1"),
                cases("^hot-water", "s1"),
                cases("uri == `http://x/y`", "e1"),
                cases("uri > `http://a`", "e1"),
                cases("coord and coord != 5", "e1"),
                cases("na and xstr != \"x\"", "e1"),
                cases("strs == \"a\""),
                cases("not strs->x", "s1", "e2", "p1"),
                cases("upperRef", "e2"),
                cases("upperRef->id"),
                cases("not upperRef->id", "s1", "e1", "e2", "p1"),
                cases("siteRef->id", "e1"),
                cases("siteRef->id == @" + S1, "e1"),
                cases("id == @" + E1, "e1"),
                cases("date >= 2016-01-01", "e1"),
                cases("date < 2016-01-01", "e2"),
                cases("(site or equip) and not point and not nan", "s1", "e2"),
                cases("point or site and area > 456178900", "s1", "p1"));
    }

    private static Arguments cases(String filter, String... expected) {
        return Arguments.of(filter, List.of(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void sqlAndEvaluatorSelectTheSameEntities(String text, List<String> expected) {
        Filter filter = FilterParser.parse(text);
        RefResolver resolver = ref -> ENTITIES.stream()
                .filter(e -> ConformanceCases.idOf(e).equals(ref.id())).findFirst();
        List<String> inMemory = ENTITIES.stream().filter(e -> filter.matches(e, resolver))
                .map(FilterSqlParityTest::name).toList();
        List<String> inSql = EntityTable.replaceWith(ENTITIES).select(filter, ENTITIES).stream()
                .map(FilterSqlParityTest::name).toList();

        assertEquals(expected, inMemory, "evaluator");
        assertEquals(expected, inSql, "SQL");
    }

    private static String name(Dict entity) {
        return switch (ConformanceCases.idOf(entity)) {
            case S1 -> "s1";
            case E1 -> "e1";
            case E2 -> "e2";
            default -> "p1";
        };
    }
}
