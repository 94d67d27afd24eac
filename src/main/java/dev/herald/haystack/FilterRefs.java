package dev.herald.haystack;

import dev.herald.haystack.filter.Filter;
import dev.herald.haystack.value.Ref;
import io.vertx.core.Future;
import dev.herald.database.Sql;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Ref literals in a filter may name entities by fully-qualified name ({@code siteRef==@site}) or by a
 * UUID in any case: they are rewritten to the stored lower-case UUID before translation. A name that
 * resolves to nothing is left as written and so matches nothing.
 */
final class FilterRefs {
    private FilterRefs() {
    }

    static Future<Filter> canonical(Sql client, Filter filter) {
        Set<String> ids = new LinkedHashSet<>();
        collect(filter, ids);
        ids.removeIf(id -> {
            UUID u = EntityRefs.uuidOrNull(id);
            return u != null && u.toString().equals(id);
        });
        if (ids.isEmpty()) {
            return Future.succeededFuture(filter);
        }
        return EntityStore.resolve(client, new ArrayList<>(ids)).map(resolved -> rewrite(filter, resolved));
    }

    private static void collect(Filter filter, Set<String> ids) {
        if (filter instanceof Filter.Compare c && c.literal() instanceof Ref ref) {
            ids.add(ref.id());
        } else if (filter instanceof Filter.And and) {
            and.parts().forEach(p -> collect(p, ids));
        } else if (filter instanceof Filter.Or or) {
            or.parts().forEach(p -> collect(p, ids));
        }
    }

    private static Filter rewrite(Filter filter, Map<String, UUID> resolved) {
        if (filter instanceof Filter.Compare c && c.literal() instanceof Ref ref && resolved.get(ref.id()) != null) {
            return new Filter.Compare(c.path(), c.op(), Ref.of(resolved.get(ref.id()).toString()));
        }
        if (filter instanceof Filter.And and) {
            return new Filter.And(map(and.parts(), resolved));
        }
        if (filter instanceof Filter.Or or) {
            return new Filter.Or(map(or.parts(), resolved));
        }
        return filter;
    }

    private static List<Filter> map(List<Filter> parts, Map<String, UUID> resolved) {
        return parts.stream().map(p -> rewrite(p, resolved)).toList();
    }
}
