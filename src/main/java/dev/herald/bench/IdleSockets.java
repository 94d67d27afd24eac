package dev.herald.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Idle sockets: {@code idle} authenticated SockJS WebSocket sessions on the first node, each subscribed
 * to 10 records (of a pool of 1,000, so rooms are shared as in an application), then left idle. What
 * each session costs that node: its heap after a full GC and its resident set, before and after, divided
 * by the sessions; and how fast the sessions subscribed. The heap is read with the JDK's {@code jcmd}
 * ({@code GC.run}, then {@code GC.heap_info}) next to the {@code java} that runs the bench; the resident
 * set from {@code /proc/<pid>/status}. Either figure is reported as unavailable where its tool is. Also
 * reported: the heap the JVM keeps committed, per session, and what a session is made of, the classes
 * whose live bytes grew most ({@code GC.class_histogram} before and after).
 */
final class IdleSockets {
    static final int RECORDS_PER_SOCKET = 10;
    private static final int POOL = 1000;
    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final Pattern COMMITTED = Pattern.compile("total (\\d+)K");
    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");
    private static final int TOP_CLASSES = 15;
    private static final long UNCOMMIT_MS = 1500;

    private IdleSockets() {
    }

    static JsonObject run(BenchContext bench) {
        int sockets = bench.option("idle");
        List<Long> pool = bench.seed(POOL);
        Process node = bench.nodes().get(0);
        int port = bench.ports().get(0);
        Optional<Long> heapBefore = heapAfterGc(node.pid());
        Map<String, Long> classesBefore = histogram(node.pid());
        Optional<Long> rssBefore = rssOnceUncommitted(node.pid());
        Optional<Long> committedBefore = heapInfo(node.pid(), COMMITTED);
        Subscribers subscribers = new Subscribers(bench.vertx(), new ConcurrentHashMap<>(Map.of()));
        long start = System.nanoTime();
        subscribers.open(sockets, List.of(port), bench.token(), i -> {
            List<Long> ids = new ArrayList<>(RECORDS_PER_SOCKET);
            for (int k = 0; k < RECORDS_PER_SOCKET; k++) {
                ids.add(pool.get((i * RECORDS_PER_SOCKET + k) % pool.size()));
            }
            return ids;
        });
        long opened = System.nanoTime() - start;
        BenchContext.sleep(2000);
        Optional<Long> heapAfter = heapAfterGc(node.pid());
        Map<String, Long> classesAfter = histogram(node.pid());
        Optional<Long> rssAfter = rssOnceUncommitted(node.pid());
        Optional<Long> committedAfter = heapInfo(node.pid(), COMMITTED);
        JsonObject result = new JsonObject().put("sockets", sockets).put("records_per_socket", RECORDS_PER_SOCKET)
                .put("open_and_subscribe_s", Math.round(Stats.seconds(opened) * 10) / 10.0)
                .put("sessions_per_s", Math.round(sockets / Stats.seconds(opened)))
                .put("subscriptions_per_s", Math.round((long) sockets * RECORDS_PER_SOCKET / Stats.seconds(opened)));
        perSession(result, "heap_kb_per_session", heapBefore, heapAfter, sockets);
        perSession(result, "rss_kb_per_session", rssBefore, rssAfter, sockets);
        // what the resident set holds besides live objects: the heap the JVM keeps committed
        perSession(result, "heap_committed_kb_per_session", committedBefore, committedAfter, sockets);
        result.put("top_classes_bytes_per_session", topClasses(classesBefore, classesAfter, sockets));
        subscribers.close();
        return result;
    }

    private static void perSession(JsonObject result, String name, Optional<Long> beforeKb, Optional<Long> afterKb, int sockets) {
        if (beforeKb.isPresent() && afterKb.isPresent()) {
            result.put(name, Math.round((afterKb.get() - beforeKb.get()) * 10.0 / sockets) / 10.0);
        } else {
            result.putNull(name);
        }
    }

    /**
     * The classes whose live bytes grew most from {@code before} to {@code after}, per session, largest
     * first: what a session is made of ({@code GC.class_histogram} collects first, so only live objects count).
     */
    static JsonObject topClasses(Map<String, Long> before, Map<String, Long> after, int sockets) {
        JsonObject top = new JsonObject();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(TOP_CLASSES)
                .forEach(e -> top.put(e.getKey(), Math.round(e.getValue() * 10.0 / sockets) / 10.0));
        return top;
    }

    /** Live bytes by class ({@code jcmd GC.class_histogram}); empty where the tool is not available. */
    private static Map<String, Long> histogram(long pid) {
        Map<String, Long> bytes = new java.util.HashMap<>();
        jcmdPath().flatMap(jcmd -> jcmd(jcmd, pid, "GC.class_histogram")).ifPresent(out -> parseHistogram(out, bytes));
        return bytes;
    }

    /** Lines {@code "   1:   12345   678901  java.lang.String (java.base@17)"}: instances, bytes, class. */
    static void parseHistogram(String out, Map<String, Long> bytes) {
        for (String line : out.split("\n")) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.find()) {
                bytes.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
            }
        }
    }

    private static Optional<Path> jcmdPath() {
        return ProcessHandle.current().info().command().map(java -> Path.of(java).resolveSibling("jcmd"))
                .filter(Files::isExecutable);
    }

    /** The node's used heap right after a full collection, in KiB. */
    private static Optional<Long> heapAfterGc(long pid) {
        Optional<Path> jcmd = jcmdPath();
        if (jcmd.isEmpty() || jcmd(jcmd.get(), pid, "GC.run").isEmpty()) {
            return Optional.empty();
        }
        return heapInfo(pid, USED);
    }

    /** A figure of {@code GC.heap_info}, in KiB. */
    private static Optional<Long> heapInfo(long pid, Pattern figure) {
        return jcmdPath().flatMap(jcmd -> jcmd(jcmd, pid, "GC.heap_info")).flatMap(info -> {
            Matcher m = figure.matcher(info);
            return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
        });
    }

    private static Optional<String> jcmd(Path jcmd, long pid, String command) {
        try {
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The resident set a moment after the full collections above: G1 shrinks the heap after a full
     * collection but returns the memory to the system in the background (JDK 17), so read right away the
     * figure still holds the garbage of the sessions' opening.
     */
    private static Optional<Long> rssOnceUncommitted(long pid) {
        BenchContext.sleep(UNCOMMIT_MS);
        return rss(pid);
    }

    /** The node's resident set, in KiB. */
    private static Optional<Long> rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
