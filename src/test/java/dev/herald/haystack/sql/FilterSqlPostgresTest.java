package dev.herald.haystack.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.haystack.filter.Filter;
import dev.herald.haystack.filter.FilterParser;
import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.value.Dict;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The translations of {@link FilterSqlTest} that must also run in PostgreSQL. */
@Tier.Component
class FilterSqlPostgresTest {

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
