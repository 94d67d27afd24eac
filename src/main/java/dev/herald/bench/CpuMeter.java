package dev.herald.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time by process over a phase: each node, the local PostgreSQL server (every live process
 * running a {@code postgres} binary: the bench's embedded one, unless {@code HERALD_PG_URL} points
 * elsewhere) and the driver itself, which shares the machine with them.
 */
final class CpuMeter {
    private final List<Process> nodes;
    private final Map<String, Duration> start;

    private CpuMeter(List<Process> nodes) {
        this.nodes = nodes;
        this.start = sample();
    }

    static CpuMeter start(List<Process> nodes) {
        return new CpuMeter(nodes);
    }

    /** CPU time since the start, by process group, in a stable order. */
    Map<String, Duration> spent() {
        Map<String, Duration> result = new LinkedHashMap<>();
        sample().forEach((name, cpu) -> result.put(name, cpu.minus(start.getOrDefault(name, Duration.ZERO))));
        return result;
    }

    /** Milliseconds of CPU per operation since the start, by process group, in a stable order. */
    Map<String, Double> perOperation(long operations) {
        Map<String, Double> result = new LinkedHashMap<>();
        sample().forEach((name, cpu) -> result.put(name,
                Math.round(cpu.minus(start.getOrDefault(name, Duration.ZERO)).toNanos() / 1e4 / operations) / 100.0));
        return result;
    }

    private Map<String, Duration> sample() {
        Map<String, Duration> cpu = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            cpu.put("node " + (i + 1), cpuOf(nodes.get(i).toHandle()));
        }
        cpu.put("postgresql", ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .map(CpuMeter::cpuOf).reduce(Duration.ZERO, Duration::plus));
        cpu.put("driver", cpuOf(ProcessHandle.current()));
        return cpu;
    }

    private static Duration cpuOf(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }
}
