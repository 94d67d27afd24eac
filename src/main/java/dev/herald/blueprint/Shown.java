package dev.herald.blueprint;

import dev.herald.auth.Action;
import dev.herald.auth.Principal;
import dev.herald.models.Attribute;
import dev.herald.models.Model;
import dev.herald.models.Models;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Set;
import java.util.TreeSet;

/**
 * Read permission covers what is shown (security.md): a populated association whose model the caller may
 * not read is shown as bare ids (a singular one as its id, a collection as an array of ids), on REST,
 * in virtual requests and in the records that notifications carry. Autosubscription follows what is
 * shown, so nothing of such a model is subscribed to either.
 */
public final class Shown {
    private Shown() {
    }

    /** The models {@code model}'s associations point to that {@code principal} may not read; empty: show all. */
    public static Set<String> unreadable(Models models, String model, Principal principal) {
        Model m = models.find(model).orElse(null);
        if (m == null || principal == null) {
            return Set.of();
        }
        Set<String> hidden = null;
        for (Attribute a : m.attributes().values()) {
            if ((a.isSingular() || a.isCollection()) && !principal.allows(a.target(), Action.READ)) {
                if (hidden == null) {
                    hidden = new TreeSet<>();
                }
                hidden.add(a.target());
            }
        }
        return hidden == null ? Set.of() : hidden;
    }

    /** A body of records ({@code find}'s array or one record) as {@code principal} may see it. */
    public static Object body(Models models, Model model, Object body, Principal principal) {
        Set<String> hidden = unreadable(models, model.identity(), principal);
        if (hidden.isEmpty()) {
            return body;
        }
        if (body instanceof JsonArray records) {
            JsonArray shown = new JsonArray();
            records.forEach(r -> shown.add(r instanceof JsonObject o ? record(model, o, hidden) : r));
            return shown;
        }
        return body instanceof JsonObject record ? record(model, record, hidden) : body;
    }

    /** {@code record} with its associations to the {@code hidden} models reduced to ids (a copy; the original is kept). */
    public static JsonObject record(Model model, JsonObject record, Set<String> hidden) {
        JsonObject shown = new JsonObject(new LinkedHashMap<>(record.getMap()));
        for (Attribute a : model.attributes().values()) {
            if (a.isScalar() || !hidden.contains(a.target()) || !shown.containsKey(a.name())) {
                continue;
            }
            Object value = shown.getValue(a.name());
            if (a.isSingular() && value instanceof JsonObject target) {
                shown.put(a.name(), target.getValue(Model.ID));
            } else if (a.isCollection() && value instanceof JsonArray children) {
                JsonArray ids = new JsonArray();
                children.forEach(c -> ids.add(c instanceof JsonObject child ? child.getValue(Model.ID) : c));
                shown.put(a.name(), ids);
            }
        }
        return shown;
    }
}
