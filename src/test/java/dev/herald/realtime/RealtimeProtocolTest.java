package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestNode;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Message shapes, requester exclusion, room retirement and autosubscribe, through a real SockJS socket. */
@Tier.Component
class RealtimeProtocolTest {
    static final String MODELS = """
            owner:
              attributes:
                name: { type: string }
                pets: { collection: pet, via: owner, onDestroy: cascade }
                clubs: { collection: club, via: members }
            pet:
              attributes:
                name:  { type: string }
                owner: { model: owner }
                toys:  { collection: toy, via: pet }
            toy:
              attributes:
                label: { type: string }
                pet:   { model: pet }
            club:
              attributes:
                title:   { type: string }
                members: { collection: owner, via: clubs }
            badge:
              primaryKey: { type: string }
              attributes:
                label: { type: string }
            """;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels(MODELS);

    private static TestSocket socket() {
        return TestSocket.connect(node.vertx(), node.port(), null);
    }

    private static long create(String model, JsonObject values) {
        return TestNode.json(node.post("/" + model, values)).getLong("id");
    }

    private static void subscribe(TestSocket s, String model, Object... ids) {
        JsonObject reply = s.ask("herald.subscribe", new JsonObject().put("model", model).put("ids", new JsonArray(List.of(ids))),
                node.adminToken());
        assertEquals(List.of(ids).size(), reply.getJsonObject("body").getJsonArray("subscribed").size(), reply.encode());
    }

    @Test
    void aSocketDestroyRepliesLikeRestAndReachesEveryoneButTheRequester() {
        long owner = create("owner", new JsonObject().put("name", "o"));
        long pet = create("pet", new JsonObject().put("name", "p").put("owner", owner));
        try (TestSocket requester = socket(); TestSocket other = socket()) {
            subscribe(requester, "pet", pet);
            subscribe(other, "pet", pet);

            JsonObject reply = requester.request("DELETE", "/pet/" + pet, new JsonObject(), node.adminToken());

            assertEquals(200, reply.getInteger("statusCode"));
            assertEquals(new JsonObject(), reply.getJsonObject("headers"));
            assertEquals("p", reply.getJsonObject("body").getString("name"));
            JsonObject seen = other.await(f -> "pet".equals(f.getString("address"))).getJsonObject("body");
            assertEquals(new JsonObject().put("verb", "destroyed").put("id", pet).put("previous", reply.getJsonObject("body")), seen);
            assertTrue(requester.notifications("pet", 300).isEmpty(), "the requester hears nothing of its own destroy");
        }
    }

    @Test
    void aRestErrorComesBackAsAReplyNotAnErrFrame() {
        try (TestSocket s = socket(); TestSocket anonymous = socket()) {
            JsonObject unauthorized = anonymous.request("GET", "/pet", null, null);
            assertEquals(401, unauthorized.getInteger("statusCode"));
            assertEquals("E_UNAUTHORIZED", unauthorized.getJsonObject("body").getString("code"));
            JsonObject notFound = s.request("DELETE", "/pet/987654", null, node.adminToken());
            assertEquals(404, notFound.getInteger("statusCode"));
            assertEquals("E_NOT_FOUND", notFound.getJsonObject("body").getString("code"));
            JsonObject remembered = s.request("GET", "/pet", null, null);
            assertEquals(200, remembered.getInteger("statusCode"), "a socket keeps the identity of its last valid token");
            JsonObject bad = s.request("DELETE", "/pet/abc", null, node.adminToken());
            assertEquals(400, bad.getInteger("statusCode"));
        }
    }

    @Test
    void anHttpCallerCanExcludeItsOwnSocketOnlyWhenSignedInAsTheSameSubject() {
        long a = create("pet", new JsonObject().put("name", "a"));
        long b = create("pet", new JsonObject().put("name", "b"));
        String alice = node.token("alice", "*:*");
        String bob = node.token("bob", "*:*");
        try (TestSocket alicesSocket = socket()) {
            JsonObject whoami = alicesSocket.ask("herald.subscribe", new JsonObject().put("model", "pet")
                    .put("ids", new JsonArray().add(a).add(b)), alice);
            assertEquals(2, whoami.getJsonObject("body").getJsonArray("subscribed").size());
            String socketId = alicesSocket.ask("herald.whoami", new JsonObject(), null).getJsonObject("body").getString("socketId");

            WebClient http = WebClient.create(node.vertx());
            assertEquals(200, http.request(HttpMethod.DELETE, node.port(), "127.0.0.1", "/pet/" + a)
                    .putHeader("Authorization", "Bearer " + alice).putHeader("X-Herald-Socket-Id", socketId).send().await().statusCode());
            assertEquals(200, http.request(HttpMethod.DELETE, node.port(), "127.0.0.1", "/pet/" + b)
                    .putHeader("Authorization", "Bearer " + bob).putHeader("X-Herald-Socket-Id", socketId).send().await().statusCode());
            http.close();

            List<JsonObject> seen = alicesSocket.notifications("pet", 400);
            assertEquals(List.of(b), seen.stream().map(m -> m.getLong("id")).toList(),
                    "alice's own HTTP destroy is excluded, bob cannot silence alice's socket");
        }
    }

