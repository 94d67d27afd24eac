package dev.herald.haystack.sql;

import dev.herald.haystack.ConformanceCases;
import dev.herald.haystack.ConformanceCases.MatchCase;
import dev.herald.haystack.filter.Filter;
import dev.herald.haystack.filter.Filter.And;
import dev.herald.haystack.filter.Filter.Compare;
import dev.herald.haystack.filter.Filter.Or;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Ref;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A conformance case moved onto UUID ids, as the entity table requires: each short id ({@code a})
 * becomes a stable UUID in records and filter literals alike. When the case forbids resolving Refs,
 * Ref values and literals get UUIDs that no entity has, so that no {@code ->} can follow them.
 */
final class UuidCase {

    private final MatchCase c;
    private final Map<String, String> shortIds = new HashMap<>();

    UuidCase(MatchCase c) {
        this.c = c;
    }

    List<Dict> records() {
        return c.records().stream().map(this::entity).toList();
    }

    String shortId(Dict entity) {
        return shortIds.get(ConformanceCases.idOf(entity));
    }

    Filter filter(Filter filter) {
        if (filter instanceof And and) {
            return new And(and.parts().stream().map(this::filter).toList());
        }
        if (filter instanceof Or or) {
            return new Or(or.parts().stream().map(this::filter).toList());
        }
        if (filter instanceof Compare compare && compare.literal() instanceof Ref ref) {
            return new Compare(compare.path(), compare.op(), Ref.of(refId(ref.id())));
        }
        return filter;
    }

    private Dict entity(Dict record) {
        Map<String, HaystackValue> tags = new LinkedHashMap<>();
        record.tags().forEach((name, value) -> tags.put(name, rewrite(value)));
        String shortId = ConformanceCases.idOf(record);
        tags.put("id", Ref.of(uuid("id", shortId)));
        return new Dict(tags);
    }

    private HaystackValue rewrite(HaystackValue value) {
        if (value instanceof Ref ref) {
            return new Ref(refId(ref.id()), ref.dis());
        }
        if (value instanceof HaystackList list) {
            return new HaystackList(list.items().stream().map(this::rewrite).toList());
        }
        if (value instanceof Dict dict) {
            Map<String, HaystackValue> tags = new LinkedHashMap<>();
            dict.tags().forEach((name, item) -> tags.put(name, rewrite(item)));
            return new Dict(tags);
        }
        return value;
    }

    private String refId(String shortId) {
        return uuid(c.resolveRefs() ? "id" : "unresolvable", shortId);
    }

    private String uuid(String namespace, String shortId) {
        String uuid = UUID.nameUUIDFromBytes((c.id() + "/" + namespace + "/" + shortId)
                .getBytes(StandardCharsets.UTF_8)).toString();
        shortIds.put(uuid, shortId);
        return uuid;
    }
}
