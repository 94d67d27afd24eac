package dev.herald.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real SockJS client on the raw WebSocket transport ({@code /realtime/websocket}): sends bridge frames
 * and collects every frame the server sends, for assertions.
 */
public final class TestSocket implements AutoCloseable {
    private final WebSocketClient client;
    private final WebSocket socket;
    private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    private final List<JsonObject> kept = new ArrayList<>();
    private volatile boolean closed;

    /** Handlers are attached on the event loop as the connection completes, so no early frame is lost. */
    private TestSocket(WebSocketClient client, WebSocket socket) {
        this.client = client;
        this.socket = socket;
        socket.textMessageHandler(text -> received.add(new JsonObject(text)));
        socket.binaryMessageHandler(data -> received.add(new JsonObject(data)));
        socket.closeHandler(v -> closed = true);
    }

    public static TestSocket connect(Vertx vertx, int port, String query) {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(4 * 1024 * 1024)
                .setMaxFrameSize(4 * 1024 * 1024));
        String uri = "/realtime/websocket" + (query == null ? "" : "?" + query);
        return client.connect(port, "127.0.0.1", uri).map(socket -> new TestSocket(client, socket)).await();
    }

    public void sendRaw(String text) {
        socket.writeTextMessage(text).await();
    }

    /** Sends unless the server has closed the socket (a write racing the close is let go). */
    public void sendRawIfOpen(String text) {
        if (!closed) {
            try {
                socket.writeTextMessage(text).await();
            } catch (RuntimeException e) {
                if (!closed) {
                    throw e;
                }
            }
        }
    }

    public void send(JsonObject frame) {
        sendRaw(frame.encode());
    }

    /** Sends to {@code address} with a fresh reply address and waits for the frame addressed to it. */
    public JsonObject ask(String address, Object body, String token) {
        String replyAddress = UUID.randomUUID().toString();
        JsonObject frame = new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress)
                .put("body", body);
        if (token != null) {
            frame.put("headers", new JsonObject().put("authorization", "Bearer " + token));
        }
        send(frame);
        return await(f -> replyAddress.equals(f.getString("address")));
    }

    /** A virtual request; returns the reply body {@code {statusCode, headers, body}}. */
    public JsonObject request(String method, String url, Object data, String token) {
        JsonObject reply = ask("herald.request", new JsonObject().put("method", method).put("url", url).put("data", data), token);
        if (!"rec".equals(reply.getString("type"))) {
            throw new AssertionError("expected a rec reply, got " + reply);
        }
        return reply.getJsonObject("body");
    }

    /** The next frame that matches, waiting up to 10 s; earlier non-matching frames are kept. */
    public JsonObject await(Predicate<JsonObject> wanted) {
        synchronized (kept) {
            for (int i = 0; i < kept.size(); i++) {
                if (wanted.test(kept.get(i))) {
                    return kept.remove(i);
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (System.nanoTime() < deadline) {
                JsonObject frame = received.poll(20, TimeUnit.MILLISECONDS);
                if (frame == null) {
                    continue;
                }
                if (wanted.test(frame)) {
                    return frame;
                }
                synchronized (kept) {
                    kept.add(frame);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("no matching frame within 10 s; other frames: " + kept);
    }

    /** Notifications (rec frames on a model address) received so far, after a pause for stragglers. */
    public List<JsonObject> notifications(String model, long pauseMillis) {
        try {
            Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<JsonObject> result = new ArrayList<>();
        synchronized (kept) {
            received.drainTo(kept);
            kept.removeIf(f -> {
                boolean match = "rec".equals(f.getString("type")) && model.equals(f.getString("address"));
                if (match) {
                    result.add(f.getJsonObject("body"));
                }
                return match;
            });
        }
        return result;
    }

    /**
     * The notification frames (whole, with their headers) on {@code model} that arrived before the last
     * {@link #ask} was answered and were not awaited: in arrival order.
     */
    public List<JsonObject> framesBeforeReply(String model) {
        List<JsonObject> result = new ArrayList<>();
        synchronized (kept) {
            kept.removeIf(f -> {
                boolean match = "rec".equals(f.getString("type")) && model.equals(f.getString("address"));
                if (match) {
                    result.add(f);
                }
                return match;
            });
        }
        return result;
    }

    /** Notification frames (whole, with their headers) on {@code model} received so far, after a pause for stragglers. */
    public List<JsonObject> notificationFrames(String model, long pauseMillis) {
        pause(pauseMillis);
        synchronized (kept) {
            received.drainTo(kept);
        }
        return framesBeforeReply(model);
    }

    /**
     * Every frame received so far and not yet taken by {@link #await} or {@link #notifications}, whole
     * (with its {@code headers}), in arrival order, after a pause for stragglers; they are taken.
     */
    public List<JsonObject> frames(long pauseMillis) {
        pause(pauseMillis);
        synchronized (kept) {
            received.drainTo(kept);
            List<JsonObject> all = new ArrayList<>(kept);
            kept.clear();
            return all;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Whether the server closed the socket within {@code seconds}. */
    public boolean awaitClosed(long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!closed && System.nanoTime() < deadline) {
            pause(10);
        }
        return closed;
    }

    /** The WebSocket close code the server sent (null until closed, or if it sent none). */
    public Short closeStatus() {
        return socket.closeStatusCode();
    }

    @Override
    public void close() {
        if (!closed) {
            socket.close();
        }
        client.close();
    }
}
