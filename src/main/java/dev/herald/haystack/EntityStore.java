package dev.herald.haystack;

import dev.herald.haystack.filter.Filter;
import dev.herald.haystack.json.Grid;
import dev.herald.haystack.sql.EntitySql;
import dev.herald.haystack.sql.FilterSql;
import dev.herald.haystack.sql.SqlFilter;
import dev.herald.haystack.sql.TagStorage;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.Ref;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import dev.herald.database.Sql;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Entity reads shared by the Haystack ops: id and fully-qualified-name resolution, filter queries
 * (one SQL statement each), and turning stored entities into response grids with Ref display text.
 */
final class EntityStore {
    private EntityStore() {
    }

    /**
     * Resolves each id as written (a UUID in any case, or an fqname such as {@code site.equip.point})
     * to an existing entity's UUID; ids that resolve to nothing map to null.
     */
    static Future<Map<String, UUID>> resolve(Sql client, List<String> ids) {
        Map<String, UUID> result = new LinkedHashMap<>();
        List<UUID> uuids = new ArrayList<>();
        List<String> fqnames = new ArrayList<>();
        for (String id : ids) {
            UUID uuid = EntityRefs.uuidOrNull(id);
            if (uuid != null) {
                uuids.add(uuid);
            } else {
                fqnames.add(id);
            }
        }
        Future<Set<UUID>> existing = uuids.isEmpty() ? Future.succeededFuture(Set.of())
                : client.execute(EntitySql.EXISTING, Tuple.of(uuids.toArray(UUID[]::new)))
                .map(rows -> {
                    Set<UUID> found = new java.util.HashSet<>();
                    rows.forEach(r -> found.add(r.getUUID(0)));
                    return found;
                });
        return existing.compose(found -> {
            Future<Void> chain = Future.succeededFuture();
            Map<String, UUID> byFqname = new HashMap<>();
            for (String fqname : fqnames) {
                chain = chain.compose(v -> resolveFqname(client, fqname).map(u -> {
                    byFqname.put(fqname, u);
                    return null;
                }));
            }
            return chain.map(v -> {
                for (String id : ids) {
                    UUID uuid = EntityRefs.uuidOrNull(id);
                    result.put(id, uuid != null ? (found.contains(uuid) ? uuid : null) : byFqname.get(id));
                }
                return result;
            });
        });
    }

    /**
     * {@code a.b.c}: the entity named {@code c} whose parent (its {@code equipRef}, else its
     * {@code siteRef}) is {@code a.b}; a top-level name has neither. An ambiguous name is a 400.
     */
    private static Future<UUID> resolveFqname(Sql client, String fqname) {
        String[] names = fqname.split("\\.", -1);
        for (String name : names) {
            if (name.isEmpty()) {
                return Future.succeededFuture(null);
            }
        }
        Future<List<UUID>> level = client.execute(EntitySql.NAMED_AT_TOP, Tuple.of(names[0])).map(EntityStore::uuids);
        for (int i = 1; i < names.length; i++) {
            String name = names[i];
            level = level.compose(parents -> parents.isEmpty() ? Future.succeededFuture(parents)
                    : client.execute(EntitySql.NAMED_BELOW, Tuple.of(name, (Object) parents.stream().map(UUID::toString).toArray(String[]::new)))
                    .map(EntityStore::uuids));
        }
        return level.map(found -> {
            if (found.size() > 1) {
                throw HaystackErrors.badRequest("'" + fqname + "' names " + found.size() + " entities");
            }
            return found.isEmpty() ? null : found.get(0);
        });
    }

