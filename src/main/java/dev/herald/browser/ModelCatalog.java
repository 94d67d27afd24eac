package dev.herald.browser;

import dev.herald.auth.Action;
import dev.herald.auth.Principal;
import dev.herald.models.Attribute;
import dev.herald.models.Model;
import dev.herald.models.Models;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Comparator;
import java.util.Locale;

/**
 * {@code GET /_herald/models} (token needed): the models the caller may read, with their primary key and
 * the attributes a response shows (private ones left out; in the models file's order), models sorted by
 * identity, for the
 * console's model picker and table columns. Haystack entities are not blueprint models and are not listed.
 */
public final class ModelCatalog {
    public static final String PATH = BrowserAssets.PREFIX + "models";

    private final Models models;

    public ModelCatalog(Models models) {
        this.models = models;
    }

    public JsonObject readableBy(Principal principal) {
        JsonArray listed = new JsonArray();
        models.all().stream().sorted(Comparator.comparing(Model::identity))
                .filter(m -> principal.allows(m.identity(), Action.READ))
                .forEach(m -> listed.add(describe(m)));
        return new JsonObject().put("models", listed);
    }

    private static JsonObject describe(Model model) {
        JsonArray attributes = new JsonArray();
        model.attributes().values().stream().filter(a -> !a.hidden()).forEach(a -> attributes.add(describe(a)));
        return new JsonObject().put("identity", model.identity())
                .put("primaryKey", model.primaryKey().name().toLowerCase(Locale.ROOT))
                .put("attributes", attributes);
    }

    private static JsonObject describe(Attribute attribute) {
        JsonObject json = new JsonObject().put("name", attribute.name());
        return switch (attribute.kind()) {
            case SCALAR -> json.put("type", attribute.type().name().toLowerCase(Locale.ROOT));
            case SINGULAR -> json.put("model", attribute.target());
            case COLLECTION -> json.put("collection", attribute.target());
        };
    }
}
