package dev.herald.records;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every association shape and onDestroy policy, checked in the database and in the published messages. */
@Tier.Component
class DestroyPoliciesTest {
    static final String MODELS = """
            author:
              attributes:
                name:     { type: string }
                password: { type: string, private: true }
                books:    { collection: book, via: author, onDestroy: cascade }
                notes:    { collection: note, via: author, onDestroy: restrict }
                fans:     { collection: reader, via: favorites }
            book:
              attributes:
                title:    { type: string }
                author:   { model: author }
                chapters: { collection: chapter, via: book, onDestroy: cascade }
                reviews:  { collection: review, via: book }
            chapter:
              attributes:
                title:    { type: string }
                secret:   { type: string, private: true }
                book:     { model: book }
                figures:  { collection: figure, via: chapter, onDestroy: restrict }
            figure:
              attributes:
                caption:  { type: string }
                chapter:  { model: chapter }
            review:
              attributes:
                text:     { type: string }
                book:     { model: book }
            note:
              attributes:
                text:     { type: string }
                author:   { model: author }
            reader:
              attributes:
                name:      { type: string }
                favorites: { collection: author, via: fans }
                idol:      { model: author }
                tags:      { collection: tag }
            tag:
              attributes:
                label: { type: string }
            node:
              attributes:
                label:    { type: string }
                parent:   { model: node }
                children: { collection: node, via: parent, onDestroy: cascade }
            store:
              attributes:
                name:      { type: string }
                coupons:   { collection: coupon, via: store, onDestroy: cascade }
                registers: { collection: register, via: store, onDestroy: restrict }
            coupon:
              attributes:
                code:   { type: string }
                store:  { model: store }
                stamps: { collection: stamp, via: coupon, onDestroy: cascade }
            stamp:
              attributes:
                coupon: { model: coupon }
                marks:  { collection: mark, via: stamp, onDestroy: restrict }
            mark:
              attributes:
                stamp: { model: stamp }
            register:
              attributes:
                store: { model: store }
            yin:
              attributes:
                yang:     { model: yang }
                yangs:    { collection: yang, via: yin, onDestroy: cascade }
                blockers: { collection: blocker, via: yin, onDestroy: restrict }
            yang:
              attributes:
                yin:  { model: yin }
                yins: { collection: yin, via: yang, onDestroy: cascade }
            blocker:
              attributes:
                yin: { model: yin }
            """;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels(MODELS);

    @BeforeEach
    void forgetEarlierMessages() {
        node.clearPublished();
    }

    @Test
    void restrictRefusesWithTheBlockingChildrenAndChangesNothing() {
        long author = node.create("author", new JsonObject().put("name", "Ann"));
        long book = node.create("book", new JsonObject().put("title", "B").put("author", author));
        long note1 = node.create("note", new JsonObject().put("text", "n1").put("author", author));
        long note2 = node.create("note", new JsonObject().put("text", "n2").put("author", author));
        node.awaitPublished(4);
        node.clearPublished();

        var response = node.delete("/author/" + author);

        assertEquals(409, response.statusCode());
        JsonObject error = json(response);
        assertEquals("E_HAS_CHILDREN", error.getString("code"));
        assertEquals(new JsonObject().put("note", new JsonArray().add(note1).add(note2)),
                error.getJsonObject("details").getJsonObject("children"));
        assertEquals(1, node.sql("SELECT 1 FROM author WHERE id = $1", author).size());
        assertEquals(1, node.sql("SELECT 1 FROM book WHERE id = $1 AND author = $2", book, author).size());
        assertTrue(node.publishedAfterAPause().isEmpty(), "a refused destroy publishes nothing");
    }

