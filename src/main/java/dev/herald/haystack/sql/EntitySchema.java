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

    /** Statements to run in order; each is idempotent. */
    public static final List<String> DDL = List.of(CREATE_TABLE, CREATE_TAGS_INDEX);

    private EntitySchema() {
    }
}
