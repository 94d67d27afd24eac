package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * security.md, "Read permission covers what is shown": associations of a model the caller may not read are
 * bare ids, and are not subscribed to, on REST, in virtual requests and in notifications' records.
 */
@Tier.Component
class ReadPermissionTest {
    static final String MODELS = """
            store:
              attributes:
                name:     { type: string }
                manager:  { model: cashier }
                cashiers: { collection: cashier, via: store }
            cashier:
              attributes:
                name:   { type: string }
                store:  { model: store }
                shifts: { collection: shift, via: cashier }
            shift:
              attributes:
                hours:   { type: number }
                cashier: { model: cashier }
            """;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels(MODELS);

    private static long store;
    private static long alice;
    private static long bob;
    private static String storeOnly;

    @BeforeAll
    static void mintTokens() {
        storeOnly = node.token("auditor", "store:read", "store:update", "store:destroy");
    }

    private static void newStore() {
        store = node.create("store", new JsonObject().put("name", "Main"));
        alice = node.create("cashier", new JsonObject().put("name", "Alice").put("store", store));
        bob = node.create("cashier", new JsonObject().put("name", "Bob").put("store", store));
        node.create("shift", new JsonObject().put("hours", 8).put("cashier", alice));
        assertEquals(200, node.patch("/store/" + store, new JsonObject().put("manager", alice)).statusCode());
    }

    private static void assertAssociationsAreIds(JsonObject record) {
        assertEquals(alice, record.getLong("manager"), record.encode());
        assertEquals(new JsonArray().add(alice).add(bob), record.getJsonArray("cashiers"), record.encode());
    }

    @Test
    void restShowsUnreadableAssociationsAsBareIds() {
        newStore();
        assertAssociationsAreIds(json(node.call(io.vertx.core.http.HttpMethod.GET, "/store/" + store, null, storeOnly)));
        JsonArray found = node.call(io.vertx.core.http.HttpMethod.GET, "/store?id=" + store, null, storeOnly).bodyAsJsonArray();
        assertAssociationsAreIds(found.getJsonObject(0));
        JsonObject full = json(node.get("/store/" + store));
        assertEquals("Alice", full.getJsonObject("manager").getString("name"), "a reader of cashiers sees them populated");

        var destroyed = node.call(io.vertx.core.http.HttpMethod.DELETE, "/store/" + store, null, storeOnly);
        assertEquals(200, destroyed.statusCode(), destroyed.bodyAsString());
        assertAssociationsAreIds(json(destroyed));
    }

    @Test
    void aVirtualGetSubscribesOnlyToWhatTheTokenMayReadAndNotificationsShowItTheSameWay() {
        newStore();
        try (TestSocket limited = TestSocket.connect(node.vertx(), node.port(), null);
             TestSocket full = TestSocket.connect(node.vertx(), node.port(), null)) {
            JsonObject reply = limited.request("GET", "/store/" + store, null, storeOnly);
            assertEquals(200, reply.getInteger("statusCode"), reply.encode());
            assertAssociationsAreIds(reply.getJsonObject("body"));
            full.request("GET", "/store/" + store, null, node.adminToken());

            assertEquals(200, node.patch("/cashier/" + bob, new JsonObject().put("name", "Robert")).statusCode());
            assertEquals("updated", full.await(f -> "cashier".equals(f.getString("address"))).getJsonObject("body").getString("verb"));
            assertTrue(limited.notifications("cashier", 300).isEmpty(), "no cashier room was joined for the auditor");

            assertEquals(200, node.delete("/store/" + store).statusCode());
            JsonObject seenLimited = limited.await(f -> "store".equals(f.getString("address"))).getJsonObject("body");
            assertEquals("destroyed", seenLimited.getString("verb"));
            assertAssociationsAreIds(seenLimited.getJsonObject("previous"));
            JsonObject seenFull = full.await(f -> "store".equals(f.getString("address"))
                    && "destroyed".equals(f.getJsonObject("body").getString("verb"))).getJsonObject("body");
            assertEquals("Alice", seenFull.getJsonObject("previous").getJsonObject("manager").getString("name"));
            assertTrue(limited.notifications("cashier", 300).isEmpty(), "nor the cashiers' updated {store:null}");
        }
    }

    @Test
    void aSocketThatMayNotReadTheModelHearsNothingOfIt() {
        newStore();
        try (TestSocket s = TestSocket.connect(node.vertx(), node.port(), null)) {
            s.ask("herald.subscribe", new JsonObject().put("model", "store").put("ids", new JsonArray().add(store)), node.adminToken());
            // the same socket signs in again with a token that may not read stores
            s.ask("herald.whoami", new JsonObject(), node.token("intern", "shift:read"));
            assertEquals(200, node.delete("/store/" + store).statusCode());
            assertTrue(s.notifications("store", 500).isEmpty());
        }
    }
}
