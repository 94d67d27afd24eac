package dev.herald.haystack.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.haystack.filter.Filter;
import dev.herald.haystack.filter.FilterParser;
import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.value.Dict;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FilterSqlTest {

    @Test
    void placeholdersStartAtTheGivenIndexAndFollowTheParameterList() {
        SqlFilter sql = FilterSql.toSql(FilterParser.parse("a == 1 and b > 2kg and c =~ /x/ and ^d-e"), 5);
        Matcher placeholders = Pattern.compile("\\$(\\d+)").matcher(sql.where());
        int highest = 0;
        while (placeholders.find()) {
            highest = Math.max(highest, Integer.parseInt(placeholders.group(1)));
            assertTrue(Integer.parseInt(placeholders.group(1)) >= 5, sql.where());
        }
        assertEquals(5 + sql.params().size() - 1, highest);
        assertEquals(5, sql.params().size());
    }

    @Test
    void literalsNeverAppearInTheSqlText() {
        String hostile = "x'); DROP TABLE entity; --";
        SqlFilter sql = FilterSql.toSql(FilterParser.parse("dis == \"" + hostile + "\" or dis < \"" + hostile
                + "\" or dis =~ /" + hostile.replace("(", "").replace(")", "") + "/ or ref == @DROP"), 1);
        assertFalse(sql.where().contains("DROP"), sql.where());
        assertTrue(sql.params().contains(hostile));
    }

    @Test
    void placeholdersBelowOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FilterSql.toSql(FilterParser.parse("a"), 0));
    }

    @Test
    void largestFiltersRunInPostgres() {
        Dict entity = HaystackJson.decodeDict(new JsonObject().put("id", "r:00000000-0000-4000-8000-000000000001")
                .put("a", "n:7"), "e");
        EntityTable table = EntityTable.replaceWith(List.of(entity));

        String manyTerms = "a == 0" + " or a == 0".repeat((FilterParser.MAX_LENGTH - 6) / 10);
        Filter wide = FilterParser.parse(manyTerms.substring(0, manyTerms.length() - 1) + "7");
        assertEquals(List.of(entity), table.select(wide, List.of(entity)));

        String nested = "(".repeat(FilterParser.MAX_DEPTH) + "a == 7" + ")".repeat(FilterParser.MAX_DEPTH);
        assertEquals(List.of(entity), table.select(FilterParser.parse(nested), List.of(entity)));

        String deepPath = "not a" + "->a".repeat(FilterParser.MAX_PATH_LENGTH - 1);
        assertEquals(List.of(entity), table.select(FilterParser.parse(deepPath), List.of(entity)));
    }
}
