package dev.herald.haystack;

import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Ref;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The references an entity makes: every Ref tag (other than {@code id}) and every Ref in a List tag.
 * These are what protects a parent from deleteRec, what createRec checks, and what gets display text
 * on the way out.
 */
final class EntityRefs {
    private EntityRefs() {
    }

    static UUID uuidOrNull(String id) {
        if (id.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Every referenced id as written (UUID or fqname), excluding the entity's own {@code id} tag. */
    static Set<String> referencedIds(Dict tags) {
        Set<String> ids = new LinkedHashSet<>();
        tags.tags().forEach((name, value) -> {
            if (!name.equals("id")) {
                refsOf(value).forEach(r -> ids.add(r.id()));
            }
        });
        return ids;
    }

    static Set<UUID> referencedUuids(Dict tags) {
        Set<UUID> uuids = new LinkedHashSet<>();
        referencedIds(tags).forEach(id -> {
            UUID u = uuidOrNull(id);
            if (u != null) {
                uuids.add(u);
            }
        });
        return uuids;
    }

    private static List<Ref> refsOf(HaystackValue value) {
        if (value instanceof Ref ref) {
            return List.of(ref);
        }
        if (value instanceof HaystackList list) {
            return list.items().stream().filter(Ref.class::isInstance).map(Ref.class::cast).toList();
        }
        return List.of();
    }

    /** The same tags with every Ref (the {@code id} included) rewritten by {@code rewrite}. */
    static Dict mapRefs(Dict tags, Function<Ref, Ref> rewrite) {
        Map<String, HaystackValue> out = new LinkedHashMap<>();
        tags.tags().forEach((name, value) -> {
            if (value instanceof Ref ref) {
                out.put(name, rewrite.apply(ref));
            } else if (value instanceof HaystackList list) {
                out.put(name, new HaystackList(list.items().stream()
                        .map(v -> v instanceof Ref r ? (HaystackValue) rewrite.apply(r) : v).toList()));
            } else {
                out.put(name, value);
            }
        });
        return new Dict(out);
    }
}
