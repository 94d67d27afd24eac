package dev.herald.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadCpuTest {

    @Test
    void namesEachKindOfThreadByTheFifteenCharactersLinuxKeeps() {
        assertEquals(ThreadCpu.EVENT_LOOPS, ThreadCpu.kind("vert.x-eventloo"));
        assertEquals(ThreadCpu.GC, ThreadCpu.kind("GC Thread#1"));
        assertEquals(ThreadCpu.GC, ThreadCpu.kind("G1 Conc#0"));
        assertEquals(ThreadCpu.GC, ThreadCpu.kind("G1 Refine#0"));
        assertEquals(ThreadCpu.COMPILER, ThreadCpu.kind("C1 CompilerThre"));
        assertEquals(ThreadCpu.COMPILER, ThreadCpu.kind("C2 CompilerThre"));
        assertEquals(ThreadCpu.HAZELCAST, ThreadCpu.kind("hz.herald-bench"));
        assertEquals(ThreadCpu.OTHER, ThreadCpu.kind("vert.x-internal"));
        assertEquals(ThreadCpu.OTHER, ThreadCpu.kind(""));
    }

    @Test
    void countsTheCpuOfAThreadThatStartedAfterTheFirstSampleUnderItsKind() throws InterruptedException {
        ThreadCpu meter = ThreadCpu.start(ProcessHandle.current().pid());
        Thread busy = new Thread(() -> {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            long spin = 0;
            while (System.nanoTime() < until) {
                spin++;
            }
            assertTrue(spin > 0);
        }, "vert.x-eventloop-thread-test");
        // the bench reads the nodes while they run: so does this
        busy.start();
        Thread.sleep(250);
        Map<String, Long> spent = meter.spent();
        busy.join();
        assertTrue(spent.get(ThreadCpu.EVENT_LOOPS) >= TimeUnit.MILLISECONDS.toNanos(20),
                "a thread named like an event loop spun for 250 ms: " + spent);
        assertEquals(java.util.List.of(ThreadCpu.EVENT_LOOPS, ThreadCpu.GC, ThreadCpu.COMPILER, ThreadCpu.HAZELCAST, ThreadCpu.OTHER,
                ThreadCpu.KERNEL), java.util.List.copyOf(spent.keySet()));
    }

    @Test
    void countsTheTimeAThreadSpendsInSystemCallsAsKernelTime() throws Exception {
        ThreadCpu meter = ThreadCpu.start(ProcessHandle.current().pid());
        java.nio.file.Path stat = java.nio.file.Path.of("/proc/self/stat");
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
        int reads = 0;
        while (System.nanoTime() < until) {
            // opening, reading and closing a /proc file is almost all kernel work
            reads += java.nio.file.Files.readAllBytes(stat).length > 0 ? 1 : 0;
        }
        Map<String, Long> spent = meter.spent();
        assertTrue(reads > 0);
        assertTrue(spent.get(ThreadCpu.KERNEL) > 0, "400 ms of system calls leave kernel time: " + spent);
        long all = spent.entrySet().stream().filter(e -> !e.getKey().equals(ThreadCpu.KERNEL)).mapToLong(Map.Entry::getValue).sum();
        assertTrue(spent.get(ThreadCpu.KERNEL) <= all + TimeUnit.MILLISECONDS.toNanos(20), "a part of the whole, within a tick: " + spent);
    }
}