    @Test
    void restrictDeepInsideACascadeRollsBackTheWholeDestroy() {
        long author = node.create("author", new JsonObject().put("name", "Deep"));
        long book = node.create("book", new JsonObject().put("title", "B").put("author", author));
        long chapter = node.create("chapter", new JsonObject().put("title", "C").put("book", book));
        long figure = node.create("figure", new JsonObject().put("caption", "F").put("chapter", chapter));
        node.awaitPublished(4);
        node.clearPublished();

        var response = node.delete("/author/" + author);

        assertEquals(409, response.statusCode());
        assertEquals(new JsonObject().put("figure", new JsonArray().add(figure)),
                json(response).getJsonObject("details").getJsonObject("children"));
        assertEquals(1, node.sql("SELECT 1 FROM author WHERE id = $1", author).size());
        assertEquals(1, node.sql("SELECT 1 FROM book WHERE id = $1", book).size());
        assertEquals(1, node.sql("SELECT 1 FROM chapter WHERE id = $1", chapter).size());
        assertTrue(node.publishedAfterAPause().isEmpty());
    }

    @Test
    void aRefusedDestroyLeavesItsCascadedChildrenAlone() {
        long store = node.create("store", new JsonObject().put("name", "S"));
        long coupon1 = node.create("coupon", new JsonObject().put("code", "c1").put("store", store));
        long coupon2 = node.create("coupon", new JsonObject().put("code", "c2").put("store", store));
        long stamp = node.create("stamp", new JsonObject().put("coupon", coupon1));
        long register = node.create("register", new JsonObject().put("store", store));
        node.awaitPublished(5);
        node.clearPublished();

        var response = node.delete("/store/" + store);

        assertEquals(409, response.statusCode(), response.bodyAsString());
        assertEquals(new JsonObject().put("register", new JsonArray().add(register)),
                json(response).getJsonObject("details").getJsonObject("children"));
        assertTrue(node.publishedAfterAPause().isEmpty(), "a refused destroy publishes nothing");
        assertEquals(2, node.sql("SELECT 1 FROM coupon WHERE id IN ($1, $2) AND store = $3", coupon1, coupon2, store).size(),
                "the cascaded coupons are still there, still the store's");
        assertEquals(1, node.sql("SELECT 1 FROM stamp WHERE id = $1 AND coupon = $2", stamp, coupon1).size());
        assertEquals(1, node.sql("SELECT 1 FROM store WHERE id = $1", store).size());
    }

    @Test
    void aRestrictedGrandchildUnderACascadedChildRefusesAndChangesNothing() {
        long store = node.create("store", new JsonObject().put("name", "G"));
        long coupon = node.create("coupon", new JsonObject().put("code", "c").put("store", store));
        long other = node.create("coupon", new JsonObject().put("code", "d").put("store", store));
        long stamp = node.create("stamp", new JsonObject().put("coupon", other));
        long mark = node.create("mark", new JsonObject().put("stamp", stamp));
        node.awaitPublished(5);
        node.clearPublished();

        var response = node.delete("/store/" + store);

        assertEquals(409, response.statusCode(), response.bodyAsString());
        assertEquals(new JsonObject().put("mark", new JsonArray().add(mark)),
                json(response).getJsonObject("details").getJsonObject("children"));
        assertTrue(node.publishedAfterAPause().isEmpty());
        assertEquals(2, node.sql("SELECT 1 FROM coupon WHERE id IN ($1, $2)", coupon, other).size());
        assertEquals(1, node.sql("SELECT 1 FROM stamp WHERE id = $1", stamp).size());
        assertEquals(1, node.sql("SELECT 1 FROM store WHERE id = $1", store).size());
    }

    @Test
    void aRestrictDeepInACascadeCycleRefusesAndChangesNothing() {
        long yin = node.create("yin", new JsonObject());
        long yang = node.create("yang", new JsonObject().put("yin", yin));
        long yin2 = node.create("yin", new JsonObject().put("yang", yang));
        long yang2 = node.create("yang", new JsonObject().put("yin", yin2));
        node.sql("UPDATE yin SET yang = $1 WHERE id = $2", yang2, yin);
        long blocker = node.create("blocker", new JsonObject().put("yin", yin2));
        node.awaitPublished(5);
        node.clearPublished();

        var response = node.delete("/yin/" + yin);

        assertEquals(409, response.statusCode(), response.bodyAsString());
        assertEquals(new JsonObject().put("blocker", new JsonArray().add(blocker)),
                json(response).getJsonObject("details").getJsonObject("children"));
        assertTrue(node.publishedAfterAPause().isEmpty());
        assertEquals(2, node.sql("SELECT 1 FROM yin WHERE id IN ($1, $2)", yin, yin2).size());
        assertEquals(2, node.sql("SELECT 1 FROM yang WHERE id IN ($1, $2)", yang, yang2).size());
        assertEquals(1, node.sql("SELECT 1 FROM yin WHERE id = $1 AND yang = $2", yin, yang2).size(), "the cycle is intact");
    }

