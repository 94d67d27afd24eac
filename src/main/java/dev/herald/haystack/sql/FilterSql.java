package dev.herald.haystack.sql;

import dev.herald.haystack.filter.Filter;
import dev.herald.haystack.filter.Filter.And;
import dev.herald.haystack.filter.Filter.Compare;
import dev.herald.haystack.filter.Filter.Has;
import dev.herald.haystack.filter.Filter.IsA;
import dev.herald.haystack.filter.Filter.Matches;
import dev.herald.haystack.filter.Filter.Missing;
import dev.herald.haystack.filter.Filter.Op;
import dev.herald.haystack.filter.Filter.Or;
import dev.herald.haystack.filter.Filter.PathTerm;
import dev.herald.haystack.value.Bool;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Translates a {@link Filter} into one SQL boolean expression over {@code entity} rows stored by
 * {@link TagStorage}, with the same result as {@link Filter#matches} given a resolver that finds
 * entities by id. Use it as {@code SELECT ... FROM entity e WHERE <where>}.
 *
 * <p>Every literal is a bind parameter. Tag names are inlined as SQL string literals: the parser
 * only admits {@code [a-z][a-zA-Z0-9_]*}, and this class checks it again. A Ref is followed to the
 * entity whose {@code id} is the Ref's id, when that id is a UUID in canonical lower-case text;
 * other Refs are broken references. Has, missing and equality on the entity's own tags use the GIN
 * index; each {@code ->} is a correlated subquery joined on the primary key. The set of dicts a
 * path continues into is fenced with {@code OFFSET 0}: without the fence PostgreSQL flattens every
 * level into one plan and planning time grows exponentially with path length.
 */
public final class FilterSql {

    public static final String ROW_ALIAS = "e";

    private static final Set<String> DATE_TIME_PARTS = Set.of("date", "time", "tz");
    private static final String UUID_TEXT =
            "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'";

    private final int firstParam;
    private final List<Object> params = new ArrayList<>();
    private int aliases;

    private FilterSql(int firstParam) {
        this.firstParam = firstParam;
    }

    /** @param firstParam the number of the first placeholder to use, e.g. 1 for {@code $1} */
    public static SqlFilter toSql(Filter filter, int firstParam) {
        if (firstParam < 1) {
            throw new IllegalArgumentException("parameters are numbered from 1");
        }
        FilterSql sql = new FilterSql(firstParam);
        String where = sql.filter(filter);
        return new SqlFilter(where, sql.params);
    }

    private String filter(Filter filter) {
        if (filter instanceof And and) {
            return and.parts().stream().map(this::filter).collect(Collectors.joining(" AND ", "(", ")"));
        }
        if (filter instanceof Or or) {
            return or.parts().stream().map(this::filter).collect(Collectors.joining(" OR ", "(", ")"));
        }
        if (filter instanceof IsA isA) {
            return ROW_ALIAS + ".tags ?& " + param(isA.terms().toArray(String[]::new));
        }
        return at((PathTerm) filter, ROW_ALIAS + ".tags", 0);
    }

    /** The term evaluated at {@code level} of its path, where {@code dict} holds that level's tag. */
    private String at(PathTerm term, String dict, int level) {
        String name = term.path().get(level);
        String value = dict + " -> " + literal(name);
        if (level + 1 == term.path().size()) {
            return test(term, dict, name, value);
        }
        String next = term.path().get(level + 1);
        String alias = "p" + (++aliases);
        String walk = "EXISTS (SELECT 1 FROM (" + containers(value, next, true) + " OFFSET 0) " + alias
                + " WHERE " + at(term, alias + ".d", level + 1) + ")";
        if (term instanceof Missing) {
            return "(" + walk + " OR (jsonb_typeof(" + value + ") IS DISTINCT FROM 'array' AND NOT EXISTS ("
                    + containers(value, next, false) + ")))";
        }
        return walk;
    }

    /**
     * The dicts a path continues into from {@code value}: the value itself when it is a Dict, the
     * entity a Ref points to, the entities of a Ref list's Refs ({@code throughLists}), or a
     * DateTime's part when {@code next} is {@code date}, {@code time} or {@code tz}.
     */
    private String containers(String value, String next, boolean throughLists) {
        StringBuilder sql = new StringBuilder()
                .append("SELECT ").append(value).append(" AS d WHERE jsonb_typeof(").append(value)
                .append(") = 'object' AND NOT ").append(value).append(" ? '").append(TagStorage.KIND).append("'")
                .append(" UNION ALL SELECT r.tags FROM entity r WHERE ").append(kindIs(value, "r"))
                .append(" AND r.id = ").append(uuid(value + " ->> 'v'"));
        if (throughLists) {
            sql.append(" UNION ALL SELECT r.tags FROM jsonb_array_elements(").append(listOrNull(value))
                    .append(") el(v) JOIN entity r ON r.id = ").append(uuid("el.v ->> 'v'"))
                    .append(" WHERE ").append(kindIs("el.v", "r"));
        }
        if (DATE_TIME_PARTS.contains(next)) {
            sql.append(" UNION ALL SELECT jsonb_build_object(").append(literal(next)).append(", ")
                    .append(dateTimePart(value, next)).append(") WHERE ").append(kindIs(value, "t"));
        }
        return sql.toString();
    }

    private static String dateTimePart(String value, String part) {
        String iso = value + " ->> 'v'";
        return switch (part) {
            case "date" -> scalar("d", "left(" + iso + ", 10)");
            case "time" -> scalar("h", "substring(" + iso + " from 'T([0-9:.]+)')");
            default -> scalar("s", value + " ->> 'tz'");
        };
    }

    private static String scalar(String kind, String text) {
        return "jsonb_build_object('" + TagStorage.KIND + "', '" + kind + "', 'v', " + text + ")";
    }

    /** The term's own test on {@code value}, the tag {@code name} of {@code dict}. */
    private String test(PathTerm term, String dict, String name, String value) {
        if (term instanceof Has) {
            return dict + " ? " + literal(name);
        }
        if (term instanceof Missing) {
            return "NOT " + dict + " ? " + literal(name);
        }
        if (term instanceof Matches matches) {
            String pattern = param(matches.source());
            return "(COALESCE(" + regexText(value) + " COLLATE \"C\" ~ " + pattern + ", false)"
                    + " OR EXISTS (SELECT 1 FROM jsonb_array_elements(" + listOrNull(value) + ") el(v) WHERE "
                    + kindIs("el.v", "r") + " AND (el.v ->> 'v') COLLATE \"C\" ~ " + pattern + "))";
        }
        Compare compare = (Compare) term;
        HaystackValue literal = compare.literal();
        if (compare.op() == Op.EQ || compare.op() == Op.NE) {
            String equal = dict + " @> " + param(new JsonObject().put(name, TagStorage.encodeValue(literal, name)));
            if (compare.op() == Op.NE) {
                return "(" + dict + " ? " + literal(name) + " AND NOT " + equal + ")";
            }
            if (literal instanceof Ref) {
                JsonArray list = new JsonArray().add(TagStorage.encodeValue(literal, name));
                return "(" + equal + " OR " + dict + " @> " + param(new JsonObject().put(name, list)) + ")";
            }
            return equal;
        }
        String ordered = ordered(value, compare.op(), literal);
        if (literal instanceof Ref) {
            return "(" + ordered + " OR EXISTS (SELECT 1 FROM jsonb_array_elements(" + listOrNull(value)
                    + ") el(v) WHERE " + ordered("el.v", compare.op(), literal) + "))";
        }
        return ordered;
    }

    /** {@code value op literal} when value has the literal's kind (and unit), else false. */
    private String ordered(String value, Op op, HaystackValue literal) {
        JsonObject stored = (JsonObject) TagStorage.encodeValue(literal, "literal");
        String kind = stored.getString(TagStorage.KIND);
        String condition = kindIs(value, kind);
        String comparison;
        if (literal instanceof Num num) {
            condition += num.unit() == null
                    ? " AND " + value + " ->> 'u' IS NULL"
                    : " AND " + value + " ->> 'u' = " + param(num.unit());
            comparison = "(" + value + " ->> 'v')::float8 " + op.symbol() + " " + param(num.value());
        } else if (literal instanceof Bool bool) {
            comparison = "(" + value + " -> 'v')::boolean " + op.symbol() + " " + param(bool.value());
        } else {
            comparison = "(" + value + " ->> 'v') COLLATE \"C\" " + op.symbol() + " " + param(stored.getString("v"));
        }
        return "CASE WHEN " + condition + " THEN " + comparison + " ELSE false END";
    }

    /** The text a regex searches, per {@link Matches}; NULL for kinds without one. */
    private static String regexText(String value) {
        return "CASE WHEN " + value + " ->> '" + TagStorage.KIND + "' IN ('s', 'u', 'r', 'y', 'd', 'h', 'b') THEN " + value
                + " ->> 'v' WHEN " + kindIs(value, "n") + " THEN (" + value + " ->> 'v') || COALESCE(" + value
                + " ->> 'u', '') END";
    }

    private static String kindIs(String value, String kind) {
        return value + " ->> '" + TagStorage.KIND + "' = '" + kind + "'";
    }

    private static String listOrNull(String value) {
        return "CASE WHEN jsonb_typeof(" + value + ") = 'array' THEN " + value + " END";
    }

    private static String uuid(String text) {
        return "CASE WHEN " + text + " ~ " + UUID_TEXT + " THEN (" + text + ")::uuid END";
    }

    private static String literal(String name) {
        if (!Dict.isTagName(name)) {
            throw new IllegalArgumentException("not a tag name: " + name);
        }
        return "'" + name + "'";
    }

    private String param(Object value) {
        params.add(value);
        return "$" + (firstParam + params.size() - 1);
    }
}
