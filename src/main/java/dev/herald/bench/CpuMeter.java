package dev.herald.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time by process over a phase: each node, the PostgreSQL server and the driver itself, which
 * shares the machine with them. The PostgreSQL server is the bench's embedded one (its postmaster,
 * found by its data directory, and every process it started); with {@code HERALD_PG_URL} it is every
 * live process running a {@code postgres} binary on this machine. Each process counts the CPU it spent
 * between the two samples: one that ended in between is left out, and one that started in between counts
 * whole, so another build's PostgreSQL that ends during a phase no longer makes the figure negative (it
 * did, when only the totals were compared).
 */
final class CpuMeter {
    private final List<Process> nodes;
    private final Optional<String> databaseDir;
    private final Map<String, Duration> start;
    private final Map<Long, Duration> postgresStart;
    private final List<ThreadCpu> nodeThreads;

    private CpuMeter(List<Process> nodes, Optional<String> databaseDir) {
        this.nodes = nodes;
        this.databaseDir = databaseDir;
        this.nodeThreads = nodes.stream().map(p -> ThreadCpu.start(p.pid())).toList();
        this.start = sample();
        this.postgresStart = postgres();
    }

    static CpuMeter start(BenchContext bench) {
        return new CpuMeter(bench.nodes(), bench.databaseDir());
    }

    /** CPU time since the start, by process group, in a stable order. */
    Map<String, Duration> spent() {
        Map<String, Duration> result = new LinkedHashMap<>();
        Map<String, Duration> now = sample();
        Map<Long, Duration> postgresNow = postgres();
        now.forEach((name, cpu) -> result.put(name, cpu.minus(start.getOrDefault(name, Duration.ZERO))));
        result.put("postgresql", postgresNow.entrySet().stream()
                .map(e -> e.getValue().minus(postgresStart.getOrDefault(e.getKey(), Duration.ZERO)))
                .filter(d -> !d.isNegative()).reduce(Duration.ZERO, Duration::plus));
        Duration driver = result.remove("driver");
        result.put("driver", driver);
        return result;
    }

    /** Milliseconds of CPU per operation since the start, by process group, in a stable order. */
    Map<String, Double> perOperation(long operations) {
        Map<String, Double> result = new LinkedHashMap<>();
        spent().forEach((name, cpu) -> result.put(name, Math.round(cpu.toNanos() / 1e4 / operations) / 100.0));
        return result;
    }

    /** Each node's milliseconds of CPU per operation since the start, by kind of thread ({@link ThreadCpu}). */
    Map<String, Map<String, Double>> perOperationByThread(long operations) {
        Map<String, Map<String, Double>> result = new LinkedHashMap<>();
        for (int i = 0; i < nodeThreads.size(); i++) {
            Map<String, Double> byKind = new LinkedHashMap<>();
            nodeThreads.get(i).spent().forEach((kind, nanos) -> byKind.put(kind, Math.round(nanos / 1e4 / operations) / 100.0));
            result.put("node " + (i + 1), byKind);
        }
        return result;
    }

    private Map<String, Duration> sample() {
        Map<String, Duration> cpu = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            cpu.put("node " + (i + 1), cpuOf(nodes.get(i).toHandle()));
        }
        cpu.put("driver", cpuOf(ProcessHandle.current()));
        return cpu;
    }

    /** CPU so far of each PostgreSQL process, by pid. */
    private Map<Long, Duration> postgres() {
        Map<Long, Duration> cpu = new HashMap<>();
        processes().forEach(p -> cpu.put(p.pid(), cpuOf(p)));
        return cpu;
    }

    private Stream<ProcessHandle> processes() {
        if (databaseDir.isPresent()) {
            Optional<ProcessHandle> postmaster = ProcessHandle.allProcesses().filter(CpuMeter::isPostgres)
                    .filter(p -> p.info().arguments().map(a -> List.of(a).contains(databaseDir.get())).orElse(false))
                    .findFirst();
            if (postmaster.isPresent()) {
                return Stream.concat(Stream.of(postmaster.get()), postmaster.get().descendants());
            }
        }
        return ProcessHandle.allProcesses().filter(CpuMeter::isPostgres);
    }

    private static boolean isPostgres(ProcessHandle p) {
        return p.info().command().map(c -> c.endsWith("/postgres")).orElse(false);
    }

    private static Duration cpuOf(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }
}
