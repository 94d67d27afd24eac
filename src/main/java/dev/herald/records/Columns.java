package dev.herald.records;

import dev.herald.models.Attribute;
import dev.herald.models.Model;
import dev.herald.models.PrimaryKey;
import dev.herald.models.ScalarType;
import dev.herald.input.BoundedJson;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.herald.models.Identifiers.quote;

/**
 * How a model's rows are read and written: the select list of its table and the conversion between
 * database values and the JSON that clients see. JSON attributes travel as text to keep every JSON
 * kind (including scalars and null) exact.
 */
final class Columns {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Columns.class.getName());

    private Columns() {
    }

    static String table(Model model) {
        return quote(model.identity());
    }

    /** {@code "id", "createdAt", "updatedAt", <columns>} qualified with {@code alias}. */
    static String selectList(Model model, String alias) {
        String p = alias.isEmpty() ? "" : alias + ".";
        List<String> parts = new ArrayList<>();
        parts.add(p + quote(Model.ID));
        parts.add(p + quote(Model.CREATED_AT));
        parts.add(p + quote(Model.UPDATED_AT));
        for (Attribute a : model.columns()) {
            parts.add(a.type() == ScalarType.JSON
                    ? p + quote(a.name()) + "::text AS " + quote(a.name())
                    : p + quote(a.name()));
        }
        return String.join(", ", parts);
    }

    /**
     * A shallow record: scalar attributes and raw foreign keys, then {@code id}, {@code createdAt} and
     * {@code updatedAt} (the seed's order). Private attributes are left out unless asked for.
     */
    static JsonObject toJson(Model model, Row row, boolean withPrivate) {
        JsonObject json = new JsonObject();
        for (Attribute a : model.columns()) {
            if (a.hidden() && !withPrivate) {
                continue;
            }
            json.put(a.name(), a.isSingular() ? idToJson(row.getValue(a.name())) : scalarToJson(model, a, row));
        }
        json.put(Model.ID, idToJson(row.getValue(Model.ID)));
        json.put(Model.CREATED_AT, row.getLong(Model.CREATED_AT));
        json.put(Model.UPDATED_AT, row.getLong(Model.UPDATED_AT));
        return json;
    }

    static JsonObject withoutPrivate(Model model, JsonObject raw) {
        JsonObject copy = raw.copy();
        model.columns().stream().filter(Attribute::hidden).forEach(a -> copy.remove(a.name()));
        return copy;
    }

    static Object idToJson(Object value) {
        return value instanceof UUID uuid ? uuid.toString() : value;
    }

    private static Object scalarToJson(Model model, Attribute a, Row row) {
        Object value = row.getValue(a.name());
        if (value == null) {
            return null;
        }
        return switch (a.type()) {
            case JSON -> storedJson(model, a, row, (String) value);
            case NUMBER -> number(((Number) value).doubleValue());
            default -> value;
        };
    }

    /**
     * A stored JSON value as clients see it. Herald never stores JSON over {@link BoundedJson}'s bounds,
     * but another program sharing the database might: such a value is shown as its JSON text (a string),
     * so every response and message built from the record can still be rendered.
     */
    private static Object storedJson(Model model, Attribute a, Row row, String text) {
        try {
            return BoundedJson.decode(text);
        } catch (BoundedJson.Refused | io.vertx.core.json.DecodeException e) {
            LOG.warning(() -> model.identity() + " " + row.getValue(Model.ID) + ": the JSON stored in `" + a.name()
                    + "` is over Herald's bounds (" + e.getMessage() + "); it is shown as its text");
            return text;
        }
    }

    /** Whole numbers render without a fraction, as JavaScript clients print them. */
    static Number number(double d) {
        if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.007199254740992E15) {
            return (long) d;
        }
        return d;
    }

    /** The SQL parameter for an id already validated by {@link Values#id}. */
    static Object idParam(PrimaryKey pk, Object id) {
        return switch (pk) {
            case NUMBER -> ((Number) id).longValue();
            case STRING -> id.toString();
            case UUID -> id instanceof UUID u ? u : UUID.fromString(id.toString());
        };
    }

    static Object idArray(PrimaryKey pk, List<Object> ids) {
        return switch (pk) {
            case NUMBER -> ids.stream().map(i -> ((Number) i).longValue()).toArray(Long[]::new);
            case STRING -> ids.stream().map(Object::toString).toArray(String[]::new);
            case UUID -> ids.stream().map(i -> idParam(pk, i)).toArray(UUID[]::new);
        };
    }

    /** The SQL parameter for a validated attribute value; JSON goes as text, cast in the statement. */
    static Object valueParam(Model target, Attribute a, Object value) {
        if (value == null) {
            return null;
        }
        if (a.isSingular()) {
            return idParam(target.primaryKey(), value);
        }
        return switch (a.type()) {
            case JSON -> Json.encode(value);
            case NUMBER -> ((Number) value).doubleValue();
            default -> value;
        };
    }

    static String placeholder(Attribute a, int index) {
        return a.isScalar() && a.type() == ScalarType.JSON ? "$" + index + "::text::jsonb" : "$" + index;
    }
}
