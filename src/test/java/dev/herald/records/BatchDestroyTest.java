package dev.herald.records;

import dev.herald.database.Transaction;
import dev.herald.errors.ApiError;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.ModelsLoader;
import dev.herald.notifications.Notification;
import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Destroys of one model that share a transaction: each record gets what it would have got alone
 * (previous, notifications in order, 404, 409), records associated with each other are never
 * batched, and concurrent HTTP destroys really share transactions.
 */
@Tier.Component
class BatchDestroyTest {
    static final String MODELS = """
            owner:
              attributes:
                name: { type: string }
                pets: { collection: pet, via: keeper }
            pet:
              attributes:
                name:    { type: string }
                keeper:  { model: owner }
                mentor:  { model: pet }
                toys:    { collection: toy, via: holder, onDestroy: setNull }
                notes:   { collection: note, via: about, onDestroy: restrict }
                vets:    { collection: vet, via: patients }
                friends: { collection: pet, via: friends }
            toy:
              attributes:
                label:  { type: string }
                holder: { model: pet }
            note:
              attributes:
                text:  { type: string }
                about: { model: pet }
            vet:
              attributes:
                name:     { type: string }
                patients: { collection: pet, via: vets }
            person:
              attributes:
                name: { type: string }
                sent: { collection: letter, via: sender }
            letter:
              attributes:
                text:      { type: string }
                sender:    { model: person }
                recipient: { model: person }
            """;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels(MODELS);

    private static Models models;
    private static Model pet;
    private static Populator populator;

    @BeforeAll
    static void parseModels() {
        models = ModelsLoader.parse(MODELS, "test models", false);
        pet = models.get("pet");
        populator = new Populator(models);
    }

    @BeforeEach
    void forgetEarlierMessages() {
        node.clearPublished();
    }

    /** A pet with a keeper, a mentor, a toy and a vet: something for every kind of message. */
    private Map<String, String> petWithEverything(long owner, long mentor, long vet, String name) {
        long id = node.create("pet", new JsonObject().put("name", name).put("keeper", owner).put("mentor", mentor));
        long toy = node.create("toy", new JsonObject().put("label", "ball of " + name).put("holder", id));
        assertEquals(200, node.call(HttpMethod.PUT, "/pet/" + id + "/vets/" + vet, null).statusCode());
        return Map.of("pet " + id, "the pet", "toy " + toy, "its toy", "owner " + owner, "the owner", "vet " + vet, "the vet",
                "pet " + mentor, "the mentor");
    }

    /** The messages with ids replaced by roles, so two twins' messages compare equal. */
    private static List<String> shape(List<Notification> notifications, Map<String, String> roles) {
        List<String> shapes = new ArrayList<>();
        for (Notification n : notifications) {
            JsonObject m = n.message();
            StringBuilder s = new StringBuilder(n.model() + " " + roles.get(n.model() + " " + n.id()) + " " + m.getString("verb"));
            if (m.containsKey("attribute")) {
                s.append(" ").append(m.getString("attribute")).append(" ").append(roles.get("pet " + m.getLong("removedId")));
            }
            if (m.containsKey("data")) {
                s.append(" ").append(m.getJsonObject("data").encode());
            }
            if (m.containsKey("previous")) {
                JsonObject previous = m.getJsonObject("previous");
                s.append(" previous ").append(previous.getString("name"))
                        .append(" keeper=").append(roles.get("owner " + previous.getJsonObject("keeper").getLong("id")))
                        .append(" mentor=").append(roles.get("pet " + previous.getJsonObject("mentor").getLong("id")))
                        .append(" toys=").append(previous.getJsonArray("toys").size())
                        .append(" vets=").append(previous.getJsonArray("vets").size());
            }
            shapes.add(s.toString());
        }
        return shapes;
    }

