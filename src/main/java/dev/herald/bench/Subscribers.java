package dev.herald.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * SockJS raw-WebSocket subscribers spread over nodes: they subscribe to records and time each
 * {@code destroyed} against the moment its destroy was sent.
 */
final class Subscribers {
    private final WebSocketClient client;
    private final List<WebSocket> sockets = new ArrayList<>();
    private final Map<Long, Long> sentAt;
    private final Stats latency = new Stats();
    private final Map<String, Boolean> seen = new ConcurrentHashMap<>();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong lastArrival = new AtomicLong();

    Subscribers(Vertx vertx, Map<Long, Long> sentAt) {
        this.sentAt = sentAt;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(20_000)
                .setMaxMessageSize(4 * 1024 * 1024).setMaxFrameSize(4 * 1024 * 1024));
    }

    /** Opens {@code count} sockets, round-robin over {@code ports}, each subscribed to {@code ids}. */
    void open(int count, List<Integer> ports, String token, List<Long> ids) {
        open(count, ports, token, i -> ids);
    }

    /** Opens {@code count} sockets, round-robin over {@code ports}, socket {@code i} subscribed to {@code ids(i)}. */
    void open(int count, List<Integer> ports, String token, IntFunction<List<Long>> ids) {
        List<Future<?>> ready = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int port = ports.get(i % ports.size());
            int index = i;
            ready.add(client.connect(port, "127.0.0.1", "/realtime/websocket?access_token=" + token)
                    .compose(ws -> subscribe(ws, index, ids.apply(index))));
            if (ready.size() % 200 == 0) {
                Future.all(ready).await();
            }
        }
        Future.all(ready).await();
    }

    private Future<Void> subscribe(WebSocket ws, int index, List<Long> ids) {
        synchronized (sockets) {
            sockets.add(ws);
        }
        List<Future<?>> replies = new ArrayList<>();
        Map<String, io.vertx.core.Promise<Void>> pending = new ConcurrentHashMap<>();
        ws.binaryMessageHandler(data -> onFrame(index, data, pending));
        ws.textMessageHandler(text -> onFrame(index, Buffer.buffer(text), pending));
        for (int from = 0; from < ids.size(); from += 1000) {
            String reply = "s" + from;
            io.vertx.core.Promise<Void> promise = io.vertx.core.Promise.promise();
            pending.put(reply, promise);
            replies.add(promise.future());
            ws.writeTextMessage(new JsonObject().put("type", "send").put("address", "herald.subscribe").put("replyAddress", reply)
                    .put("body", new JsonObject().put("model", "pony")
                            .put("ids", new JsonArray(new ArrayList<>(ids.subList(from, Math.min(ids.size(), from + 1000))))))
                    .encode());
        }
        return Future.all(replies).mapEmpty();
    }

    private void onFrame(int socket, Buffer data, Map<String, io.vertx.core.Promise<Void>> pending) {
        long now = System.nanoTime();
        BridgeFrame frame = BridgeFrame.of(data);
        io.vertx.core.Promise<Void> promise = frame.address() == null ? null : pending.remove(frame.address());
        if (promise != null) {
            promise.complete();
            return;
        }
        if (!"pony".equals(frame.address()) || !"destroyed".equals(frame.verb())) {
            return;
        }
        if (seen.putIfAbsent(socket + ":" + frame.id(), Boolean.TRUE) != null) {
            duplicates.incrementAndGet();
            return;
        }
        Long sent = frame.id() instanceof Long id ? sentAt.get(id) : null;
        if (sent != null) {
            latency.add(now - sent);
        }
        lastArrival.accumulateAndGet(now, Math::max);
    }

    int received() {
        return seen.size();
    }

    long duplicates() {
        return duplicates.get();
    }

    Stats latency() {
        return latency;
    }

    long lastArrival() {
        return lastArrival.get();
    }

    void close() {
        synchronized (sockets) {
            sockets.forEach(WebSocket::close);
        }
        client.close();
    }
}
