package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;
import dev.herald.models.Attribute;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.PrimaryKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Validation and coercion of what clients send: ids (from the path, the query or a body) and attribute
 * values. Everything that reaches SQL went through here.
 */
public final class Values {
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]{1,18}");
    private static final int MAX_STRING_ID = 512;

    private Values() {
    }

    /** A primary-key value of {@code model}: Long, String or UUID string, or 400 {@code E_INVALID_CRITERIA}. */
    public static Object id(Model model, Object raw) {
        Object id = coerceId(model.primaryKey(), raw);
        if (id == null) {
            throw ApiError.invalidCriteria("`id` of model '" + model.identity() + "' must be "
                    + describe(model.primaryKey()) + ", not " + show(raw) + ".");
        }
        return id;
    }

    private static Object coerceId(PrimaryKey pk, Object raw) {
        if (raw == null) {
            return null;
        }
        return switch (pk) {
            case NUMBER -> {
                if (raw instanceof String s && WHOLE_NUMBER.matcher(s).matches()) {
                    yield Long.parseLong(s);
                }
                if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                        && Math.abs(n.doubleValue()) < 1e18) {
                    yield n.longValue();
                }
                yield null;
            }
            case STRING -> {
                String s = raw instanceof String str ? str : raw instanceof Number ? raw.toString() : null;
                yield s == null || s.isEmpty() || s.length() > MAX_STRING_ID ? null : s;
            }
            case UUID -> {
                if (!(raw instanceof String s) || s.length() != 36) {
                    yield null;
                }
                try {
                    yield UUID.fromString(s).toString();
                } catch (IllegalArgumentException e) {
                    yield null;
                }
            }
        };
    }

    private static String describe(PrimaryKey pk) {
        return switch (pk) {
            case NUMBER -> "a whole number";
            case STRING -> "a non-empty string of at most " + MAX_STRING_ID + " characters";
            case UUID -> "a UUID";
        };
    }

    static String show(Object raw) {
        if (raw == null) {
            return "nothing";
        }
        String text = raw instanceof String s ? "'" + s + "'" : raw.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    /**
     * Validated attribute values for a create ({@code creating}) or an update: every key must be an
     * attribute; values must match the attribute's type; associations hold ids of their target model.
     */
    public static JsonObject attributes(Models models, Model model, JsonObject body, boolean creating) {
        ErrorCode code = creating ? ErrorCode.INVALID_NEW_RECORD : ErrorCode.INVALID_VALUES;
        JsonObject out = new JsonObject();
        for (Map.Entry<String, Object> e : body) {
            String key = e.getKey();
            if (key.equals(Model.ID) && creating && model.primaryKey() == PrimaryKey.STRING) {
                out.put(Model.ID, id(model, e.getValue()));
                continue;
            }
            if (key.equals(Model.ID) || key.equals(Model.CREATED_AT) || key.equals(Model.UPDATED_AT)) {
                throw code.error("`" + key + "` is set by the server and cannot be given.");
            }
            Attribute a = model.attribute(key).orElseThrow(() -> code.error(
                    "Model '" + model.identity() + "' has no attribute `" + key + "`."));
            out.put(key, value(models, model, a, e.getValue(), code));
        }
        if (creating) {
            if (model.primaryKey() == PrimaryKey.STRING && !out.containsKey(Model.ID)) {
                throw code.error("Model '" + model.identity() + "' needs an `id` (a string) on create.");
            }
            for (Attribute a : model.attributes().values()) {
                if (!out.containsKey(a.name()) && a.defaultsTo() != null) {
                    out.put(a.name(), a.defaultsTo());
                }
            }
        }
        for (Attribute a : model.attributes().values()) {
            boolean missing = creating ? out.getValue(a.name()) == null : out.containsKey(a.name()) && out.getValue(a.name()) == null;
            if (a.required() && missing) {
                throw code.error("`" + a.name() + "` is required.");
            }
        }
        return out;
    }

    private static Object value(Models models, Model model, Attribute a, Object raw, ErrorCode code) {
        if (raw == null) {
            if (a.isCollection()) {
                throw code.error("`" + a.name() + "` must be an array of ids.");
            }
            return null;
        }
        if (a.isSingular()) {
            return id(models.get(a.target()), raw);
        }
        if (a.isCollection()) {
            if (!(raw instanceof JsonArray array)) {
                throw code.error("`" + a.name() + "` must be an array of ids.");
            }
            Model target = models.get(a.target());
            List<Object> ids = new ArrayList<>();
            for (Object item : array) {
                Object id = id(target, item);
                if (!ids.contains(id)) {
                    ids.add(id);
                }
            }
            return new JsonArray(ids);
        }
        boolean ok = switch (a.type()) {
            case STRING -> raw instanceof String;
            case NUMBER -> raw instanceof Number n && Double.isFinite(n.doubleValue());
            case BOOLEAN -> raw instanceof Boolean;
            case JSON -> true;
        };
        if (!ok) {
            throw code.error("`" + a.name() + "` must be a " + a.type().name().toLowerCase()
                    + ", not " + show(raw) + ".");
        }
        return raw;
    }
}
