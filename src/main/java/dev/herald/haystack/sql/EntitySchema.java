package dev.herald.haystack.sql;

import java.util.List;

/**
 * The entity table: one row per entity, its tags in {@link TagStorage}'s JSONB format. The
 * {@code id} column repeats the {@code id} tag's UUID; the check keeps the two equal. The GIN index
 * serves the filter terms {@link FilterSql} emits on the entity itself: {@code tags ? 'name'} for
 * has/missing and {@code tags @> ...} for equality, including "Ref list contains".
 */
public final class EntitySchema {

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
    /** Fully-qualified names resolve level by level through {@code name}. */
    public static final String CREATE_NAME_INDEX =
            "CREATE INDEX IF NOT EXISTS entity_name ON entity ((tags -> 'name' ->> 'v'))";

    /** Statements to run in order; each is idempotent. */
    public static final List<String> DDL = List.of(CREATE_TABLE, CREATE_TAGS_INDEX, ADD_REFS, CREATE_REFS_INDEX,
            CREATE_NAME_INDEX);

    private EntitySchema() {
    }
}
