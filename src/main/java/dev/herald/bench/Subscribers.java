package dev.herald.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
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
        Fields frame = Fields.of(data);
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
        Long sent = sentAt.get(frame.id());
        if (sent != null) {
            latency.add(now - sent);
        }
        lastArrival.accumulateAndGet(now, Math::max);
    }

    /**
     * A frame's {@code address}, {@code body.verb} and {@code body.id}, read with the streaming parser
     * and the rest skipped: the driver shares the machine with the nodes, so it spends as little as it can.
     */
    private record Fields(String address, String verb, long id) {
        private static final JsonFactory JSON = new JsonFactory();

        static Fields of(Buffer data) {
            String address = null;
            String verb = null;
            long id = -1;
            try (JsonParser p = JSON.createParser(data.getBytes())) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return new Fields(null, null, -1);
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals("address") && value == JsonToken.VALUE_STRING) {
                        address = p.getText();
                    } else if (name.equals("body") && value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            JsonToken v = p.nextToken();
                            if (field.equals("verb") && v == JsonToken.VALUE_STRING) {
                                verb = p.getText();
                            } else if (field.equals("id") && v == JsonToken.VALUE_NUMBER_INT) {
                                id = p.getLongValue();
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } catch (IOException e) {
                return new Fields(null, null, -1);
            }
            return new Fields(address, verb, id);
        }
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