    @Test
    void refusedDestroysNeverLeaveStatementsRunningInOtherRequestsTransactions() {
        List<Long> stores = new java.util.ArrayList<>();
        List<Long> coupons = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long store = node.create("store", new JsonObject().put("name", "R" + i));
            coupons.add(node.create("coupon", new JsonObject().put("code", "r" + i).put("store", store)));
            node.create("register", new JsonObject().put("store", store));
            stores.add(store);
        }
        List<Long> books = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            books.add(node.create("book", new JsonObject().put("title", "T" + i)));
        }

        List<Object> refusedAndAllowed = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            refusedAndAllowed.add(stores.get(i));
        }
        var refusals = node.destroyAtOnce("store", refusedAndAllowed);
        var allowed = node.destroyAtOnce("book", books);

        refusals.forEach(r -> assertEquals(409, r.statusCode(), r.bodyAsString()));
        allowed.forEach(r -> assertEquals(200, r.statusCode(), r.bodyAsString()));
        node.publishedAfterAPause();
        assertEquals(20, node.sql("SELECT 1 FROM coupon WHERE id = ANY($1)", (Object) coupons.toArray(Long[]::new)).size());
        assertEquals(20, node.sql("SELECT 1 FROM store WHERE id = ANY($1)", (Object) stores.toArray(Long[]::new)).size());
    }

    @Test
    void cascadeDestroysTheTreeSetNullNullsAndEveryoneAffectedHearsExactlyOnce() {
        long author = node.create("author", new JsonObject().put("name", "Cas").put("password", "hunter2"));
        long book = node.create("book", new JsonObject().put("title", "B").put("author", author));
        long chapter = node.create("chapter", new JsonObject().put("title", "C").put("book", book).put("secret", "s"));
        long review = node.create("review", new JsonObject().put("text", "R").put("book", book));
        long fan = node.create("reader", new JsonObject().put("name", "F").put("favorites", new JsonArray().add(author)));
        long follower = node.create("reader", new JsonObject().put("name", "I").put("idol", author));
        node.awaitPublished(6);
        node.clearPublished();

        var response = node.delete("/author/" + author);

        assertEquals(200, response.statusCode(), response.bodyAsString());
        JsonObject previous = json(response);
        assertFalse(previous.containsKey("password"));
        assertEquals(0, node.sql("SELECT 1 FROM book WHERE id = $1", book).size());
        assertEquals(0, node.sql("SELECT 1 FROM chapter WHERE id = $1", chapter).size());
        assertEquals(1, node.sql("SELECT 1 FROM review WHERE id = $1 AND book IS NULL", review).size());
        assertEquals(1, node.sql("SELECT 1 FROM reader WHERE id = $1 AND idol IS NULL", follower).size());

        List<JsonObject> batches = node.awaitPublished(1);
        assertEquals(1, batches.size());
        List<JsonObject> messages = batches.get(0).getJsonArray("notifications").stream()
                .map(JsonObject.class::cast).toList();
        assertEquals(Set.of(
                        "author " + author + " destroyed",
                        "book " + book + " destroyed",
                        "chapter " + chapter + " destroyed",
                        "review " + review + " updated {\"book\":null}",
                        "reader " + fan + " removedFrom favorites " + author,
                        "reader " + follower + " updated {\"idol\":null}"),
                messages.stream().map(DestroyPoliciesTest::describe).collect(Collectors.toSet()));
        assertEquals(6, messages.size(), "no duplicates, nothing for the destroyed parents' rooms");
        assertEquals("destroyed", messages.get(0).getJsonObject("message").getString("verb"));
        assertEquals(previous, messages.get(0).getJsonObject("message").getJsonObject("previous"));
        JsonObject chapterGone = messages.stream().filter(m -> m.getString("model").equals("chapter")).findFirst().orElseThrow();
        assertFalse(chapterGone.getJsonObject("message").getJsonObject("previous").containsKey("secret"),
                "cascaded previous leaves private attributes out too");
        assertTrue(chapterGone.getBoolean("retire"));
    }

    @Test
    void destroyingAOneWayCollectionTargetTellsTheOwnerButNotTheOtherWayRound() {
        long tag = node.create("tag", new JsonObject().put("label", "t"));
        long other = node.create("tag", new JsonObject().put("label", "u"));
        long reader = node.create("reader", new JsonObject().put("name", "R").put("tags", new JsonArray().add(tag).add(other)));
        node.awaitPublished(3);
        node.clearPublished();

        assertEquals(200, node.delete("/tag/" + tag).statusCode());
        List<String> first = node.awaitPublished(1).get(0).getJsonArray("notifications").stream()
                .map(n -> describe((JsonObject) n)).toList();
        assertEquals(List.of("tag " + tag + " destroyed", "reader " + reader + " removedFrom tags " + tag), first);
        node.clearPublished();

        assertEquals(200, node.delete("/reader/" + reader).statusCode());
        List<String> second = node.awaitPublished(1).get(0).getJsonArray("notifications").stream()
                .map(n -> describe((JsonObject) n)).toList();
        assertEquals(List.of("reader " + reader + " destroyed"), second, "a one-way collection has no other side to tell");
        assertEquals(0, node.sql("SELECT 1 FROM reader_tags__tag").size());
    }

    @Test
    void cascadeThroughASelfReferenceDestroysTheWholeTreeAndSurvivesACycle() {
        long root = node.create("node", new JsonObject().put("label", "root"));
        long child = node.create("node", new JsonObject().put("label", "child").put("parent", root));
        long grandchild = node.create("node", new JsonObject().put("label", "grandchild").put("parent", child));
        node.sql("UPDATE node SET parent = $1 WHERE id = $2", grandchild, root);
        node.awaitPublished(3);
        node.clearPublished();

        assertEquals(200, node.delete("/node/" + root).statusCode());

        assertEquals(0, node.sql("SELECT 1 FROM node WHERE id IN ($1, $2, $3)", root, child, grandchild).size());
        Set<String> messages = node.awaitPublished(1).get(0).getJsonArray("notifications").stream()
                .map(n -> describe((JsonObject) n)).collect(Collectors.toSet());
        assertEquals(Set.of("node " + root + " destroyed", "node " + child + " destroyed", "node " + grandchild + " destroyed"),
                messages);
    }

    @Test
    void destroyingAChildTellsTheParentItLeftTheCollection() {
        long author = node.create("author", new JsonObject().put("name", "P"));
        long book = node.create("book", new JsonObject().put("title", "B").put("author", author));
        node.awaitPublished(2);
        node.clearPublished();

        assertEquals(200, node.delete("/book/" + book).statusCode());

        assertEquals(List.of("book " + book + " destroyed", "author " + author + " removedFrom books " + book),
                node.awaitPublished(1).get(0).getJsonArray("notifications").stream()
                        .map(n -> describe((JsonObject) n)).toList());
    }

    static String describe(JsonObject notification) {
        JsonObject m = notification.getJsonObject("message");
        String head = notification.getString("model") + " " + notification.getValue("id") + " " + m.getString("verb");
        return switch (m.getString("verb")) {
            case "updated" -> head + " " + m.getJsonObject("data").encode();
            case "removedFrom", "addedTo" -> head + " " + m.getString("attribute") + " "
                    + m.getValue(m.getString("verb").equals("addedTo") ? "addedId" : "removedId");
            default -> head;
        };
    }
}