    @Test
    void afterADestroyEverySocketHasLeftTheRoom() {
        assertEquals(200, node.post("/badge", new JsonObject().put("id", "gold").put("label", "v1")).statusCode());
        try (TestSocket s = socket()) {
            subscribe(s, "badge", "gold");
            assertEquals(200, node.delete("/badge/gold").statusCode());
            s.await(f -> "badge".equals(f.getString("address")));
            assertEquals(200, node.post("/badge", new JsonObject().put("id", "gold").put("label", "v2")).statusCode());
            assertEquals(200, node.patch("/badge/gold", new JsonObject().put("label", "v3")).statusCode());
            assertTrue(s.notifications("badge", 400).isEmpty(), "the room of the destroyed record was retired");
        }
    }

    @Test
    void associationMessagesReachTheChildrenAndParentsThatChanged() {
        long owner = create("owner", new JsonObject().put("name", "o"));
        long pet = create("pet", new JsonObject().put("name", "p").put("owner", owner));
        long toy = create("toy", new JsonObject().put("label", "t").put("pet", pet));
        long club = create("club", new JsonObject().put("title", "c").put("members", new JsonArray().add(owner)));
        try (TestSocket s = socket()) {
            subscribe(s, "pet", pet);
            subscribe(s, "toy", toy);
            subscribe(s, "club", club);

            assertEquals(200, node.delete("/owner/" + owner).statusCode());

            assertEquals(List.of(new JsonObject().put("verb", "updated").put("id", toy).put("data", new JsonObject().putNull("pet"))),
                    s.notifications("toy", 300));
            List<JsonObject> pets = s.notifications("pet", 0);
            assertEquals(1, pets.size());
            assertEquals("destroyed", pets.get(0).getString("verb"), "a cascaded child gets its own destroyed");
            assertEquals(List.of(new JsonObject().put("verb", "removedFrom").put("id", club).put("attribute", "members")
                    .put("removedId", owner)), s.notifications("club", 0));
        }
    }

    @Test
    void findOneOverASocketSubscribesToTheRecordAndItsChildren() {
        long owner = create("owner", new JsonObject().put("name", "o"));
        long pet = create("pet", new JsonObject().put("name", "p").put("owner", owner));
        try (TestSocket s = socket()) {
            assertEquals(200, s.request("GET", "/owner/" + owner, null, node.adminToken()).getInteger("statusCode"));
            assertEquals(200, node.patch("/pet/" + pet, new JsonObject().put("name", "renamed")).statusCode());
            assertEquals(200, node.patch("/owner/" + owner, new JsonObject().put("name", "o2")).statusCode());
            assertEquals("renamed", s.notifications("pet", 300).get(0).getJsonObject("data").getString("name"));
            assertEquals("o2", s.notifications("owner", 0).get(0).getJsonObject("data").getString("name"));
        }
    }

    @Test
    void findOverASocketWatchesCreationsAndCreateSubscribesTheCreator() {
        try (TestSocket watcher = socket(); TestSocket creator = socket()) {
            assertEquals(200, watcher.request("GET", "/club", new JsonObject().put("limit", "1"), node.adminToken()).getInteger("statusCode"));
            JsonObject created = creator.request("POST", "/club", new JsonObject().put("title", "new"), node.adminToken());
            long club = created.getJsonObject("body").getLong("id");

            JsonObject announcement = watcher.await(f -> "club".equals(f.getString("address"))).getJsonObject("body");
            assertEquals("created", announcement.getString("verb"));
            assertEquals(club, announcement.getLong("id"));
            assertEquals("new", announcement.getJsonObject("data").getString("title"));
            assertTrue(creator.notifications("club", 300).isEmpty(), "the creator is not told of its own creation");

            assertEquals(200, node.patch("/club/" + club, new JsonObject().put("title", "renamed")).statusCode());
            assertEquals("renamed", watcher.await(f -> "club".equals(f.getString("address"))).getJsonObject("body")
                    .getJsonObject("data").getString("title"), "watchers join the new record's room");
            assertEquals("renamed", creator.await(f -> "club".equals(f.getString("address"))).getJsonObject("body")
                    .getJsonObject("data").getString("title"), "create subscribed the creator");
        }
    }

    @Test
    void unsubscribeStopsDelivery() {
        long pet = create("pet", new JsonObject().put("name", "quiet"));
        try (TestSocket s = socket()) {
            subscribe(s, "pet", pet);
            JsonObject reply = s.ask("herald.unsubscribe", new JsonObject().put("model", "pet").put("ids", new JsonArray().add(pet)), null);
            assertEquals(new JsonObject().put("unsubscribed", new JsonArray().add(pet)), reply.getJsonObject("body"));
            assertEquals(200, node.delete("/pet/" + pet).statusCode());
            assertTrue(s.notifications("pet", 300).isEmpty());
        }
    }
}
