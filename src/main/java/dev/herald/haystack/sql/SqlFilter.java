package dev.herald.haystack.sql;

import java.util.List;

/**
 * A filter as one SQL boolean expression over {@code entity} rows aliased
 * {@value FilterSql#ROW_ALIAS}, with its bind parameters in {@code $n} order.
 */
public record SqlFilter(String where, List<Object> params) {

    public SqlFilter {
        params = List.copyOf(params);
    }
}
