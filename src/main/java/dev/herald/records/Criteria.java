package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.models.Attribute;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.PrimaryKey;
import dev.herald.models.ScalarType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.herald.models.Identifiers.quote;

/**
 * Waterline-style criteria for the find blueprint, translated to a parameterised WHERE clause:
 * {@code {attr: value}}, {@code {attr: [v1, v2]}}, {@code {attr: {"<": v, ">=": v, "!=": v, in: [..],
 * nin: [..], contains: s, startsWith: s, endsWith: s, like: s}}}, {@code or: [..]}, {@code and: [..]}.
 * Private, collection and JSON attributes cannot be filtered on.
 */
public final class Criteria {
    static final int MAX_DEPTH = 16;
    static final int MAX_TERMS = 256;
    private static final Set<String> COMPARISONS = Set.of("<", "<=", ">", ">=", "!=");
    private static final Set<String> TEXT_MATCHES = Set.of("contains", "startsWith", "endsWith", "like");

    private final Models models;
    private final Model model;
    private final Tuple params;
    private int terms;

    private Criteria(Models models, Model model, Tuple params) {
        this.models = models;
        this.model = model;
        this.params = params;
    }

    /** The SQL condition for {@code where} (an empty object matches everything); parameters are appended. */
    static String where(Models models, Model model, JsonObject where, Tuple params) {
        return new Criteria(models, model, params).object(where, 0);
    }

    private String object(JsonObject where, int depth) {
        if (depth > MAX_DEPTH) {
            throw ApiError.invalidCriteria("`where` is nested too deeply.");
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Object> e : where) {
            if (++terms > MAX_TERMS) {
                throw ApiError.invalidCriteria("`where` has more than " + MAX_TERMS + " terms.");
            }
            String key = e.getKey();
            if (key.equals("or") || key.equals("and")) {
                parts.add(junction(key, e.getValue(), depth));
            } else {
                parts.add(attribute(key, e.getValue()));
            }
        }
        return parts.isEmpty() ? "TRUE" : "(" + String.join(" AND ", parts) + ")";
    }

