package dev.herald.records;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * SQL text built from the models once and reused (one cache per set of models, so nodes or tests with
 * other models never share it). The PostgreSQL client caches the prepared statements by this text.
 */
final class Statements {
    private final Map<String, String> texts = new ConcurrentHashMap<>();

    String get(String key, Supplier<String> build) {
        return texts.computeIfAbsent(key, k -> build.get());
    }
}
