package dev.herald.it;

import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import dev.herald.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes in separate JVMs on one PostgreSQL: a destroy on any node reaches the sockets of every
 * node, exactly once, minus the requester; rooms retire everywhere; a node killed with -9 costs only
 * its own sockets; a late joiner delivers as soon as it is healthy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tier.Integration
class ClusterIT {
    static final String MODELS = """
            pet:
              attributes:
                name: { type: string }
                toys: { collection: toy, via: pet }
            toy:
              attributes:
                label: { type: string }
                pet:   { model: pet }
            badge:
              primaryKey: { type: string }
              attributes:
                label: { type: string }
            """;

    private ClusterNodes cluster;
    private Vertx vertx;
    private WebClient http;
    private final String token = Tokens.admin(ClusterNodes.SECRET);

    @BeforeAll
    void start() throws Exception {
        cluster = new ClusterNodes(MODELS);
        cluster.start(3, 3);
        vertx = Vertx.vertx();
        http = WebClient.create(vertx);
    }

    @AfterAll
    void stop() throws Exception {
        http.close();
        vertx.close().await();
        cluster.close();
    }

    private HttpResponse<Buffer> call(int node, HttpMethod method, String uri, JsonObject body) {
        var request = http.request(method, cluster.port(node), "127.0.0.1", uri).putHeader("Authorization", "Bearer " + token);
        return (body == null ? request.send() : request.sendJsonObject(body)).await();
    }

    private long create(int node, String model, JsonObject values) {
        var r = call(node, HttpMethod.POST, "/" + model, values);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return r.bodyAsJsonObject().getLong("id");
    }

    private TestSocket socket(int node) {
        return TestSocket.connect(vertx, cluster.port(node), "access_token=" + token);
    }

    private static void subscribe(TestSocket s, String model, Object... ids) {
        JsonObject reply = s.ask("herald.subscribe", new JsonObject().put("model", model).put("ids", new JsonArray(List.of(ids))), null);
        assertEquals(ids.length, reply.getJsonObject("body").getJsonArray("subscribed").size(), reply.encode());
    }

    @Test
    @Order(1)
    void aDestroyOverHttpOnOneNodeReachesSocketsOnTheOthersExactlyOnce() {
        long pet = create(0, "pet", new JsonObject().put("name", "Rex"));
        long toy = create(1, "toy", new JsonObject().put("label", "ball").put("pet", pet));
        try (TestSocket onB = socket(1); TestSocket onC = socket(2)) {
            subscribe(onB, "pet", pet);
            subscribe(onC, "pet", pet);
            subscribe(onC, "toy", toy);

            var destroyed = call(0, HttpMethod.DELETE, "/pet/" + pet, null);
            assertEquals(200, destroyed.statusCode());

            JsonObject expected = new JsonObject().put("verb", "destroyed").put("id", pet).put("previous", destroyed.bodyAsJsonObject());
            assertEquals(expected, onB.await(f -> "pet".equals(f.getString("address"))).getJsonObject("body"));
            assertEquals(expected, onC.await(f -> "pet".equals(f.getString("address"))).getJsonObject("body"));
            assertEquals(new JsonObject().put("verb", "updated").put("id", toy).put("data", new JsonObject().putNull("pet")),
                    onC.await(f -> "toy".equals(f.getString("address"))).getJsonObject("body"), "association messages cross nodes");
            assertTrue(onB.notifications("pet", 500).isEmpty(), "exactly once on B");
            assertTrue(onC.notifications("pet", 0).isEmpty(), "exactly once on C");
        }
    }

    @Test
    @Order(2)
    void aDestroyOverASocketExcludesTheRequesterOnlyAcrossNodes() {
        long pet = create(2, "pet", new JsonObject().put("name", "Tom"));
        try (TestSocket requester = socket(1); TestSocket neighbour = socket(1); TestSocket remote = socket(2)) {
            subscribe(requester, "pet", pet);
            subscribe(neighbour, "pet", pet);
            subscribe(remote, "pet", pet);

            JsonObject reply = requester.request("DELETE", "/pet/" + pet, null, null);
            assertEquals(200, reply.getInteger("statusCode"));

            assertEquals("destroyed", neighbour.await(f -> "pet".equals(f.getString("address"))).getJsonObject("body").getString("verb"));
            assertEquals("destroyed", remote.await(f -> "pet".equals(f.getString("address"))).getJsonObject("body").getString("verb"));
            assertTrue(requester.notifications("pet", 500).isEmpty());
        }
    }