    private String junction(String key, Object value, int depth) {
        if (!(value instanceof JsonArray list) || list.isEmpty()) {
            throw ApiError.invalidCriteria("`" + key + "` must be a non-empty array of criteria.");
        }
        List<String> parts = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof JsonObject sub)) {
                throw ApiError.invalidCriteria("Each entry of `" + key + "` must be an object.");
            }
            parts.add(object(sub, depth + 1));
        }
        return "(" + String.join(key.equals("or") ? " OR " : " AND ", parts) + ")";
    }

    private String attribute(String name, Object value) {
        Column column = column(model, name);
        if (value instanceof JsonObject ops) {
            if (ops.isEmpty()) {
                throw ApiError.invalidCriteria("No operator given for `" + name + "`.");
            }
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, Object> op : ops) {
                parts.add(operator(column, op.getKey(), op.getValue()));
            }
            return String.join(" AND ", parts);
        }
        if (value instanceof JsonArray list) {
            return column.sql + " = ANY(" + array(column, list) + ")";
        }
        if (value == null) {
            return column.sql + " IS NULL";
        }
        return column.sql + " = " + bind(column, value);
    }

    private String operator(Column column, String op, Object value) {
        if (COMPARISONS.contains(op)) {
            if (value == null) {
                if (op.equals("!=")) {
                    return column.sql + " IS NOT NULL";
                }
                throw ApiError.invalidCriteria("`" + op + "` needs a value for `" + column.name + "`.");
            }
            return op.equals("!=")
                    ? "(" + column.sql + " IS DISTINCT FROM " + bind(column, value) + ")"
                    : column.sql + " " + op + " " + bind(column, value);
        }
        if (op.equals("in") || op.equals("nin")) {
            if (!(value instanceof JsonArray list)) {
                throw ApiError.invalidCriteria("`" + op + "` for `" + column.name + "` needs an array.");
            }
            String any = column.sql + " = ANY(" + array(column, list) + ")";
            return op.equals("in") ? any : "(NOT (" + any + ") OR " + column.sql + " IS NULL)";
        }
        if (TEXT_MATCHES.contains(op)) {
            if (column.type != ScalarType.STRING || !(value instanceof String text)) {
                throw ApiError.invalidCriteria("`" + op + "` needs a string attribute and a string value (`" + column.name + "`).");
            }
            String pattern = switch (op) {
                case "contains" -> "%" + escapeLike(text) + "%";
                case "startsWith" -> escapeLike(text) + "%";
                case "endsWith" -> "%" + escapeLike(text);
                default -> likePattern(column, text);
            };
            params.addValue(pattern);
            return column.sql + " LIKE $" + params.size();
        }
        throw ApiError.invalidCriteria("Unknown operator `" + op + "` for `" + column.name + "`.");
    }

    private String bind(Column column, Object value) {
        params.addValue(coerce(column, value));
        return "$" + params.size();
    }

    private String array(Column column, JsonArray values) {
        List<Object> coerced = new ArrayList<>();
        values.forEach(v -> coerced.add(coerce(column, v)));
        params.addValue(switch (column.sqlType()) {
            case "bigint" -> coerced.toArray(Long[]::new);
            case "double precision" -> coerced.toArray(Double[]::new);
            case "boolean" -> coerced.toArray(Boolean[]::new);
            case "uuid" -> coerced.toArray(java.util.UUID[]::new);
            default -> coerced.toArray(String[]::new);
        });
        return "$" + params.size();
    }

    private Object coerce(Column column, Object value) {
        if (column.pk != null) {
            return Columns.idParam(column.pk, Values.id(column.target, value));
        }
        if (column.timestamp) {
            if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return n.longValue();
            }
            throw ApiError.invalidCriteria("`" + column.name + "` is compared with epoch milliseconds, not " + Values.show(value) + ".");
        }
        boolean ok = switch (column.type) {
            case STRING -> value instanceof String;
            case NUMBER -> value instanceof Number n && Double.isFinite(n.doubleValue());
            case BOOLEAN -> value instanceof Boolean;
            case JSON -> false;
        };
        if (!ok) {
            throw ApiError.invalidCriteria("`" + column.name + "` is a " + column.type.name().toLowerCase()
                    + "; cannot compare it with " + Values.show(value) + ".");
        }
        return column.type == ScalarType.NUMBER ? ((Number) value).doubleValue() : value;
    }

    /** Plain {@code ?attr=value} query parameters as equality criteria, typed by the attribute. */
    public static JsonObject fromParameters(Models models, Model model, Map<String, String> parameters) {
        Criteria c = new Criteria(models, model, Tuple.tuple());
        JsonObject where = new JsonObject();
        parameters.forEach((name, text) -> {
            Column column = c.column(model, name);
            where.put(name, column.parse(text));
        });
        return where;
    }

    /**
     * A {@code like} pattern as SQL reads it: {@code %} and {@code _} are wildcards and a backslash makes
     * the next character literal, so a pattern may not end in a lone backslash.
     */
    private static String likePattern(Column column, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\\' && ++i == text.length()) {
                throw ApiError.invalidCriteria("The `like` pattern for `" + column.name + "` ends with a lone backslash; "
                        + "write \\\\ for a literal backslash.");
            }
        }
        return text;
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** A filterable column: the primary key, a timestamp, a scalar or a foreign key. */
    record Column(String name, String sql, ScalarType type, PrimaryKey pk, Model target, boolean timestamp) {
        /** A query-string value typed for this column; "null" means null except for strings. */
        Object parse(String text) {
            if (pk != null) {
                return text.equals("null") ? null : text;
            }
            if (timestamp || type == ScalarType.NUMBER) {
                try {
                    return timestamp ? (Object) Long.parseLong(text) : (Object) Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw ApiError.invalidCriteria("`" + name + "` must be a number, not " + Values.show(text) + ".");
                }
            }
            if (type == ScalarType.BOOLEAN) {
                return switch (text) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw ApiError.invalidCriteria("`" + name + "` must be true or false.");
                };
            }
            return text;
        }

        String sqlType() {
            if (pk != null) {
                return pk.sqlType();
            }
            return timestamp ? "bigint" : type.sqlType();
        }
    }

    Column column(Model model, String name) {
        String sql = quote(name);
        if (name.equals(Model.ID)) {
            return new Column(name, sql, null, model.primaryKey(), model, false);
        }
        if (name.equals(Model.CREATED_AT) || name.equals(Model.UPDATED_AT)) {
            return new Column(name, sql, null, null, null, true);
        }
        Attribute a = model.attribute(name).orElseThrow(() -> ApiError.invalidCriteria(
                "Model '" + model.identity() + "' has no attribute `" + name + "`."));
        if (a.hidden() || a.isCollection() || a.type() == ScalarType.JSON) {
            throw ApiError.invalidCriteria("Cannot filter or sort on `" + name + "`.");
        }
        if (a.isSingular()) {
            Model target = models.get(a.target());
            return new Column(name, sql, null, target.primaryKey(), target, false);
        }
        return new Column(name, sql, a.type(), null, null, false);
    }

    /** {@code ORDER BY} for Sails' {@code sort}: "name DESC", "name ASC, id DESC" or {"name":"DESC"}. */
    static String orderBy(Models models, Model model, Object sort) {
        Criteria c = new Criteria(models, model, Tuple.tuple());
        List<String> parts = new ArrayList<>();
        if (sort == null) {
            return quote(Model.ID) + " ASC";
        }
        if (sort instanceof String text) {
            for (String clause : text.split(",")) {
                String[] words = clause.trim().split("\\s+");
                if (words.length == 0 || words[0].isEmpty() || words.length > 2) {
                    throw ApiError.invalidCriteria("`sort` must look like \"name ASC, id DESC\".");
                }
                parts.add(c.column(model, words[0]).sql + " " + direction(words.length == 2 ? words[1] : "ASC"));
            }
        } else if (sort instanceof JsonObject object && !object.isEmpty()) {
            for (Map.Entry<String, Object> e : object) {
                parts.add(c.column(model, e.getKey()).sql + " " + direction(String.valueOf(e.getValue())));
            }
        } else if (sort instanceof JsonArray array && !array.isEmpty()) {
            for (Object item : array) {
                if (!(item instanceof JsonObject one) || one.size() != 1) {
                    throw ApiError.invalidCriteria("Each entry of `sort` must be {\"attribute\": \"ASC\"|\"DESC\"}.");
                }
                var e = one.iterator().next();
                parts.add(c.column(model, e.getKey()).sql + " " + direction(String.valueOf(e.getValue())));
            }
        } else {
            throw ApiError.invalidCriteria("`sort` must look like \"name ASC, id DESC\".");
        }
        parts.add(quote(Model.ID) + " ASC");
        return String.join(", ", parts);
    }

    private static String direction(String word) {
        return switch (word.toUpperCase(java.util.Locale.ROOT)) {
            case "ASC", "1" -> "ASC";
            case "DESC", "-1" -> "DESC";
            default -> throw ApiError.invalidCriteria("Sort direction must be ASC or DESC, not '" + word + "'.");
        };
    }
}
