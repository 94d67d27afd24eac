package dev.herald.auth;

import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tier.Unit
class PrincipalTest {
    private static Principal with(String... permissions) {
        return new Principal("ann", Set.of(permissions), Long.MAX_VALUE);
    }

    @Test
    void eachFormOfGrantAllowsWhatItNamesAndNothingElse() {
        assertTrue(with("*:*").allows("pony", Action.DESTROY));
        assertTrue(with("*:read").allows("pony", Action.READ));
        assertFalse(with("*:read").allows("pony", Action.UPDATE));
        assertTrue(with("pony:*").allows("pony", Action.CREATE));
        assertFalse(with("pony:*").allows("toy", Action.CREATE));
        assertTrue(with("pony:destroy").allows("pony", Action.DESTROY));
        assertFalse(with("pony:destroy").allows("pony", Action.READ));
        assertFalse(with("pony:destroy").allows("toy", Action.DESTROY));
        assertFalse(with().allows("pony", Action.READ));
        // no grant is read as a pattern: "*" alone, or a model called "*:read"'s prefix, grants nothing more
        assertFalse(with("*").allows("pony", Action.READ));
        assertFalse(with("read").allows("pony", Action.READ));
    }
}
