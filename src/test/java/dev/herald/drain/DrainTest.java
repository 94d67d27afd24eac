package dev.herald.drain;

import dev.herald.testing.Tier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tier.Unit
class DrainTest {
    private final List<String> done = new CopyOnWriteArrayList<>();

    private Drain.Step step(String name) {
        return Drain.Step.of(name, () -> {
            done.add(name);
            return Future.succeededFuture();
        });
    }

    private Drain.Step database() {
        return Drain.Step.database("database", () -> done.add("database"));
    }

    @Test
    void stepsRunInOrderOnceAndAllInTimeMeansSuccess() {
        Drain drain = new Drain(Duration.ofSeconds(5), List.of(step("gate"), step("sockets"), database()));
        assertTrue(drain.run());
        assertTrue(drain.run(), "a second caller gets the first one's outcome");
        assertEquals(List.of("gate", "sockets", "database"), done);
    }

    @Test
    void aStepThatOutlivesTheTimeoutFailsTheDrainSkipsTheRestButStillStopsTheDatabase() {
        Drain.Step stuck = Drain.Step.of("stuck", () -> Promise.promise().future());
        Drain drain = new Drain(Duration.ofMillis(200), List.of(step("gate"), stuck, step("sockets"), database()));
        assertFalse(drain.run());
        assertEquals(List.of("gate", "database"), done);
    }

    @Test
    void aFailedStepFailsTheDrainAndTheOthersStillRun() {
        Drain.Step broken = Drain.Step.of("broken", () -> Future.failedFuture("no database"));
        Drain.Step throwing = Drain.Step.of("throwing", () -> {
            throw new IllegalStateException("boom");
        });
        Drain drain = new Drain(Duration.ofSeconds(5), List.of(broken, throwing, step("sockets"), database()));
        assertFalse(drain.run());
        assertEquals(List.of("sockets", "database"), done);
    }
}
