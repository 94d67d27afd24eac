package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A node's CPU by kind of thread (Linux: {@code /proc/<pid>/task/<tid>/schedstat}, nanoseconds on CPU,
 * and the thread's name from {@code comm}): what a JFR execution profile cannot show, because it samples
 * only threads running Java code: the collector, the compiler, and the system calls of the event loops.
 * Like {@link CpuMeter}, a thread that ended between two samples is left out and one that started counts
 * whole. Empty where {@code /proc} has no such files.
 */
final class ThreadCpu {
    /** The kinds, in the order they are printed; a thread's kind comes from the start of its name. */
    static final String EVENT_LOOPS = "event loops";
    static final String GC = "GC";
    static final String COMPILER = "compiler";
    static final String HAZELCAST = "Hazelcast";
    static final String OTHER = "other";

    private final long pid;
    private final Map<Long, Long> start;

    private ThreadCpu(long pid) {
        this.pid = pid;
        this.start = sample(pid);
    }

    static ThreadCpu start(long pid) {
        return new ThreadCpu(pid);
    }

    /** Nanoseconds on CPU since the start, by kind, every kind present (zero when none ran). */
    Map<String, Long> spent() {
        Map<String, Long> byKind = new LinkedHashMap<>();
        for (String kind : new String[] {EVENT_LOOPS, GC, COMPILER, HAZELCAST, OTHER}) {
            byKind.put(kind, 0L);
        }
        Map<Long, Long> now = sample(pid);
        now.forEach((tid, nanos) -> {
            long spent = nanos - start.getOrDefault(tid, 0L);
            if (spent > 0) {
                byKind.merge(kind(name(pid, tid)), spent, Long::sum);
            }
        });
        return byKind;
    }

    /** The kind of a thread by its name (Linux keeps its first 15 characters). */
    static String kind(String name) {
        if (name.startsWith("vert.x-eventloo")) {
            return EVENT_LOOPS;
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
            return GC;
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return COMPILER;
        }
        if (name.startsWith("hz.")) {
            return HAZELCAST;
        }
        return OTHER;
    }

    private static Map<Long, Long> sample(long pid) {
        Map<Long, Long> cpu = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String schedstat = Files.readString(task.resolve("schedstat"));
                    cpu.put(Long.parseLong(task.getFileName().toString()), Long.parseLong(schedstat.substring(0, schedstat.indexOf(' '))));
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read, or no schedstat here: it does not count
                }
            });
        } catch (IOException | RuntimeException e) {
            // the process is gone, or this is not Linux: nothing to report
        }
        return cpu;
    }

    private static String name(long pid, long tid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