    private static List<UUID> uuids(Iterable<Row> rows) {
        List<UUID> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.getUUID(0)));
        return out;
    }

    /** The matches of a filter, by id, up to {@code limit} (0: all). */
    static Future<List<Dict>> select(Sql client, Filter filter, int limit) {
        SqlFilter where = FilterSql.toSql(filter, 1);
        return client.execute(EntitySql.select(where.where(), limit), Tuple.from(where.params()))
                .map(EntityStore::dicts);
    }

    /** Deletes the matches of a filter, up to {@code limit} (0: all); the entities as they were, by id. */
    static Future<List<Dict>> deleteMatching(Sql client, Filter filter, int limit) {
        SqlFilter where = FilterSql.toSql(filter, 1);
        return client.execute(EntitySql.deleteMatching(where.where(), limit), Tuple.from(where.params())).map(rows -> {
            List<Row> sorted = new ArrayList<>(rows.size());
            rows.forEach(sorted::add);
            sorted.sort(java.util.Comparator.comparing(r -> r.getUUID(0).toString()));
            List<Dict> out = new ArrayList<>(sorted.size());
            sorted.forEach(r -> out.add(TagStorage.decode(r.getString(1))));
            return out;
        });
    }

    /** Deletes the entities {@code ids}; they as they were, in the order of {@code ids}; one gone meanwhile is a 404. */
    static Future<List<Dict>> deleteByIds(Sql client, List<UUID> ids) {
        return client.execute(EntitySql.DELETE_BY_IDS, Tuple.of(ids.toArray(UUID[]::new)))
                .map(rows -> inOrder(ids, rows, r -> TagStorage.decode(r.getString(1))));
    }

    /** The entities, in the order of {@code ids}; one deleted meanwhile is a 404. */
    static Future<List<Dict>> byIds(Sql client, List<UUID> ids, boolean lock) {
        return client.execute(EntitySql.byIds(lock), Tuple.of(ids.toArray(UUID[]::new)))
                .map(rows -> inOrder(ids, rows, r -> TagStorage.decode(r.getJsonObject(1))));
    }

    private static List<Dict> inOrder(List<UUID> ids, Iterable<Row> rows, java.util.function.Function<Row, Dict> decode) {
        Map<UUID, Dict> found = new HashMap<>();
        rows.forEach(r -> found.put(r.getUUID(0), decode.apply(r)));
        List<Dict> ordered = new ArrayList<>(ids.size());
        for (UUID id : ids) {
            Dict entity = found.get(id);
            if (entity == null) {
                throw HaystackErrors.notFound("@" + id);
            }
            ordered.add(entity);
        }
        return ordered;
    }

    /** Those of the entities that exist, in the order of {@code ids}. */
    static Future<List<Dict>> existing(Sql client, List<UUID> ids) {
        if (ids.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return client.execute(EntitySql.byIds(false), Tuple.of(ids.toArray(UUID[]::new))).map(rows -> {
            Map<UUID, Dict> found = new HashMap<>();
            rows.forEach(r -> found.put(r.getUUID(0), TagStorage.decode(r.getJsonObject(1))));
            return ids.stream().filter(found::containsKey).map(found::get).toList();
        });
    }

    static List<Dict> dicts(Iterable<Row> rows) {
        List<Dict> out = new ArrayList<>();
        rows.forEach(r -> out.add(TagStorage.decode(r.getJsonObject(1))));
        return out;
    }

    /**
     * A response grid: Refs carry the target's {@code dis}, else its {@code name}, else nothing;
     * columns are {@code id}, {@code name} when any row has it, then the rest alphabetically; no rows
     * gives the {@code empty} grid.
     */
    static Future<Grid> grid(Sql client, List<Dict> entities, Map<UUID, String> knownDisplays) {
        if (entities.isEmpty()) {
            return Future.succeededFuture(Grid.empty(Dict.EMPTY));
        }
        Set<UUID> wanted = new java.util.HashSet<>();
        for (Dict e : entities) {
            wanted.add(TagStorage.entityId(e));
            wanted.addAll(EntityRefs.referencedUuids(e));
        }
        wanted.removeAll(knownDisplays.keySet());
        Future<Map<UUID, String>> looked = displays(client, wanted);
        return looked.map(found -> {
            Map<UUID, String> all = new HashMap<>(knownDisplays);
            all.putAll(found);
            List<Dict> rows = entities.stream().map(e -> EntityRefs.mapRefs(e, r -> {
                UUID u = EntityRefs.uuidOrNull(r.id());
                return new Ref(r.id(), u == null ? null : all.get(u));
            })).toList();
            List<Grid.Column> columns = columns(rows);
            return new Grid(Dict.EMPTY, columns, rows.stream().map(r -> inColumnOrder(r, columns)).toList());
        });
    }

    /** The display text of those of the entities {@code ids} that have one (see {@link #displayOf}). */
    static Future<Map<UUID, String>> displays(Sql client, Set<UUID> ids) {
        if (ids.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return client.execute(EntitySql.DISPLAYS, Tuple.of(ids.toArray(UUID[]::new))).map(rows -> {
            Map<UUID, String> found = new HashMap<>();
            rows.forEach(r -> {
                if (r.getString(1) != null) {
                    found.put(r.getUUID(0), r.getString(1));
                }
            });
            return found;
        });
    }

    /** Display text an entity gives Refs to itself: {@code dis}, else {@code name}. */
    static String displayOf(Dict e) {
        if (e.get("dis") instanceof dev.herald.haystack.value.Str dis) {
            return dis.value();
        }
        return e.get("name") instanceof dev.herald.haystack.value.Str name ? name.value() : null;
    }

    private static Dict inColumnOrder(Dict row, List<Grid.Column> columns) {
        Map<String, dev.herald.haystack.value.HaystackValue> ordered = new LinkedHashMap<>();
        for (Grid.Column c : columns) {
            if (row.has(c.name())) {
                ordered.put(c.name(), row.get(c.name()));
            }
        }
        return new Dict(ordered);
    }

    /** A response grid's columns: {@code id}, then {@code name} when any row has it, then the rest alphabetically. */
    static List<Grid.Column> columns(List<Dict> rows) {
        Set<String> rest = new TreeSet<>();
        boolean name = false;
        for (Dict row : rows) {
            for (String tag : row.tags().keySet()) {
                if (tag.equals("name")) {
                    name = true;
                } else if (!tag.equals("id")) {
                    rest.add(tag);
                }
            }
        }
        List<Grid.Column> columns = new ArrayList<>();
        columns.add(Grid.Column.named("id"));
        if (name) {
            columns.add(Grid.Column.named("name"));
        }
        rest.forEach(t -> columns.add(Grid.Column.named(t)));
        return columns;
    }
}
