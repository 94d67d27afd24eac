package dev.herald.models;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates a models file (YAML, or JSON when the name ends in {@code .json}). Every mistake
 * stops start-up with a message naming the file, the model and the attribute.
 */
public final class ModelsLoader {
    public static final String DEMO_RESOURCE = "demo-models.yaml";
    private static final Set<String> MODEL_KEYS = Set.of("attributes", "primaryKey");
    private static final Set<String> ATTRIBUTE_KEYS = Set.of(
            "type", "model", "collection", "via", "required", "private", "unique", "defaultsTo", "onDestroy");

    private final String source;

    private ModelsLoader(String source) {
        this.source = source;
    }

    public static Models load(Path file) {
        ModelsLoader loader = new ModelsLoader(file.toString());
        if (!Files.isRegularFile(file)) {
            throw new ModelsException(file + ": models file not found");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return loader.parse(in, file.toString().toLowerCase(Locale.ROOT).endsWith(".json"));
        } catch (IOException e) {
            throw new ModelsException(file + ": cannot read models file: " + e.getMessage());
        }
    }

    public static Models loadDemo() {
        ModelsLoader loader = new ModelsLoader("built-in " + DEMO_RESOURCE);
        try (InputStream in = ModelsLoader.class.getResourceAsStream("/" + DEMO_RESOURCE)) {
            return loader.parse(in, false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Models parse(String text, String source, boolean json) {
        try {
            return new ModelsLoader(source).parse(new java.io.ByteArrayInputStream(
                    text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Models parse(InputStream in, boolean json) throws IOException {
        ObjectMapper mapper = json ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        JsonNode root;
        try {
            root = mapper.readTree(in);
        } catch (JacksonException e) {
            throw fail("not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage()
                    + location(e));
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw fail("expected a mapping of model identities to model definitions");
        }
        Map<String, JsonNode> definitions = new LinkedHashMap<>();
        root.fields().forEachRemaining(e -> definitions.put(e.getKey(), e.getValue()));
        Map<String, Model> models = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : definitions.entrySet()) {
            models.put(e.getKey(), model(e.getKey(), e.getValue()));
        }
        for (Model model : models.values()) {
            for (Attribute a : model.attributes().values()) {
                checkAssociation(models, model, a);
            }
        }
        return new Models(models);
    }

    private Model model(String identity, JsonNode node) {
        if (identity.startsWith("_")) {
            throw fail("model '" + identity + "': identities starting with '_' are reserved for Herald (its browser "
                    + "client and console live under /_herald/)");
        }
        if (!Identifiers.MODEL.matcher(identity).matches()) {
            throw fail("model '" + identity + "': identity must be lower-case letters, digits and _, "
                    + "starting with a letter, at most 40 characters");
        }
        if (Identifiers.RESERVED_MODELS.contains(identity)) {
            throw fail("model '" + identity + "': identity is reserved for Herald's own routes");
        }
        if (!node.isObject()) {
            throw fail("model '" + identity + "': expected a mapping with 'attributes'");
        }
        unknownKeys(node, MODEL_KEYS, "model '" + identity + "'");
        JsonNode attributes = node.get("attributes");
        if (attributes == null || !attributes.isObject()) {
            throw fail("model '" + identity + "': 'attributes' must be a mapping");
        }
        Map<String, Attribute> result = new LinkedHashMap<>();
        attributes.fields().forEachRemaining(e -> result.put(e.getKey(), attribute(identity, e.getKey(), e.getValue())));
        return new Model(identity, primaryKey(identity, node.get("primaryKey")), result);
    }

    private PrimaryKey primaryKey(String identity, JsonNode node) {
        if (node == null) {
            return PrimaryKey.NUMBER;
        }
        String where = "model '" + identity + "', primaryKey";
        if (!node.isObject()) {
            throw fail(where + ": expected { type: number | string | uuid }");
        }
        unknownKeys(node, Set.of("type"), where);
        String type = node.path("type").asText("");
        return switch (type) {
            case "number" -> PrimaryKey.NUMBER;
            case "string" -> PrimaryKey.STRING;
            case "uuid" -> PrimaryKey.UUID;
            default -> throw fail(where + ": unknown type '" + type + "' (number, string or uuid)");
        };
    }

    private Attribute attribute(String model, String name, JsonNode node) {
        String where = "model '" + model + "', attribute '" + name + "'";
        if (!Identifiers.ATTRIBUTE.matcher(name).matches()) {
            throw fail(where + ": name must be letters, digits and _, starting with a letter, at most 63 characters");
        }
        if (Identifiers.RESERVED_ATTRIBUTES.contains(name)) {
            throw fail(where + ": '" + name + "' is defined by Herald on every model");
        }
        if (!node.isObject()) {
            throw fail(where + ": expected a mapping such as { type: string }");
        }
        unknownKeys(node, ATTRIBUTE_KEYS, where);
        int kinds = (node.has("type") ? 1 : 0) + (node.has("model") ? 1 : 0) + (node.has("collection") ? 1 : 0);
        if (kinds != 1) {
            throw fail(where + ": needs exactly one of 'type', 'model' or 'collection'");
        }
        boolean required = flag(node, "required", where);
        boolean hidden = flag(node, "private", where);
        boolean unique = flag(node, "unique", where);
        if (node.has("collection")) {
            for (String k : Set.of("required", "private", "unique", "defaultsTo")) {
                if (node.has(k)) {
                    throw fail(where + ": '" + k + "' does not apply to a collection");
                }
            }
            return new Attribute(name, Attribute.Kind.COLLECTION, null, text(node, "collection", where),
                    node.has("via") ? text(node, "via", where) : null, false, false, false, null,
                    onDestroy(node, where));
        }
        if (node.has("via")) {
            throw fail(where + ": 'via' belongs on the collection side of an association");
        }
        if (node.has("onDestroy")) {
            throw fail(where + ": 'onDestroy' belongs on the collection side of a one-to-many association");
        }
        if (node.has("model")) {
            if (node.has("defaultsTo")) {
                throw fail(where + ": 'defaultsTo' does not apply to an association");
            }
            return new Attribute(name, Attribute.Kind.SINGULAR, null, text(node, "model", where), null,
                    required, hidden, unique, null, null);
        }
        ScalarType type = scalarType(node, where);
        Object defaultsTo = node.has("defaultsTo") ? defaultValue(type, node.get("defaultsTo"), where) : null;
        return new Attribute(name, Attribute.Kind.SCALAR, type, null, null, required, hidden, unique, defaultsTo, null);
    }

    private void checkAssociation(Map<String, Model> models, Model model, Attribute a) {
        if (a.isScalar()) {
            return;
        }
        String where = "model '" + model.identity() + "', attribute '" + a.name() + "'";
        Model target = models.get(a.target());
        if (target == null) {
            throw fail(where + ": association to unknown model '" + a.target() + "'");
        }
        if (a.via() == null) {
            if (a.onDestroy() != null) {
                throw fail(where + ": 'onDestroy' needs 'via' (a one-to-many association)");
            }
            return;
        }
        Attribute back = target.attributes().get(a.via());
        boolean pointsBack = back != null && back.target() != null && back.target().equals(model.identity())
                && (back.isSingular() || a.name().equals(back.via()));
        if (!pointsBack) {
            throw fail(where + ": via '" + a.via() + "' does not point back (model '" + target.identity()
                    + "' needs attribute '" + a.via() + "' with model: " + model.identity()
                    + " or collection: " + model.identity() + ", via: " + a.name() + ")");
        }
        if (back.isCollection() && a.onDestroy() != null) {
            throw fail(where + ": 'onDestroy' applies to one-to-many collections; many-to-many links are always removed");
        }
    }

    private ScalarType scalarType(JsonNode node, String where) {
        String type = text(node, "type", where);
        return switch (type) {
            case "string" -> ScalarType.STRING;
            case "number" -> ScalarType.NUMBER;
            case "boolean" -> ScalarType.BOOLEAN;
            case "json" -> ScalarType.JSON;
            default -> throw fail(where + ": unknown type '" + type + "' (string, number, boolean or json)");
        };
    }

    private Object defaultValue(ScalarType type, JsonNode value, String where) {
        boolean ok = switch (type) {
            case STRING -> value.isTextual();
            case NUMBER -> value.isNumber();
            case BOOLEAN -> value.isBoolean();
            case JSON -> true;
        };
        if (!ok) {
            throw fail(where + ": 'defaultsTo' is not a " + type.name().toLowerCase(Locale.ROOT));
        }
        return switch (type) {
            case STRING -> value.asText();
            case NUMBER -> value.numberValue();
            case BOOLEAN -> value.booleanValue();
            case JSON -> io.vertx.core.json.Json.decodeValue(value.toString());
        };
    }

    private OnDestroy onDestroy(JsonNode node, String where) {
        if (!node.has("onDestroy")) {
            return null;
        }
        String value = text(node, "onDestroy", where);
        return switch (value) {
            case "setNull" -> OnDestroy.SET_NULL;
            case "cascade" -> OnDestroy.CASCADE;
            case "restrict" -> OnDestroy.RESTRICT;
            default -> throw fail(where + ": unknown onDestroy '" + value + "' (setNull, cascade or restrict)");
        };
    }

    private boolean flag(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw fail(where + ": '" + key + "' must be true or false");
        }
        return v.booleanValue();
    }

    private String text(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw fail(where + ": '" + key + "' must be a non-empty string");
        }
        return v.asText();
    }

    private void unknownKeys(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw fail(where + ": unknown option '" + key + "' (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    private ModelsException fail(String message) {
        return new ModelsException(source + ": " + message);
    }
}
