package dev.herald.haystack.sql;

import dev.herald.database.Migrations;

import java.util.List;

/**
 * Every SQL statement on Haystack entities: the table and its migrations, the reads, and the writes
 * of createRec, updateRec and deleteRec (filters are translated by {@link FilterSql}).
 *
 * <p>The entity table has one row per entity, its tags in {@link TagStorage}'s JSONB format. The
 * {@code id} column repeats the {@code id} tag's UUID; the check keeps the two equal. The GIN index
 * serves the filter terms {@link FilterSql} emits on the entity itself: {@code tags ? 'name'} for
 * has/missing and {@code tags @> ...} for equality, including "Ref list contains".
 */
public final class EntitySql {

    // the table

    /**
     * The advisory lock held while the entity table is migrated, so nodes starting together take turns.
     * Its own number, not the records schema's: the two schemas are independent. Any number works as
     * long as every Herald node, of any version, uses the same one: never change it.
     */
    static final long MIGRATION_LOCK = 4740952904L;

    public static final String LOCK_MIGRATIONS = "SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")";

    public static final String CREATE_TABLE = """
            CREATE TABLE IF NOT EXISTS entity (
                id uuid PRIMARY KEY,
                tags jsonb NOT NULL,
                CONSTRAINT entity_id_tag CHECK (tags -> 'id' ->> 'v' = id::text)
            )""";

    public static final String CREATE_TAGS_INDEX =
            "CREATE INDEX IF NOT EXISTS entity_tags ON entity USING gin (tags)";

    /**
     * The UUIDs this entity references through a Ref tag or a Ref-list element (the reverse-reference
     * index: "who references X" is {@code refs @> ARRAY[X]}, served by a GIN index).
     */
    public static final String ADD_REFS = "ALTER TABLE entity ADD COLUMN IF NOT EXISTS refs uuid[] NOT NULL DEFAULT '{}'";
    public static final String CREATE_REFS_INDEX = "CREATE INDEX IF NOT EXISTS entity_refs ON entity USING gin (refs)";
    /**
     * The reverse-reference index takes its entries at once, without GIN's pending list: deleteRec probes
     * it many times per request, and every probe scans the whole pending list, which a bulk createRec
     * just filled (measured: seconds for a 10,000-entity deleteRec right after creating them). Creates
     * pay a little more per entity instead; a list left from before is emptied, once.
     */
    public static final String REFS_INDEX_WITHOUT_PENDING_LIST = Migrations.ginWithoutPendingList("entity_refs");
    /** Fully-qualified names resolve level by level through {@code name}. */
    public static final String CREATE_NAME_INDEX =
            "CREATE INDEX IF NOT EXISTS entity_name ON entity ((tags -> 'name' ->> 'v'))";

    /** Statements to run in order; each is idempotent. */
    public static final List<String> DDL = List.of(CREATE_TABLE, CREATE_TAGS_INDEX, ADD_REFS, CREATE_REFS_INDEX,
            CREATE_NAME_INDEX, REFS_INDEX_WITHOUT_PENDING_LIST);

    // reads

    /** The ids among {@code $1} (a UUID array) that exist. */
    public static final String EXISTING = "SELECT id FROM entity WHERE id = ANY($1)";

    /** A top-level entity named {@code $1}: it has neither an {@code equipRef} nor a {@code siteRef}. */
    public static final String NAMED_AT_TOP = """
            SELECT id FROM entity WHERE tags -> 'name' ->> 'v' = $1 AND NOT tags ? 'equipRef' AND NOT tags ? 'siteRef'""";

    /** An entity named {@code $1} whose parent (its {@code equipRef}, else its {@code siteRef}) is in {@code $2}. */
    public static final String NAMED_BELOW = """
            SELECT id FROM entity WHERE tags -> 'name' ->> 'v' = $1 \
            AND COALESCE(tags -> 'equipRef' ->> 'v', tags -> 'siteRef' ->> 'v') = ANY($2)""";

    /** The display text of the entities in {@code $1}: their {@code dis}, else their {@code name}, when a string. */
    public static final String DISPLAYS = """
            SELECT id, COALESCE(CASE WHEN tags -> 'dis' ->> '_k' = 's' THEN tags -> 'dis' ->> 'v' END, \
            CASE WHEN tags -> 'name' ->> '_k' = 's' THEN tags -> 'name' ->> 'v' END) FROM entity WHERE id = ANY($1)""";

    private static final String SELECT = "SELECT e.id, e.tags FROM entity e";

    /** The entities matching {@code where} (from {@link FilterSql}), by id, up to {@code limit} (0: all). */
    public static String select(String where, int limit) {
        return SELECT + " WHERE " + where + " ORDER BY e.id" + (limit > 0 ? " LIMIT " + limit : "");
    }

    /**
     * deleteRec by filter: deletes the entities matching {@code where} (from {@link FilterSql}), up to
     * {@code limit} of them by id (0: all), and returns them as they were. One statement takes the locks,
     * deletes and reads (a {@code SELECT ... FOR UPDATE} first would touch every row twice); the rows come
     * in no particular order, their tags as text ({@link TagStorage#decode(String)}).
     *
     * <p>With a limit, the entities to delete are picked once, in a materialized CTE: as a subquery of the
     * {@code DELETE} ({@code WHERE id IN (SELECT ... LIMIT n FOR UPDATE)}), PostgreSQL may run the pick again
     * for every row it scans (the inner side of a nested-loop semi join), and each run skips the rows the
     * statement already deleted and hands out the next: {@code limit 1} deleted all five matches.
     */
    public static String deleteMatching(String where, int limit) {
        if (limit <= 0) {
            return "DELETE FROM entity e WHERE " + where + " RETURNING e.id, e.tags::text";
        }
        return "WITH picked AS MATERIALIZED (SELECT e.id FROM entity e WHERE " + where + " ORDER BY e.id LIMIT " + limit
                + " FOR UPDATE OF e) DELETE FROM entity d USING picked WHERE d.id = picked.id RETURNING d.id, d.tags::text";
    }

    /** deleteRec by ids: deletes the entities in {@code $1} and returns them as they were (tags as text), in no particular order. */
    public static final String DELETE_BY_IDS = "DELETE FROM entity WHERE id = ANY($1) RETURNING id, tags::text";

    /** The entities in {@code $1}. */
    public static String byIds(boolean forUpdate) {
        return SELECT + " WHERE e.id = ANY($1)" + (forUpdate ? " FOR UPDATE" : "");
    }

    // writes

    /** The entities in {@code $1}, locked against a concurrent delete while a write refers to them. */
    public static final String LOCK_REFERENCED = "SELECT id FROM entity WHERE id = ANY($1) FOR KEY SHARE";

    /** Parameters: the id, the tags, the referenced ids. */
    public static final String INSERT = "INSERT INTO entity (id, tags, refs) VALUES ($1, $2, $3)";

    /** Parameters: the id, the tags, the referenced ids. */
    public static final String UPDATE = "UPDATE entity SET tags = $2, refs = $3 WHERE id = $1";

    /**
     * The ids {@code $1} (a UUID array) of one reference probe of deleteRec: at most this many, so that
     * each probe is a few lookups in the reverse-reference index. One probe with every id of a large
     * request is planned as a scan of the whole table comparing each row's refs with the whole array
     * (measured: seconds for 10,000 ids), and is no faster for small ones.
     */
    public static final int REFERRING_PROBE_IDS = 200;

    /**
     * The entities that refer to one in {@code $1}, with what they refer to; run once per
     * {@link #REFERRING_PROBE_IDS} ids, pipelined, after the request's DELETE in the same transaction, so
     * only entities that survive the request are found.
     */
    public static final String REFERRING = "SELECT c.id, c.refs FROM entity c WHERE c.refs && $1";

    private EntitySql() {
    }
}
