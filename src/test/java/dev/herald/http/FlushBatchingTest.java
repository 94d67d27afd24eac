package dev.herald.http;

import dev.herald.testing.Tier;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One flush per event-loop task: installed on every connection of this Vert.x, and what a task writes
 * outside a read (a notification burst, an answer from the database) still all goes out.
 */
@Tier.Unit
class FlushBatchingTest {
    private static final int WRITES = 1000;
    private Vertx vertx;
    private HttpServer server;
    private final CompletableFuture<Boolean> installed = new CompletableFuture<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .connectionHandler(connection -> installed.complete(FlushBatching.install(connection)))
                .webSocketHandler(ws -> vertx.setTimer(10, t -> {
                    for (int i = 0; i < WRITES; i++) {
                        ws.writeTextMessage("frame " + i);
                    }
                }))
                .requestHandler(request -> vertx.setTimer(10, t -> {
                    request.response().setChunked(true);
                    for (int i = 0; i < WRITES; i++) {
                        request.response().write("chunk " + i + "\n");
                    }
                    request.response().end("done\n");
                }))
                .listen().await();
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    @Test
    void everyFrameOfABurstWrittenOutsideAReadArrives() throws Exception {
        WebSocketClient client = vertx.createWebSocketClient();
        AtomicInteger frames = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        client.connect(server.actualPort(), "127.0.0.1", "/").await().textMessageHandler(text -> {
            if (frames.incrementAndGet() == WRITES) {
                all.complete(null);
            }
        });
        all.get(10, TimeUnit.SECONDS);
        assertTrue(installed.get(1, TimeUnit.SECONDS), "this Vert.x lets the batching in");
        assertEquals(WRITES, frames.get());
    }

    @Test
    void aResponseWrittenOutsideAReadArrivesWhole() throws Exception {
        Buffer body = vertx.createHttpClient(new HttpClientOptions())
                .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
                .compose(request -> request.send().compose(response -> response.body()))
                .await();
        assertTrue(installed.get(1, TimeUnit.SECONDS), "this Vert.x lets the batching in");
        String text = body.toString();
        assertTrue(text.endsWith("chunk " + (WRITES - 1) + "\ndone\n"), text.substring(Math.max(0, text.length() - 40)));
        assertEquals(WRITES + 1, text.lines().count());
    }
}
