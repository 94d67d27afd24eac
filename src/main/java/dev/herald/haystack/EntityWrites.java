package dev.herald.haystack;

import dev.herald.haystack.json.Grid;
import dev.herald.haystack.json.HaystackFormatException;
import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.json.JsonVersion;
import dev.herald.haystack.sql.EntitySql;
import dev.herald.haystack.sql.TagStorage;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Remove;
import dev.herald.notifications.Notification;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import dev.herald.database.Sql;
import dev.herald.database.Transaction;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * createRec, updateRec and deleteRec, each inside the caller's transaction: a request changes
 * everything it names or nothing.
 */
final class EntityWrites {
    private static final int MAX_NAMED_CHILDREN = 10;

    private EntityWrites() {
    }

    record Result(Grid grid, List<Notification> notifications) {
    }

    /**
     * Creates the rows: a client-supplied UUID {@code id} is kept (else one is generated); every Ref
     * must point to an existing entity or one created in the same request.
     */
    static Future<Result> create(Transaction conn, List<Dict> rows) {
        List<Dict> entities = new ArrayList<>();
        Set<UUID> created = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            Dict row = rows.get(i);
            UUID id = row.has("id") ? newId(row.get("id"), i) : UUID.randomUUID();
            if (!created.add(id)) {
                throw HaystackErrors.badRequest("rows[" + i + "].id: " + id + " appears twice in the request");
            }
            Map<String, HaystackValue> tags = new LinkedHashMap<>();
            tags.put("id", Ref.of(id.toString()));
            row.tags().forEach((name, value) -> {
                if (value instanceof Remove) {
                    throw HaystackErrors.badRequest("rows[" + entities.size() + "]." + name + ": nothing to remove in createRec");
                }
                if (!name.equals("id")) {
                    tags.put(name, value);
                }
            });
            entities.add(new Dict(tags));
        }
        return canonicalRefs(conn, entities, created).compose(canonical -> {
            List<Tuple> batch = canonical.stream().map(EntityWrites::row).toList();
            return conn.executeBatch(EntitySql.INSERT, batch)
                    .recover(e -> Future.failedFuture(e instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())
                            ? HaystackErrors.badRequest("an entity with one of these ids already exists") : e))
                    .compose(done -> EntityStore.grid(conn, canonical, Map.of()))
                    .map(grid -> new Result(grid, grid.rows().stream().map(EntityWrites::created).toList()));
        });
    }

    /** Sets the given tags of existing entities; {@code -:} (or {@code x:}) removes a tag. */
    static Future<Result> update(Transaction conn, List<Dict> rows) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (!(rows.get(i).get("id") instanceof Ref ref)) {
                throw HaystackErrors.badRequest("rows[" + i + "].id: updateRec needs a Ref id on every row");
            }
            ids.add(ref.id());
        }
        List<Dict> before = new ArrayList<>();
        return targets(conn, ids).compose(uuids -> EntityStore.byIds(conn, uuids, true).compose(current -> {
            before.addAll(current);
            List<Dict> merged = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Map<String, HaystackValue> tags = new LinkedHashMap<>(current.get(i).tags());
                rows.get(i).tags().forEach((name, value) -> {
                    if (name.equals("id")) {
                        return;
                    }
                    if (value instanceof Remove) {
                        tags.remove(name);
                    } else {
                        tags.put(name, value);
                    }
                });
                merged.add(new Dict(tags));
            }
            return canonicalRefs(conn, merged, Set.of());
        })).compose(canonical -> conn.executeBatch(EntitySql.UPDATE, canonical.stream().map(EntityWrites::row).toList())
                .compose(done -> EntityStore.grid(conn, canonical, Map.of()))
                .map(grid -> {
                    List<Notification> messages = new ArrayList<>();
                    for (int i = 0; i < rows.size(); i++) {
                        messages.add(updated(before.get(i), rows.get(i)));
                    }
                    return new Result(grid, messages);
                }));
    }

    /** {@code created}, for the watchers of {@code entity}: the new entity's tags in v3 JSON. */
    private static Notification created(Dict row) {
        String id = TagStorage.entityId(EntityRefs.mapRefs(row, r -> Ref.of(r.id()))).toString();
        return Notification.created(EntitiesVerticle.MODEL, id, HaystackJson.encodeDict(row, JsonVersion.V3));
    }

    /** {@code updated}: the tags the request set (a removed tag as null) and the entity as it was. */
    private static Notification updated(Dict previous, Dict requested) {
        String id = TagStorage.entityId(previous).toString();
        JsonObject data = new JsonObject();
        requested.tags().forEach((name, value) -> {
            if (!name.equals("id")) {
                data.put(name, value instanceof Remove ? null : HaystackJson.encode(value, JsonVersion.V3));
            }
        });
        return Notification.toRecord(EntitiesVerticle.MODEL, id, new JsonObject().put("verb", "updated").put("id", id)
                .put("data", data).put("previous", HaystackJson.encodeDict(previous, JsonVersion.V3)));
    }

    /**
     * Deletes a set of entities together. An entity is blocked only by references from entities that
     * survive the request; order within the request and cycles inside the set do not matter.
     */
    static Future<Result> delete(Transaction conn, List<UUID> targets, List<Dict> locked) {
        if (targets.isEmpty()) {
            return Future.succeededFuture(new Result(Grid.empty(Dict.EMPTY), List.of()));
        }
        UUID[] ids = targets.toArray(UUID[]::new);
        Set<UUID> targetSet = new HashSet<>(targets);
        return conn.execute(EntitySql.REFERRING, Tuple.of((Object) ids)).compose(rows -> {
            Map<UUID, List<UUID>> children = new java.util.TreeMap<>();
            rows.forEach(r -> {
                for (UUID target : r.getArrayOfUUIDs(1)) {
                    if (targetSet.contains(target)) {
                        children.computeIfAbsent(target, k -> new ArrayList<>()).add(r.getUUID(0));
                    }
                }
            });
            if (!children.isEmpty()) {
                return Future.failedFuture(HaystackErrors.hasChildren(hasChildren(children)));
            }
            Map<UUID, String> displays = new HashMap<>();
            locked.forEach(e -> {
                String dis = EntityStore.displayOf(e);
                if (dis != null) {
                    displays.put(TagStorage.entityId(e), dis);
                }
            });
            return EntityStore.grid(conn, locked, displays).compose(grid -> conn
                    .execute(EntitySql.DELETE, Tuple.of((Object) ids))
                    .map(done -> new Result(grid, destroyed(grid))));
        });
    }

    private static String hasChildren(Map<UUID, List<UUID>> children) {
        return children.entrySet().stream().map(e -> {
            List<UUID> list = e.getValue();
            String named = list.stream().limit(MAX_NAMED_CHILDREN).map(u -> "@" + u).collect(Collectors.joining(", "));
            return "Cannot delete @" + e.getKey() + ": referenced by " + list.size() + " child entit"
                    + (list.size() == 1 ? "y" : "ies") + " (" + named + (list.size() > MAX_NAMED_CHILDREN ? ", ..." : "") + ")";
        }).collect(Collectors.joining("; "));
    }

    /** One {@code destroyed} per deleted entity, on address {@code entity}, {@code previous} in v3 JSON. */
    private static List<Notification> destroyed(Grid grid) {
        return grid.rows().stream().map(row -> {
            String id = TagStorage.entityId(EntityRefs.mapRefs(row, r -> Ref.of(r.id()))).toString();
            JsonObject previous = HaystackJson.encodeDict(row, JsonVersion.V3);
            return Notification.destroyed(EntitiesVerticle.MODEL, id, previous);
        }).toList();
    }

    /** Resolves ids (UUIDs or fqnames) of existing entities, in order: 404 for unknown ones, 400 for repeats. */
    static Future<List<UUID>> targets(Sql conn, List<String> ids) {
        return EntityStore.resolve(conn, ids).map(resolved -> {
            List<UUID> uuids = new ArrayList<>();
            Set<UUID> seen = new HashSet<>();
            for (String id : ids) {
                UUID uuid = resolved.get(id);
                if (uuid == null) {
                    throw HaystackErrors.notFound("@" + id);
                }
                if (!seen.add(uuid)) {
                    throw HaystackErrors.badRequest("Duplicate id @" + id);
                }
                uuids.add(uuid);
            }
            return uuids;
        });
    }

    /**
     * Every Ref rewritten to the lower-case UUID of an existing entity (locked against a concurrent
     * delete) or of one in {@code created}; display text on input is dropped.
     */
    private static Future<List<Dict>> canonicalRefs(Sql conn, List<Dict> entities, Set<UUID> created) {
        Set<String> wanted = new LinkedHashSet<>();
        for (Dict e : entities) {
            for (String id : EntityRefs.referencedIds(e)) {
                UUID u = EntityRefs.uuidOrNull(id);
                if (u == null || !created.contains(u)) {
                    wanted.add(id);
                }
            }
        }
        Future<Map<String, UUID>> resolved = wanted.isEmpty() ? Future.succeededFuture(Map.of())
                : EntityStore.resolve(conn, new ArrayList<>(wanted));
        return resolved.compose(map -> {
            for (String id : wanted) {
                if (map.get(id) == null) {
                    throw HaystackErrors.badRequest("Ref @" + id + " points to no entity");
                }
            }
            UUID[] existing = map.values().stream().distinct().toArray(UUID[]::new);
            Future<?> locked = existing.length == 0 ? Future.succeededFuture()
                    : conn.execute(EntitySql.LOCK_REFERENCED, Tuple.of((Object) existing));
            return locked.map(v -> entities.stream().map(e -> EntityRefs.mapRefs(e, r -> {
                UUID u = EntityRefs.uuidOrNull(r.id());
                UUID target = u != null && created.contains(u) ? u : map.getOrDefault(r.id(), u);
                return Ref.of(target.toString());
            })).toList());
        });
    }

    private static UUID newId(HaystackValue value, int row) {
        UUID id = value instanceof Ref ref ? EntityRefs.uuidOrNull(ref.id()) : null;
        if (id == null) {
            throw HaystackErrors.badRequest("rows[" + row + "].id: createRec takes a Ref to a UUID, or no id at all");
        }
        return id;
    }

    private static Tuple row(Dict entity) {
        try {
            return Tuple.of(TagStorage.entityId(entity), TagStorage.encode(entity),
                    EntityRefs.referencedUuids(entity).toArray(UUID[]::new));
        } catch (HaystackFormatException e) {
            throw HaystackErrors.badRequest(e.getMessage());
        }
    }
}
