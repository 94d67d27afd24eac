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
 * whole. Besides the kinds, {@value #KERNEL}: the part of all of it spent in the kernel (system calls:
 * the sockets' writes and reads, which on loopback also carry the receiving side's TCP work), from the
 * threads' {@code stat} system time in clock ticks (Linux's {@code USER_HZ}, 100 a second). Zero where
 * {@code /proc} has no such files.
 */
final class ThreadCpu {
    /** The kinds, in the order they are printed; a thread's kind comes from the start of its name. */
    static final String EVENT_LOOPS = "event loops";
    static final String GC = "GC";
    static final String COMPILER = "compiler";
    static final String HAZELCAST = "Hazelcast";
    static final String OTHER = "other";
    static final String KERNEL = "of which in the kernel";
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final long pid;
    private final Map<Long, Long> start;
    private final Map<Long, Long> kernelStart;

    private ThreadCpu(long pid) {
        this.pid = pid;
        this.start = sample(pid);
        this.kernelStart = kernelTicks(pid);
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
        long kernel = 0;
        for (Map.Entry<Long, Long> t : kernelTicks(pid).entrySet()) {
            kernel += Math.max(0, t.getValue() - kernelStart.getOrDefault(t.getKey(), 0L)) * NANOS_PER_TICK;
        }
        byKind.put(KERNEL, kernel);
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
        // nanoseconds on CPU: the first field of schedstat
        return perThread(pid, "schedstat", text -> Long.parseLong(text.substring(0, text.indexOf(' '))));
    }

    /** Each thread's system time in clock ticks: field 15 of {@code stat}, counted after the name's closing parenthesis. */
    private static Map<Long, Long> kernelTicks(long pid) {
        return perThread(pid, "stat", text -> Long.parseLong(text.substring(text.lastIndexOf(')') + 2).split(" ")[12]));
    }

    /** A number read from one file of each thread of the process, by thread id; empty where there is none. */
    private static Map<Long, Long> perThread(long pid, String file, java.util.function.ToLongFunction<String> read) {
        Map<Long, Long> values = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    values.put(Long.parseLong(task.getFileName().toString()), read.applyAsLong(Files.readString(task.resolve(file))));
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read, or no such file here: it does not count
                }
            });
        } catch (IOException | RuntimeException e) {
            // the process is gone, or this is not Linux: nothing to report
        }
        return values;
    }

    private static String name(long pid, long tid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
