package dev.herald.bench;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fan-out: {@code fanout} sockets spread over every node, all subscribed to one pony, which is then
 * destroyed once: how long subscribing took, and when the last socket heard of the destroy.
 */
final class FanOut {
    private FanOut() {
    }

    static JsonObject run(BenchContext bench) {
        int sockets = bench.option("fanout");
        List<Long> ids = bench.seed(1);
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Subscribers subscribers = new Subscribers(bench.vertx(), sentAt);
        long openStart = System.nanoTime();
        subscribers.open(sockets, bench.ports(), bench.token(), ids);
        long opened = System.nanoTime() - openStart;
        long sent = System.nanoTime();
        sentAt.put(ids.get(0), sent);
        int status = bench.destroy(ids.get(0)).await();
        BenchContext.awaitDeliveries(subscribers, sockets);
        JsonObject result = new JsonObject().put("sockets", sockets).put("nodes", bench.ports().size()).put("status", status)
                .put("subscribe_all_s", Math.round(Stats.seconds(opened) * 10) / 10.0)
                .put("last_delivery_ms", Stats.millis(subscribers.lastArrival() - sent))
                .put("delivery_latency", subscribers.latency().summary())
                .put("lost_notifications", sockets - subscribers.received())
                .put("duplicate_notifications", subscribers.duplicates());
        subscribers.close();
        return result;
    }
}
