package dev.herald.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SockJS raw-WebSocket sockets subscribed to Haystack entities (address {@code entity}), counting the
 * {@code destroyed} messages of one round: how many each socket received, how many of them carried
 * {@code previous}, duplicates, and when the last one arrived.
 */
final class EntitySockets {
    private static final int IDS_PER_FRAME = 1000;

    private final WebSocketClient client;
    private final List<Socket> sockets = new ArrayList<>();
    private final AtomicLong lastArrival = new AtomicLong();
    private final AtomicLong arrived = new AtomicLong();
    private volatile Promise<Void> allArrived;
    private volatile long expected;

    /** One socket's counts for the round in progress; touched only on its event loop, read after the round. */
    private static final class Socket {
        final WebSocket ws;
        final Map<String, Promise<Void>> replies = new ConcurrentHashMap<>();
        final Set<String> seen = new HashSet<>();
        long destroyed;
        long withPrevious;
        long duplicates;

        Socket(WebSocket ws) {
            this.ws = ws;
        }
    }

    EntitySockets(Vertx vertx) {
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(4 * 1024 * 1024)
                .setMaxMessageSize(4 * 1024 * 1024));
    }

    /** Opens {@code count} sockets, round-robin over {@code ports}. */
    void open(int count, List<Integer> ports, String token) {
        List<Future<?>> opened = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            opened.add(client.connect(ports.get(i % ports.size()), "127.0.0.1", "/realtime/websocket?access_token=" + token)
                    .map(ws -> {
                        Socket s = new Socket(ws);
                        ws.textMessageHandler(text -> onFrame(s, Buffer.buffer(text)));
                        ws.binaryMessageHandler(data -> onFrame(s, data));
                        synchronized (sockets) {
                            sockets.add(s);
                        }
                        return s;
                    }));
        }
        Future.all(opened).await();
    }

    /** Subscribes every socket to {@code ids} and resets the counts: the round expects one destroyed per id per socket. */
    void subscribe(List<String> ids) {
        List<Future<?>> replies = new ArrayList<>();
        for (Socket s : sockets) {
            for (int from = 0; from < ids.size(); from += IDS_PER_FRAME) {
                String reply = "s" + from;
                Promise<Void> promise = Promise.promise();
                s.replies.put(reply, promise);
                replies.add(promise.future());
                s.ws.writeTextMessage(new JsonObject().put("type", "send").put("address", "herald.subscribe").put("replyAddress", reply)
                        .put("body", new JsonObject().put("model", "entity")
                                .put("ids", new JsonArray(new ArrayList<>(ids.subList(from, Math.min(ids.size(), from + IDS_PER_FRAME))))))
                        .encode());
            }
        }
        await(Future.all(replies).mapEmpty(), "the subscriptions");
        for (Socket s : sockets) {
            s.seen.clear();
            s.destroyed = 0;
            s.withPrevious = 0;
            s.duplicates = 0;
        }
        lastArrival.set(0);
        arrived.set(0);
        allArrived = Promise.promise();
        expected = (long) ids.size() * sockets.size();
    }

    /** Waits (at most a minute) until every socket has received one destroyed per subscribed id. */
    void awaitAll() {
        await(allArrived.future(), "the destroyed messages");
    }

    private static void await(Future<Void> done, String what) {
        try {
            done.await(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(what + " did not all arrive within 60 s");
        }
    }

    private void onFrame(Socket s, Buffer data) {
        long now = System.nanoTime();
        BridgeFrame frame = BridgeFrame.of(data);
        Promise<Void> reply = frame.address() == null ? null : s.replies.remove(frame.address());
        if (reply != null) {
            reply.complete();
            return;
        }
        if (!"entity".equals(frame.address()) || !"destroyed".equals(frame.verb())) {
            return;
        }
        synchronized (s) {
            if (!s.seen.add(String.valueOf(frame.id()))) {
                s.duplicates++;
                return;
            }
            s.destroyed++;
            if (frame.previous()) {
                s.withPrevious++;
            }
        }
        lastArrival.accumulateAndGet(now, Math::max);
        if (arrived.incrementAndGet() == expected) {
            allArrived.tryComplete();
        }
    }

    long lastArrival() {
        return lastArrival.get();
    }

    /** Destroyed messages received in the round, over every socket. */
    long destroyed() {
        return sockets.stream().mapToLong(s -> s.destroyed).sum();
    }

    long withPrevious() {
        return sockets.stream().mapToLong(s -> s.withPrevious).sum();
    }

    long duplicates() {
        return sockets.stream().mapToLong(s -> s.duplicates).sum();
    }

    int size() {
        return sockets.size();
    }

    void close() {
        sockets.forEach(s -> s.ws.close());
        client.close();
    }
}
