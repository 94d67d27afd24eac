package dev.herald.bench;

import dev.herald.cluster.LocalCluster;
import dev.herald.config.HeraldConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench abuse [--sockets N] [--seconds S]}: what one misbehaving client can still do to one node
 * under Herald's limits. One node (its own JVM, C1, on an embedded PostgreSQL) with
 * {@code HERALD_MAX_SOCKETS=N}; the node's resident memory, CPU and open file descriptors are read from
 * {@code /proc} before and after each phase:
 * <ol>
 *   <li>flood: one socket sends virtual GET requests as fast as it can for S seconds (it is refused past
 *       its rate and closed after 10 s of that), while a polite socket's whoami round trips are timed;</li>
 *   <li>cap: sockets opened up to the cap, then more, each subscribed to one record and never reading;</li>
 *   <li>stuffing: that record is updated with 10 KiB values while none of those sockets reads.</li>
 * </ol>
 * Linux only ({@code /proc}); prints the figures.
 */
final class AbuseBench {
    private static final String MODELS = "pony:\n  attributes:\n    name: { type: string }\n";

    private AbuseBench() {
    }

    static int run(List<String> args) throws Exception {
        int sockets = 1000;
        int seconds = 15;
        for (int i = 0; i + 1 < args.size(); i += 2) {
            switch (args.get(i)) {
                case "--sockets" -> sockets = Integer.parseInt(args.get(i + 1));
                case "--seconds" -> seconds = Integer.parseInt(args.get(i + 1));
                default -> throw new IllegalArgumentException("usage: bench abuse [--sockets N] [--seconds S]");
            }
        }
        Path dir = Files.createTempDirectory("herald-abuse");
        Files.writeString(dir.resolve("models.yaml"), MODELS);
        String secret = UUID.randomUUID() + "-" + UUID.randomUUID();
        HeraldConfig config = HeraldConfig.fromEnv(Map.of("HERALD_DATA_DIR", dir.toString(), "HERALD_JWT_SECRET", secret,
                "HERALD_CLUSTER_NAME", "herald-abuse-" + UUID.randomUUID(), "HERALD_DEMO_DATA", "false"));
        int port = freePort();
        System.out.println("starting PostgreSQL and one node (HERALD_MAX_SOCKETS=" + sockets + ") ...");
        try (LocalCluster node = LocalCluster.start(config, 1, port, Map.of("HERALD_MODELS", dir.resolve("models.yaml").toString(),
                "HERALD_HTTP_HOST", "127.0.0.1", "HERALD_CLUSTER_PORT", String.valueOf(freePort()),
                "HERALD_MAX_SOCKETS", String.valueOf(sockets)), false)) {
            Vertx vertx = Vertx.vertx();
            try {
                String token = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
                        .setAlgorithm("HS256").setBuffer(secret))).generateToken(new JsonObject().put("permissions",
                        new JsonArray().add("*:*")), new JWTOptions().setExpiresInSeconds(3600).setSubject("abuse"));
                awaitUp(port);
                new Phases(vertx, port, token, node.nodes().get(0).pid(), sockets, seconds).run();
            } finally {
                vertx.close().await();
            }
        }
        return 0;
    }

    private record Phases(Vertx vertx, int port, String token, long pid, int cap, int seconds) {
        void run() throws Exception {
            long record = create(new JsonObject().put("name", "hot"));
            System.out.println("idle node: " + Sample.of(pid));
            flood();
            List<WebSocket> open = capped(record);
            stuff(record, open);
            open.forEach(ws -> ws.close());
        }

        /** One socket sending as fast as its connection allows; a polite one measures round trips meanwhile. */
        void flood() throws Exception {
            WebSocketClient client = vertx.createWebSocketClient();
            WebSocket polite = client.connect(port, "127.0.0.1", "/realtime/websocket?access_token=" + token).await();
            List<Long> before = roundTrips(polite, 50);
            WebSocket abuser = client.connect(port, "127.0.0.1", "/realtime/websocket?access_token=" + token).await();
            AtomicLong refused = new AtomicLong();
            AtomicLong answered = new AtomicLong();
            abuser.handler(data -> (data.toString().contains("\"failureCode\":429") ? refused : answered).incrementAndGet());
            java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
            abuser.closeHandler(v -> closed.set(true));
            Sample start = Sample.of(pid);
            long began = System.nanoTime();
            long sent = 0;
            String frame = new JsonObject().put("type", "send").put("address", "herald.request").put("replyAddress", "r")
                    .put("body", new JsonObject().put("method", "GET").put("url", "/pony")).encode();
            List<Long> during = new ArrayList<>();
            while (!closed.get() && System.nanoTime() - began < TimeUnit.SECONDS.toNanos(seconds)) {
                try {
                    for (int i = 0; i < 200 && !closed.get(); i++) {
                        abuser.writeTextMessage(frame);
                        sent++;
                    }
                    while (!closed.get() && abuser.writeQueueFull()) {
                        Thread.sleep(1);
                    }
                } catch (IllegalStateException closedMeanwhile) {
                    closed.set(true);
                    break;
                }
                if (sent % 20_000 < 200) {
                    during.addAll(roundTrips(polite, 5));
                }
            }
            double wall = (System.nanoTime() - began) / 1e9;
            Sample end = Sample.of(pid);
            System.out.printf("flood: %d frames in %.1f s (%.0f/s), %d answered, %d refused with 429, closed by the node: %s%n",
                    sent, wall, sent / wall, answered.get(), refused.get(), closed.get());
            System.out.printf("flood: node CPU %.2f cores, %s%n", (end.cpuMillis - start.cpuMillis) / 1000.0 / wall, end.minus(start));
            System.out.printf("polite socket whoami round trip: median %.2f ms before, %.2f ms during the flood%n",
                    median(before), median(during));
            abuser.close();
            polite.close();
            client.close();
        }

        List<Long> roundTrips(WebSocket socket, int count) throws Exception {
            List<Long> nanos = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                io.vertx.core.Promise<Void> reply = io.vertx.core.Promise.promise();
                socket.handler(data -> reply.tryComplete());
                long t = System.nanoTime();
                socket.writeTextMessage(new JsonObject().put("type", "send").put("address", "herald.whoami")
                        .put("replyAddress", "w" + i).put("body", new JsonObject()).encode());
                reply.future().await(10, TimeUnit.SECONDS);
                nanos.add(System.nanoTime() - t);
            }
            return nanos;
        }

        /** Sockets up to the cap and 10 more, each subscribed to the record and then never read. */
        List<WebSocket> capped(long record) throws Exception {
            WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(cap + 100));
            Sample start = Sample.of(pid);
            List<WebSocket> open = new ArrayList<>();
            int refused = 0;
            int unanswered = 0;
            int firstRefused = -1;
            String subscribe = new JsonObject().put("type", "send").put("address", "herald.subscribe").put("replyAddress", "s")
                    .put("body", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(record))).encode();
            for (int i = 0; i < cap + 10; i++) {
                WebSocket ws = client.connect(port, "127.0.0.1", "/realtime/websocket?access_token=" + token).await();
                io.vertx.core.Promise<String> first = io.vertx.core.Promise.promise();
                try {
                    ws.handler(data -> first.tryComplete(data.toString()));
                    ws.writeTextMessage(subscribe);
                } catch (IllegalStateException closedAtOnce) {
                    // refused: the node's 503 and its close came before our handler
                    refused++;
                    firstRefused = firstRefused < 0 ? i + 1 : firstRefused;
                    continue;
                }
                String answer;
                try {
                    answer = first.future().await(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    System.out.println("cap: socket " + (i + 1) + " got no answer within 30 s (closed: " + ws.isClosed() + ")");
                    unanswered++;
                    continue;
                }
                if (answer.contains("\"failureCode\":503")) {
                    refused++;
                    firstRefused = firstRefused < 0 ? i + 1 : firstRefused;
                    ws.close();
                } else {
                    ws.pause();
                    open.add(ws);
                }
            }
            Sample end = Sample.of(pid);
            System.out.printf("cap: %d sockets open and subscribed, %d refused (the first: socket %d), %d unanswered; node %s%n",
                    open.size(), refused, firstRefused, unanswered, end.minus(start));
            System.out.printf("cap: per open socket %.1f KiB resident, %.2f file descriptors%n",
                    (end.rssKiB - start.rssKiB) / (double) open.size(), (end.fds - start.fds) / (double) open.size());
            return open;
        }

        /** Updates of the record the unread sockets are subscribed to: what the node holds for them. */
        void stuff(long record, List<WebSocket> open) throws Exception {
            Sample start = Sample.of(pid);
            String big = "x".repeat(10 * 1024);
            int updates = 20;
            for (int i = 0; i < updates; i++) {
                patch(record, new JsonObject().put("name", big + i));
            }
            Thread.sleep(2000);
            Sample end = Sample.of(pid);
            long offered = (long) updates * open.size() * big.length() * 2;
            System.out.printf("stuffing: %d updates of %d KiB to %d sockets that read nothing (%.0f MiB of frames offered); node %s%n",
                    updates, big.length() / 1024, open.size(), offered / 1048576.0, end.minus(start));
            long closed = open.stream().filter(ws -> ws.isClosed()).count();
            System.out.println("stuffing: sockets closed by the node for not reading: " + closed);
        }

        long create(JsonObject values) throws Exception {
            return new JsonObject(http("POST", "/pony", values).body()).getLong("id");
        }

        void patch(long id, JsonObject values) throws Exception {
            http("PATCH", "/pony/" + id, values);
        }

        HttpResponse<String> http(String method, String path, JsonObject body) throws Exception {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .method(method, HttpRequest.BodyPublishers.ofString(body.encode()))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /** What {@code /proc} says of a process: resident memory, CPU time, open file descriptors. */
    private record Sample(long rssKiB, long cpuMillis, long fds) {
        static Sample of(long pid) throws IOException {
            long rss = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
            long cpu = ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toMillis).orElse(0L);
            long fds;
            try (var list = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
                fds = list.count();
            }
            return new Sample(rss, cpu, fds);
        }

        String minus(Sample start) {
            return String.format("resident %+.1f MiB (now %.0f MiB), CPU %.1f s, file descriptors %+d (now %d)",
                    (rssKiB - start.rssKiB) / 1024.0, rssKiB / 1024.0, (cpuMillis - start.cpuMillis) / 1000.0, fds - start.fds, fds);
        }

        @Override
        public String toString() {
            return String.format("resident %.0f MiB, %d file descriptors", rssKiB / 1024.0, fds);
        }
    }

    private static double median(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = nanos.stream().sorted().toList();
        return sorted.get(sorted.size() / 2) / 1e6;
    }

    private static void awaitUp(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                if (HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the node did not come up within 120 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
