package dev.herald.haystack.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herald.haystack.value.Dict;
import dev.herald.testing.Tier;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TagStorageTest}'s values stored in PostgreSQL and read back. */
@Tier.Component
class TagStoragePostgresTest {

    @Test
    void everyKindRoundTripsThroughPostgres() {
        Dict entity = TagStorageTest.everyKind();
        assertEquals(List.of(entity), EntityTable.replaceWith(List.of(entity)).readAll());
    }
}
