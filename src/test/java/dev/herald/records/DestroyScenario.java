package dev.herald.records;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One try of {@link DestroyModelProperties}: a models file, the records and links it starts with, what
 * each socket subscribes to, and the steps. It prints as text and reads back from the same text, so a
 * shrunk sample printed by jqwik becomes an {@code @Example} by pasting it:
 * <pre>
 * models:
 *   store:
 *     attributes:
 *       coupons: { collection: coupon, via: store, onDestroy: cascade }
 *   coupon:
 *     attributes:
 *       store: { model: store }
 * records:
 *   store 1
 *   coupon 1 store=1
 * links:
 *   pony 1 friends 2          (pony 1 lists record 2 in its collection 'friends')
 * subscriptions:
 *   0: store 1 9, coupon 1    (socket 0 subscribes to store 1 and 9 and to coupon 1)
 * steps:
 *   destroy store 1
 *   together coupon 1 1 2     (DELETEs sent at once)
 *   resurrect store 1         (a row with that id inserted again, straight in the database)
 *   subscribe 1 coupon 2      (socket 1 subscribes)
 * </pre>
 * Scalar values are not listed: every record's are derived from its model, id and attribute
 * ({@link #value}). Serializable, so that jqwik can replay a failed sample first on the next run.
 */
record DestroyScenario(String models, List<Row> records, List<Link> links, List<Subscription> subscriptions, List<Step> steps)
        implements Serializable {
    static final int SOCKETS = 3;

    /** A record and its non-null foreign keys (attribute to id). */
    record Row(String model, long id, Map<String, Long> fks) implements Serializable {
        @Override
        public String toString() {
            return model + " " + id + fks.entrySet().stream().map(e -> " " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining());
        }
    }

    /** {@code model id} lists {@code other} in its collection {@code attribute}. */
    record Link(String model, long id, String attribute, long other) implements Serializable {
        @Override
        public String toString() {
            return model + " " + id + " " + attribute + " " + other;
        }
    }

    record Subscription(int socket, String model, List<Long> ids) implements Serializable {
    }

    sealed interface Step extends Serializable permits Destroy, Together, Resurrect, Subscribe {
    }

    record Destroy(String model, long id) implements Step {
        @Override
        public String toString() {
            return "destroy " + model + " " + id;
        }
    }

    record Together(String model, List<Long> ids) implements Step {
        @Override
        public String toString() {
            return "together " + model + " " + join(ids);
        }
    }

    record Resurrect(String model, long id) implements Step {
        @Override
        public String toString() {
            return "resurrect " + model + " " + id;
        }
    }

    record Subscribe(int socket, String model, List<Long> ids) implements Step {
        @Override
        public String toString() {
            return "subscribe " + socket + " " + model + " " + join(ids);
        }
    }

    /** The value every record has for a scalar attribute: recognisable, and of each JSON kind. */
    static Object value(String model, long id, String attribute, String type) {
        return switch (type) {
            case "string" -> model + id + "." + attribute;
            case "number" -> id % 2 == 0 ? (Object) (id * 3 / 2) : (Object) (id + 0.5);
            case "boolean" -> id % 2 == 0;
            case "json" -> new JsonObject().put("of", model + id).put("list", new JsonArray().add(id).add(true));
            default -> throw new IllegalArgumentException("type " + type);
        };
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("models:\n");
        models.lines().forEach(l -> s.append("  ").append(l).append('\n'));
        section(s, "records", records);
        section(s, "links", links);
        Map<Integer, List<String>> bySocket = new LinkedHashMap<>();
        for (Subscription sub : subscriptions) {
            bySocket.computeIfAbsent(sub.socket(), k -> new ArrayList<>()).add(sub.model() + " " + join(sub.ids()));
        }
        section(s, "subscriptions", bySocket.entrySet().stream().map(e -> e.getKey() + ": " + String.join(", ", e.getValue())).toList());
        section(s, "steps", steps);
        return s.toString();
    }

    private static void section(StringBuilder s, String name, List<?> lines) {
        s.append(name).append(":\n");
        lines.forEach(l -> s.append("  ").append(l).append('\n'));
    }

    static String join(List<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    /** Reads the text {@link #toString()} prints. */
    static DestroyScenario parse(String text) {
        StringBuilder models = new StringBuilder();
        List<Row> records = new ArrayList<>();
        List<Link> links = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        String section = null;
        for (String raw : text.stripIndent().lines().toList()) {
            if (raw.isBlank()) {
                continue;
            }
            if (!raw.startsWith(" ")) {
                section = raw.strip().replace(":", "");
                continue;
            }
            String line = raw.substring(2);
            String[] w = line.strip().split("\\s+");
            switch (section == null ? "" : section) {
                case "models" -> models.append(line).append('\n');
                case "records" -> {
                    Map<String, Long> fks = new LinkedHashMap<>();
                    for (int i = 2; i < w.length; i++) {
                        String[] kv = w[i].split("=");
                        fks.put(kv[0], Long.parseLong(kv[1]));
                    }
                    records.add(new Row(w[0], Long.parseLong(w[1]), fks));
                }
                case "links" -> links.add(new Link(w[0], Long.parseLong(w[1]), w[2], Long.parseLong(w[3])));
                case "subscriptions" -> {
                    int socket = Integer.parseInt(line.strip().substring(0, line.strip().indexOf(':')));
                    for (String part : line.substring(line.indexOf(':') + 1).split(",")) {
                        String[] p = part.strip().split("\\s+");
                        subscriptions.add(new Subscription(socket, p[0], ids(p, 1)));
                    }
                }
                case "steps" -> steps.add(switch (w[0]) {
                    case "destroy" -> new Destroy(w[1], Long.parseLong(w[2]));
                    case "together" -> new Together(w[1], ids(w, 2));
                    case "resurrect" -> new Resurrect(w[1], Long.parseLong(w[2]));
                    case "subscribe" -> new Subscribe(Integer.parseInt(w[1]), w[2], ids(w, 3));
                    default -> throw new IllegalArgumentException("unknown step: " + line);
                });
                default -> throw new IllegalArgumentException("line outside a section: " + raw);
            }
        }
        return new DestroyScenario(models.toString(), records, links, subscriptions, steps);
    }

    private static List<Long> ids(String[] words, int from) {
        List<Long> ids = new ArrayList<>();
        for (int i = from; i < words.length; i++) {
            ids.add(Long.parseLong(words[i]));
        }
        return ids;
    }
}
