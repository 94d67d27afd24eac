package dev.herald.drain;

import dev.herald.testing.Tier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Vert.x instance for the idle poll's timers, no node. */
@Tier.Component
class GateTest {
    @Test
    void aClosedGateLetsNothingInAndIsIdleOnceWhatEnteredHasLeft() throws Exception {
        Gate gate = new Gate();
        assertTrue(gate.enter());
        assertTrue(gate.enter());
        assertTrue(gate.close(), "the first close closes it");
        assertFalse(gate.close());
        assertTrue(gate.draining());
        assertFalse(gate.enter(), "nothing new enters");
        assertEquals(2, gate.inFlight(), "a refused entry is not counted");
        Vertx vertx = Vertx.vertx();
        try {
            Future<Void> idle = gate.idle(vertx);
            gate.leave();
            Thread.sleep(50);
            assertFalse(idle.isComplete(), "one is still in flight");
            gate.leave();
            idle.await(5, TimeUnit.SECONDS);
            assertEquals(0, gate.inFlight());
        } finally {
            vertx.close().await();
        }
    }
}