    @Test
    void everyRecordOfABatchGetsWhatItWouldHaveGotAlone() {
        long owner = node.create("owner", new JsonObject().put("name", "Olga"));
        long vet = node.create("vet", new JsonObject().put("name", "Dr V"));
        long mentor = node.create("pet", new JsonObject().put("name", "Sage"));
        Map<String, String> alone = petWithEverything(owner, mentor, vet, "Twin");
        Map<String, String> batched = petWithEverything(owner, mentor, vet, "Twin");
        long aloneId = key(alone);
        long batchedId = key(batched);
        long blocked = node.create("pet", new JsonObject().put("name", "Blocked"));
        long note = node.create("note", new JsonObject().put("text", "keep").put("about", blocked));
        long plain = node.create("pet", new JsonObject().put("name", "Plain"));
        long missing = plain + 1000;

        Destroyer.Result single = Transaction.run(node.database(), Transaction.Isolation.READ_COMMITTED, c -> new Destroyer(models, populator).destroy(c, pet, aloneId)).await();
        Map<Object, BatchDestroyer.Outcome> outcomes = batch(pet, List.of(missing, blocked, batchedId, plain)).await();

        assertEquals(List.of(missing, blocked, batchedId, plain), new ArrayList<>(outcomes.keySet()), "one outcome per id, in order");
        List<String> expected = List.of(
                "pet the pet destroyed previous Twin keeper=the owner mentor=the mentor toys=1 vets=1",
                "toy its toy updated {\"holder\":null}",
                "vet the vet removedFrom patients the pet",
                "owner the owner removedFrom pets the pet");
        assertEquals(expected, shape(single.notifications(), alone), "alone");
        assertEquals(expected, shape(outcomes.get(batchedId).notifications(), batched), "in a batch");
        assertEquals(single.previous().fieldNames(), outcomes.get(batchedId).previous().fieldNames());

        ApiError notFound = outcomes.get(missing).error();
        assertEquals(404, notFound.status());
        ApiError refused = outcomes.get(blocked).error();
        assertEquals(409, refused.status());
        assertEquals("E_HAS_CHILDREN", refused.code());
        assertEquals(new JsonObject().put("note", new JsonArray().add(note)), refused.toJson().getJsonObject("details").getJsonObject("children"));
        assertEquals(List.of("pet " + plain + " destroyed"), outcomes.get(plain).notifications().stream()
                .map(n -> n.model() + " " + n.id() + " " + n.message().getString("verb")).toList());

        assertEquals(0, node.sql("SELECT 1 FROM pet WHERE id = ANY($1)", (Object) new Long[]{aloneId, batchedId, plain}).size());
        assertEquals(1, node.sql("SELECT 1 FROM pet WHERE id = $1", blocked).size(), "the refused pet stays");
        assertEquals(2, node.sql("SELECT 1 FROM toy WHERE holder IS NULL AND label LIKE 'ball of Twin'").size());
    }

    private static long key(Map<String, String> roles) {
        return Long.parseLong(roles.entrySet().stream().filter(e -> e.getValue().equals("the pet")).findFirst().orElseThrow()
                .getKey().substring("pet ".length()));
    }

    @Test
    void recordsAssociatedWithEachOtherAreNeverDestroyedTogether() {
        long a = node.create("pet", new JsonObject().put("name", "A"));
        long b = node.create("pet", new JsonObject().put("name", "B"));
        assertEquals(200, node.call(HttpMethod.PUT, "/pet/" + a + "/friends/" + b, null).statusCode());
        long student = node.create("pet", new JsonObject().put("name", "Student"));
        long teacher = node.create("pet", new JsonObject().put("name", "Teacher"));
        node.patch("/pet/" + student, new JsonObject().put("mentor", teacher));
        long toys = node.count("toy");

        for (List<Object> pair : List.of(List.<Object>of(a, b), List.<Object>of(student, teacher))) {
            assertThrows(BatchDestroyer.Unbatchable.class, () -> batch(pet, pair).await(), "for " + pair);
            assertEquals(2, node.sql("SELECT 1 FROM pet WHERE id = ANY($1)", (Object) pair.stream().map(Long.class::cast)
                    .toArray(Long[]::new)).size(), "nothing destroyed of " + pair);
        }
        assertEquals(1, node.sql("SELECT 1 FROM pet WHERE id = $1 AND mentor = $2", student, teacher).size(), "rolled back");
        assertEquals(toys, node.count("toy"));
        var friends = models.junction("pet", "friends").orElseThrow();
        assertEquals(2, node.sql("SELECT 1 FROM \"" + friends.table() + "\" WHERE \"" + friends.columnA() + "\" = ANY($1)",
                (Object) new Long[]{a, b}).size(), "the friendship is still there, both ways");
    }