    @Test
    @Order(3)
    void roomsRetireOnEveryNode() {
        try (TestSocket onA = socket(0); TestSocket onC = socket(2)) {
            assertEquals(200, call(1, HttpMethod.POST, "/badge", new JsonObject().put("id", "gold").put("label", "v1")).statusCode());
            subscribe(onA, "badge", "gold");
            subscribe(onC, "badge", "gold");
            assertEquals(200, call(1, HttpMethod.DELETE, "/badge/gold", null).statusCode());
            onA.await(f -> "badge".equals(f.getString("address")));
            onC.await(f -> "badge".equals(f.getString("address")));

            assertEquals(200, call(1, HttpMethod.POST, "/badge", new JsonObject().put("id", "gold").put("label", "v2")).statusCode());
            assertEquals(200, call(1, HttpMethod.PATCH, "/badge/gold", new JsonObject().put("label", "v3")).statusCode());
            assertTrue(onA.notifications("badge", 500).isEmpty());
            assertTrue(onC.notifications("badge", 0).isEmpty());
        }
    }

    @Test
    @Order(4)
    void aNodeThatJoinsLateDeliversAsSoonAsItIsHealthy() throws Exception {
        int late = cluster.start(1, 4).get(0);
        for (int node = 0; node < 3; node++) {
            ClusterNodes.awaitHealth(cluster.port(node), 4);
        }
        long pet = create(0, "pet", new JsonObject().put("name", "Late"));
        try (TestSocket onD = TestSocket.connect(vertx, late, "access_token=" + token)) {
            subscribe(onD, "pet", pet);
            assertEquals(200, call(0, HttpMethod.DELETE, "/pet/" + pet, null).statusCode());
            assertEquals("destroyed", onD.await(f -> "pet".equals(f.getString("address"))).getJsonObject("body").getString("verb"));
        }
    }

    @Test
    @Order(5)
    void killingANodeUnderAStreamOfDestroysCostsOnlyItsOwnSockets() throws Exception {
        int victim = 1;
        int survivor = 2;
        List<Long> pets = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            pets.add(create(0, "pet", new JsonObject().put("name", "p" + i)));
        }
        TestSocket onVictim = socket(victim);
        TestSocket onSurvivor = socket(survivor);
        try {
            subscribe(onVictim, "pet", pets.toArray());
            subscribe(onSurvivor, "pet", pets.toArray());

            Set<Long> acknowledged = new HashSet<>();
            List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
            for (int i = 0; i < pets.size(); i++) {
                long id = pets.get(i);
                inFlight.add(http.request(HttpMethod.DELETE, cluster.port(i % 2 == 0 ? 0 : survivor), "127.0.0.1", "/pet/" + id)
                        .putHeader("Authorization", "Bearer " + token).send()
                        .onSuccess(r -> {
                            if (r.statusCode() == 200) {
                                synchronized (acknowledged) {
                                    acknowledged.add(id);
                                }
                            }
                        }));
                if (i == 40) {
                    cluster.process(victim).kill();
                }
                if (i % 10 == 9) {
                    Future.join(inFlight).await();
                }
            }
            Future.join(inFlight).await();
            assertEquals(pets.size(), acknowledged.size(), "the surviving nodes kept serving");

            var remaining = call(0, HttpMethod.GET, "/pet?limit=1000&where=" + java.net.URLEncoder.encode(
                    "{\"id\":" + new JsonArray(new ArrayList<>(pets)).encode() + "}", java.nio.charset.StandardCharsets.UTF_8), null);
            assertEquals(new JsonArray(), remaining.bodyAsJsonArray(), "every acknowledged destroy is in the database");

            Set<Long> seen = onSurvivor.notifications("pet", 1000).stream()
                    .filter(m -> "destroyed".equals(m.getString("verb"))).map(m -> m.getLong("id")).collect(Collectors.toSet());
            assertEquals(new HashSet<>(pets), seen, "the survivor's socket heard every destroy");
            assertTrue(onVictim.isClosed() || !cluster.process(victim).isAlive());
        } finally {
            onVictim.close();
            onSurvivor.close();
        }

        long later = create(0, "pet", new JsonObject().put("name", "after"));
        try (TestSocket reconnected = socket(survivor)) {
            subscribe(reconnected, "pet", later);
            assertEquals(200, call(0, HttpMethod.DELETE, "/pet/" + later, null).statusCode());
            assertEquals("destroyed", reconnected.await(f -> "pet".equals(f.getString("address"))).getJsonObject("body").getString("verb"));
        }
        JsonObject health = ClusterNodes.health(cluster.port(0));
        assertEquals(200, health.getInteger("httpStatus"));
        assertFalse(health.getJsonObject("cluster").getInteger("members") > 3, "the dead node left the member list");
    }
}
