package dev.herald.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IdleSocketsTest {

    private static Map<String, Long> parse(String histogram) {
        Map<String, Long> bytes = new HashMap<>();
        IdleSockets.parseHistogram(histogram, bytes);
        return bytes;
    }

    @Test
    void readsTheBytesOfEachClassOfAJcmdHistogramAndNothingElse() {
        Map<String, Long> bytes = parse("""
                12345:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:         20000        8380000  [Ljava.lang.Object; (java.base@17.0.13)
                   2:          3000          72000  java.lang.String (java.base@17.0.13)
                   3:            10            160  dev.herald.realtime.SocketSession
                Total         23010        8452160
                """);
        assertEquals(Map.of("[Ljava.lang.Object;", 8_380_000L, "java.lang.String", 72_000L,
                "dev.herald.realtime.SocketSession", 160L), bytes);
    }

    @Test
    void ranksTheClassesThatGrewByTheirBytesPerSessionAndLeavesOutThoseThatShrank() {
        Map<String, Long> before = Map.of("a", 1_000L, "b", 5_000L, "c", 9_000L);
        Map<String, Long> after = Map.of("a", 21_000L, "b", 4_000L, "c", 9_500L, "d", 3_000L);
        JsonObject top = IdleSockets.topClasses(before, after, 10);
        assertEquals(List.of("a", "d", "c"), List.copyOf(top.fieldNames()));
        assertEquals(2000.0, top.getDouble("a"));
        assertEquals(300.0, top.getDouble("d"));
        assertEquals(50.0, top.getDouble("c"));
    }
}