    @Test
    void aStatementThatFailsInAOneTripBatchCommitsNothingAndTheOthersAreDestroyedAlone() {
        node.sql("CREATE FUNCTION refuse_explosive() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF NEW.name = 'explosive' THEN RAISE EXCEPTION 'explosive pet'; END IF; RETURN NEW; END $$");
        node.sql("CREATE TRIGGER refuse_explosive BEFORE UPDATE ON pet FOR EACH ROW EXECUTE FUNCTION refuse_explosive()");
        try {
            long risky = node.create("owner", new JsonObject().put("name", "Risky"));
            long explosive = node.create("pet", new JsonObject().put("name", "explosive").put("keeper", risky));
            List<Long> calm = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long owner = node.create("owner", new JsonObject().put("name", "Calm " + i));
                node.create("pet", new JsonObject().put("name", "calm pet " + i).put("keeper", owner));
                calm.add(owner);
            }
            List<Object> all = new ArrayList<>(calm);
            all.add(1, risky);

            assertThrows(io.vertx.pgclient.PgException.class, () -> batch(models.get("owner"), all).await());
            assertEquals(5, node.sql("SELECT 1 FROM owner WHERE id = ANY($1)", (Object) all.stream().map(Long.class::cast)
                    .toArray(Long[]::new)).size(), "the batch committed nothing");

            node.clearPublished();
            List<HttpResponse<Buffer>> responses = node.destroyAtOnce("owner", all);
            for (int i = 0; i < all.size(); i++) {
                int status = responses.get(i).statusCode();
                assertEquals(all.get(i).equals(risky) ? 500 : 200, status, "owner " + all.get(i));
            }
            assertEquals(1, node.sql("SELECT 1 FROM pet WHERE id = $1 AND keeper = $2", explosive, risky).size());
            assertEquals(0, node.sql("SELECT 1 FROM owner WHERE id = ANY($1)", (Object) calm.toArray(Long[]::new)).size());
            assertEquals(calm.size(), node.awaitPublished(calm.size()).size(), "one change per destroyed owner, none for the risky one");
        } finally {
            node.sql("DROP TRIGGER refuse_explosive ON pet");
            node.sql("DROP FUNCTION refuse_explosive()");
        }
    }

    @Test
    void inTheOneTripPathToo_everyRecordGetsWhatItWouldHaveGotAlone() {
        Model owner = models.get("owner");
        long alone = node.create("owner", new JsonObject().put("name", "Twin"));
        long alonePet = node.create("pet", new JsonObject().put("name", "Rex").put("keeper", alone));
        long batched = node.create("owner", new JsonObject().put("name", "Twin"));
        long batchedPet = node.create("pet", new JsonObject().put("name", "Rex").put("keeper", batched));
        long missing = batched + 1000;

        Destroyer.Result single = Transaction.run(node.database(), Transaction.Isolation.READ_COMMITTED, c -> new Destroyer(models, populator).destroy(c, owner, alone)).await();
        Map<Object, BatchDestroyer.Outcome> outcomes = batch(owner, List.of(batched, missing)).await();

        BatchDestroyer.Outcome outcome = outcomes.get(batched);
        assertEquals(withoutIds(single.previous()), withoutIds(outcome.previous()));
        assertEquals(List.of("owner destroyed", "pet updated {\"keeper\":null}"), verbs(single.notifications()));
        assertEquals(verbs(single.notifications()), verbs(outcome.notifications()));
        assertEquals(batchedPet, ((Number) outcome.notifications().get(1).id()).longValue());
        assertEquals(alonePet, ((Number) single.notifications().get(1).id()).longValue());
        assertEquals(404, outcomes.get(missing).error().status());
        assertEquals(0, node.sql("SELECT 1 FROM owner WHERE id = $1", batched).size());
        assertEquals(1, node.sql("SELECT 1 FROM pet WHERE id = $1 AND keeper IS NULL", batchedPet).size());
    }

    private static JsonObject withoutIds(JsonObject record) {
        JsonObject copy = record.copy();
        copy.remove("id");
        copy.remove("createdAt");
        copy.remove("updatedAt");
        copy.getJsonArray("pets").forEach(p -> {
            ((JsonObject) p).remove("id");
            ((JsonObject) p).remove("keeper");
            ((JsonObject) p).remove("createdAt");
            ((JsonObject) p).remove("updatedAt");
        });
        return copy;
    }

    private static List<String> verbs(List<Notification> notifications) {
        return notifications.stream().map(n -> n.model() + " " + n.message().getString("verb")
                + (n.message().containsKey("data") ? " " + n.message().getJsonObject("data").encode() : "")).toList();
    }

    @Test
    void aChildThatRefersToTwoRecordsOfTheBatchMakesThemGoOneAtATime() {
        long ann = node.create("person", new JsonObject().put("name", "Ann"));
        long bob = node.create("person", new JsonObject().put("name", "Bob"));
        long letter = node.create("letter", new JsonObject().put("text", "hi").put("sender", ann).put("recipient", bob));

        assertThrows(BatchDestroyer.Unbatchable.class, () -> batch(models.get("person"), List.of(ann, bob)).await());
        assertEquals(1, node.sql("SELECT 1 FROM letter WHERE id = $1 AND sender = $2 AND recipient = $3", letter, ann, bob).size(),
                "rolled back");

        node.clearPublished();
        node.destroyAtOnce("person", List.of(ann, bob)).forEach(r -> assertEquals(200, r.statusCode(), r.bodyAsString()));
        assertEquals(1, node.sql("SELECT 1 FROM letter WHERE id = $1 AND sender IS NULL AND recipient IS NULL", letter).size());
        List<JsonObject> letterUpdates = node.awaitPublished(2).stream()
                .flatMap(change -> change.getJsonArray("notifications").stream().map(JsonObject.class::cast))
                .filter(n -> n.getString("model").equals("letter")).toList();
        assertEquals(2, letterUpdates.size(), "the letter hears about each of its two references: " + letterUpdates);
    }

    @Test
    void concurrentDestroysOfMutualMentorsNeverDeadlock() {
        int pairs = 16;
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            long a = node.create("pet", new JsonObject().put("name", "mentor a" + i));
            long b = node.create("pet", new JsonObject().put("name", "mentor b" + i).put("mentor", a));
            node.patch("/pet/" + a, new JsonObject().put("mentor", b));
            ids.add(a);
            ids.add(b);
        }
        node.destroyAtOnce("pet", ids).forEach(r -> assertEquals(200, r.statusCode(), r.bodyAsString()));
        assertEquals(0, node.sql("SELECT 1 FROM pet WHERE id = ANY($1)", (Object) ids.toArray(Long[]::new)).size());
    }

    @Test
    void aRecordAssociatedOnlyWithItselfIsBatchedAndHearsNothingFromItself() {
        long narcissus = node.create("pet", new JsonObject().put("name", "Narcissus"));
        node.patch("/pet/" + narcissus, new JsonObject().put("mentor", narcissus));
        long other = node.create("pet", new JsonObject().put("name", "Other"));

        Map<Object, BatchDestroyer.Outcome> outcomes = batch(pet, List.of(narcissus, other)).await();

        assertNull(outcomes.get(narcissus).error());
        assertEquals(List.of("destroyed"), outcomes.get(narcissus).notifications().stream()
                .map(n -> n.message().getString("verb")).toList());
        assertEquals(0, node.sql("SELECT 1 FROM pet WHERE id = ANY($1)", (Object) new Long[]{narcissus, other}).size());
    }

    @Test
    void concurrentHttpDestroysShareTransactionsAndKeepTheirOwnOrigins() {
        int count = 64;
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(node.sql("INSERT INTO pet (\"createdAt\", \"updatedAt\", name) VALUES (0, 0, $1) RETURNING id", "racer " + i)
                    .get(0).getLong(0));
            node.sql("INSERT INTO toy (\"createdAt\", \"updatedAt\", label, holder) VALUES (0, 0, 'racing toy', $1)", ids.get(i));
        }
        List<HttpResponse<Buffer>> responses = node.destroyAtOnce("pet", ids, id -> node.token("caller-" + id, "pet:destroy"));

        for (int i = 0; i < count; i++) {
            HttpResponse<Buffer> response = responses.get(i);
            assertEquals(200, response.statusCode(), response.bodyAsString());
            assertEquals(ids.get(i), json(response).getLong("id"), "each caller gets its own previous");
        }
        long transactions = node.sql("SELECT count(DISTINCT xmin::text) FROM toy WHERE label = 'racing toy'").get(0).getLong(0);
        assertTrue(transactions <= count / 2, count + " destroys committed in " + transactions + " transactions");

        List<JsonObject> changes = node.awaitPublished(count);
        assertEquals(count, changes.size(), "one change per destroy");
        Map<Long, String> subjects = new HashMap<>();
        for (JsonObject change : changes) {
            JsonObject destroyed = change.getJsonArray("notifications").getJsonObject(0);
            assertEquals("destroyed", destroyed.getJsonObject("message").getString("verb"));
            subjects.put(destroyed.getLong("id"), change.getJsonObject("origin").getString("subject"));
            assertEquals(2, change.getJsonArray("notifications").size(), "destroyed, then its toy's update");
        }
        ids.forEach(id -> assertEquals("caller-" + id, subjects.get(id), "the origin of pet " + id));
    }

    @Test
    void concurrentDestroysOfFriendsFallBackToOneAtATimeAndAllSucceed() {
        int pairs = 16;
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            long a = node.create("pet", new JsonObject().put("name", "left " + i));
            long b = node.create("pet", new JsonObject().put("name", "right " + i));
            assertEquals(200, node.call(HttpMethod.PUT, "/pet/" + a + "/friends/" + b, null).statusCode());
            ids.add(a);
            ids.add(b);
        }
        node.clearPublished();
        node.destroyAtOnce("pet", ids).forEach(r -> assertEquals(200, r.statusCode(), r.bodyAsString()));
        assertEquals(0, node.sql("SELECT 1 FROM pet WHERE id = ANY($1)", (Object) ids.toArray(Long[]::new)).size());
        Map<Long, Integer> destroyed = new HashMap<>();
        node.awaitPublished(ids.size()).forEach(change -> change.getJsonArray("notifications").stream()
                .map(JsonObject.class::cast)
                .filter(n -> n.getJsonObject("message").getString("verb").equals("destroyed"))
                .forEach(n -> destroyed.merge(n.getLong("id"), 1, Integer::sum)));
        ids.forEach(id -> assertEquals(1, destroyed.getOrDefault(id, 0), "one destroyed for pet " + id));
    }

    /** A batch as the destroy queue runs it: logged and committed; the outcomes, in order. */
    private io.vertx.core.Future<Map<Object, BatchDestroyer.Outcome>> batch(dev.herald.models.Model model, List<Object> ids) {
        List<io.vertx.core.json.JsonObject> origins = ids.stream().map(id -> new io.vertx.core.json.JsonObject()).toList();
        return new BatchDestroyer(models, populator, new dev.herald.notifications.Notifier(node.vertx(), true))
                .destroy(node.database(), model, ids, origins).map(BatchDestroyer.Committed::outcomes);
    }
}
