package dev.herald.realtime;

import dev.herald.models.Attribute;
import dev.herald.models.Model;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The rooms a populated record stands for: the record itself and the associated records it shows populated. */
final class Subscribed {
    private Subscribed() {
    }

    static void addDeep(Model model, JsonObject record, Map<String, List<Object>> rooms) {
        add(rooms, model.identity(), record.getValue(Model.ID));
        for (Attribute a : model.attributes().values()) {
            Object value = record.getValue(a.name());
            if (a.isSingular() && value instanceof JsonObject target) {
                add(rooms, a.target(), target.getValue(Model.ID));
            } else if (a.isCollection() && value instanceof JsonArray children) {
                // a collection shown as bare ids (a model the caller may not read) is not subscribed to
                children.forEach(c -> {
                    if (c instanceof JsonObject child) {
                        add(rooms, a.target(), child.getValue(Model.ID));
                    }
                });
            }
        }
    }

    private static void add(Map<String, List<Object>> rooms, String model, Object id) {
        List<Object> ids = rooms.computeIfAbsent(model, k -> new ArrayList<>());
        if (id != null && !ids.contains(id)) {
            ids.add(id);
        }
    }
}
