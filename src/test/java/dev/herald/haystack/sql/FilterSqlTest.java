package dev.herald.haystack.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.haystack.filter.FilterParser;
import dev.herald.testing.Tier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@Tier.Unit
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
}
