package dev.herald.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bench --profile 1}: every node of the first set runs with Java Flight Recorder (its
 * {@code profile} settings with a CPU sample every millisecond, through {@code JAVA_TOOL_OPTIONS}), and once the nodes have stopped, the
 * CPU samples are split by the bench's phases (by time) and counted: per phase and node, the ten
 * methods most often on top of the stack, and the ten Herald methods most often the innermost Herald
 * frame (what Herald code, directly or through the libraries it calls, the samples are spent under;
 * generated lambda classes are skipped for the method that created them).
 */
final class Profile {
    static final int TOP = 10;
    private static final String SAMPLE = "jdk.ExecutionSample";

    private final Path dir;
    private final List<Phase> phases = new ArrayList<>();

    private record Phase(String name, Instant start, Instant end) {
    }

    Profile(Path dir) {
        this.dir = dir;
    }

    /** The environment that makes a node record; each node writes its own file into the directory. */
    Map<String, String> nodeEnvironment() {
        return Map.of("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=filename=" + dir.toAbsolutePath() + "/,settings=profile,jdk.ExecutionSample#period=1ms,dumponexit=true");
    }

    /** Runs one phase, remembering when it ran. */
    <T> T phase(String name, java.util.function.Supplier<T> run) {
        Instant start = Instant.now();
        try {
            return run.get();
        } finally {
            phases.add(new Phase(name, start, Instant.now()));
        }
    }

    /** The counts, once the nodes have stopped (their recordings are written at exit); {@code nodes}: pid to name. */
    JsonObject summary(Map<Long, String> nodes) throws IOException {
        JsonObject out = new JsonObject();
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(p -> p.toString().endsWith(".jfr")).sorted().toList();
        }
        Map<String, Map<String, Counts>> byPhase = new LinkedHashMap<>();
        phases.forEach(p -> byPhase.put(p.name(), new LinkedHashMap<>()));
        for (Path file : files) {
            String node = nodeOf(file, nodes);
            if (node == null) {
                continue;
            }
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals(SAMPLE) || e.getStackTrace() == null) {
                    continue;
                }
                Phase phase = phaseAt(e.getStartTime());
                if (phase != null) {
                    byPhase.get(phase.name()).computeIfAbsent(node, k -> new Counts()).add(e.getStackTrace());
                }
            }
        }
        byPhase.forEach((phase, counts) -> {
            JsonObject perNode = new JsonObject();
            counts.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(entry -> perNode.put(entry.getKey(), entry.getValue().summary()));
            out.put(phase, perNode);
        });
        return out;
    }

    private static String nodeOf(Path file, Map<Long, String> nodes) {
        for (Map.Entry<Long, String> n : nodes.entrySet()) {
            if (file.getFileName().toString().contains("pid-" + n.getKey() + "-")) {
                return n.getValue();
            }
        }
        return null;
    }

    private Phase phaseAt(Instant t) {
        for (Phase p : phases) {
            if (!t.isBefore(p.start()) && t.isBefore(p.end())) {
                return p;
            }
        }
        return null;
    }

    /** One node's samples in one phase. */
    private static final class Counts {
        int samples;
        final Map<String, Integer> top = new HashMap<>();
        final Map<String, Integer> herald = new HashMap<>();

        void add(RecordedStackTrace stack) {
            List<RecordedFrame> frames = stack.getFrames();
            if (frames.isEmpty()) {
                return;
            }
            samples++;
            top.merge(name(frames.get(0)), 1, Integer::sum);
            for (RecordedFrame f : frames) {
                String type = f.getMethod().getType().getName();
                if (type.startsWith("dev.herald.") && !type.contains("$$Lambda")) {
                    herald.merge(name(f), 1, Integer::sum);
                    break;
                }
            }
        }

        JsonObject summary() {
            return new JsonObject().put("samples", samples).put("top_frames", ranked(top)).put("herald_frames", ranked(herald));
        }

        private JsonArray ranked(Map<String, Integer> counts) {
            JsonArray out = new JsonArray();
            counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                    .limit(TOP).forEach(e -> out.add(String.format("%.1f%% %s", 100.0 * e.getValue() / samples, e.getKey())));
            return out;
        }

        private static String name(RecordedFrame f) {
            return f.getMethod().getType().getName() + "." + f.getMethod().getName();
        }
    }

    /** Prints the summary: per phase and node, the two top-ten lists. */
    static void print(JsonObject summary) {
        System.out.println();
        System.out.println("profile (JFR CPU samples per phase and node: methods on top of the stack | innermost Herald method)");
        summary.forEach(phase -> {
            JsonObject perNode = (JsonObject) phase.getValue();
            perNode.forEach(node -> {
                JsonObject n = (JsonObject) node.getValue();
                System.out.printf("%s, %s (%d samples)%n", phase.getKey(), node.getKey(), n.getInteger("samples"));
                JsonArray top = n.getJsonArray("top_frames");
                JsonArray herald = n.getJsonArray("herald_frames");
                for (int i = 0; i < Math.max(top.size(), herald.size()); i++) {
                    System.out.printf("  %-70s | %s%n", i < top.size() ? top.getString(i) : "", i < herald.size() ? herald.getString(i) : "");
                }
            });
        });
    }
}
