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
 * set from {@code /proc/<pid>/status}. Either figure is reported as unavailable where its tool is.
 */
final class IdleSockets {
    static final int RECORDS_PER_SOCKET = 10;
    private static final int POOL = 1000;
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private IdleSockets() {
    }

    static JsonObject run(BenchContext bench) {
        int sockets = bench.option("idle");
        List<Long> pool = bench.seed(POOL);
        Process node = bench.nodes().get(0);
        int port = bench.ports().get(0);
        Optional<Long> heapBefore = heapAfterGc(node.pid());
        Optional<Long> rssBefore = rss(node.pid());
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
        Optional<Long> rssAfter = rss(node.pid());
        JsonObject result = new JsonObject().put("sockets", sockets).put("records_per_socket", RECORDS_PER_SOCKET)
                .put("open_and_subscribe_s", Math.round(Stats.seconds(opened) * 10) / 10.0)
                .put("sessions_per_s", Math.round(sockets / Stats.seconds(opened)))
                .put("subscriptions_per_s", Math.round((long) sockets * RECORDS_PER_SOCKET / Stats.seconds(opened)));
        perSession(result, "heap_kb_per_session", heapBefore, heapAfter, sockets);
        perSession(result, "rss_kb_per_session", rssBefore, rssAfter, sockets);
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

    /** The node's used heap right after a full collection, in KiB. */
    private static Optional<Long> heapAfterGc(long pid) {
        Optional<Path> jcmd = ProcessHandle.current().info().command().map(java -> Path.of(java).resolveSibling("jcmd"))
                .filter(Files::isExecutable);
        if (jcmd.isEmpty() || jcmd(jcmd.get(), pid, "GC.run").isEmpty()) {
            return Optional.empty();
        }
        return jcmd(jcmd.get(), pid, "GC.heap_info").flatMap(info -> {
            Matcher m = USED.matcher(info);
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
