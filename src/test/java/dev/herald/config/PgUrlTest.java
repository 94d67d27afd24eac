package dev.herald.config;

import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tier.Unit
class PgUrlTest {

    @Test
    void redactHidesAPasswordThatContainsAtSignsOrSlashes() {
        assertEquals("postgresql://herald:***@db.local:5433/records", PgUrl.redact("postgresql://herald:p@ss/w@rd@db.local:5433/records"));
    }

    @Test
    void redactHidesAPasswordGivenAsAQueryParameter() {
        assertEquals("postgresql://db.local/records?user=u&password=***&sslmode=disable",
                PgUrl.redact("postgresql://db.local/records?user=u&password=s3cret&sslmode=disable"));
        assertEquals("postgresql://u:***@db.local/records?PASSWORD=***", PgUrl.redact("postgresql://u:a@db.local/records?PASSWORD=b"));
    }

    @Test
    void redactLeavesAUrlWithoutPasswordAlone() {
        assertEquals("postgresql://herald@db.local/records", PgUrl.redact("postgresql://herald@db.local/records"));
        assertEquals("postgres://db.local:5432/records", PgUrl.redact("postgres://db.local:5432/records"));
    }

    @Test
    void anUnparseableUrlIsRefusedWithoutShowingItsPassword() {
        ConfigException refused = assertThrows(ConfigException.class,
                () -> PgUrl.parse("postgresql://bob:s3cr@tpw@127.0.0.1:1/herald", "HERALD_PG_URL"));
        assertTrue(refused.getMessage().startsWith("HERALD_PG_URL is not a valid PostgreSQL URL"), refused.getMessage());
        assertFalse(refused.getMessage().contains("s3cr"), refused.getMessage());
    }

    @Test
    void describeNamesHostPortDatabaseAndUserButNeverThePassword() {
        String described = PgUrl.describe(PgUrl.parse("postgresql://herald:s3cret@db.local:5433/records", "HERALD_PG_URL"));
        assertEquals("PostgreSQL at db.local:5433, database 'records', user 'herald'", described);
    }
}
