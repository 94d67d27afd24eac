package dev.herald.browser;

import dev.herald.testing.Browser;
import dev.herald.testing.NodeExtension;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /_herald/herald.js} in a real headless Chromium against a node: subscribe, watch and request
 * over each SockJS transport, the requester's own messages not echoed, errors reported, never thrown away.
 */
@Tier.Component
class BrowserClientTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    @RegisterExtension
    static final Browser browser = new Browser();

    /** A page of the node's origin with the client connected as {@code window.t.h}; what it receives goes to {@code window.t}. */
    private void connect(String token, String transport) {
        browser.driver().get("http://127.0.0.1:" + node.port() + "/health");
        Object connected = browser.asyncScript("""
                const [token, transport, done] = arguments;
                import('/_herald/herald.js').then(({ connect }) => {
                  const t = window.t = { messages: [], statuses: [], resyncs: [], errors: [] };
                  t.h = connect({ token, transports: transport ? [transport] : undefined });
                  t.h.on('status', s => t.statuses.push(s));
                  t.h.on('resync', r => t.resyncs.push(r));
                  t.h.on('error', e => t.errors.push(e));
                  const off = t.h.on('status', s => { if (s === 'connected') { off(); done(true); } });
                }, e => done(String(e)));
                """, token, transport);
        assertEquals(true, connected, "the client connects: " + connected);
    }

    /** {@code h.subscribe} or {@code h.watch} (ids null); the first reply, or {@code {error, failureCode}}. */
    private JsonObject subscribe(String model, List<?> ids) {
        Object reply = browser.asyncScript("""
                const [model, ids, done] = arguments;
                const receive = m => t.messages.push(m);
                const handle = ids === null ? t.h.watch(model, receive) : t.h.subscribe(model, ids, receive);
                handle.ready.then(r => done(JSON.stringify(r)),
                                  e => done(JSON.stringify({ error: e.message, failureCode: e.failureCode })));
                """, model, ids);
        return new JsonObject((String) reply);
    }

    private JsonObject request(String method, String path, Object data) {
        Object reply = browser.asyncScript("""
                const [method, path, data, done] = arguments;
                t.h.request(method, path, data ?? undefined).then(r => done(JSON.stringify(r)), e => done(JSON.stringify({ rejected: e.message })));
                """, method, path, data);
        return new JsonObject((String) reply);
    }

    private JsonArray messagesOnceThereAre(int count) {
        browser.await(count + " message(s) in the page", d -> ((Number) browser.script("return t.messages.length")).intValue() >= count);
        return new JsonArray((String) browser.script("return JSON.stringify(t.messages)"));
    }

    private long pony(String name) {
        return node.create("pony", new JsonObject().put("name", name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "xhr-streaming", "xhr-polling"})
    void aSubscriptionReceivesAnotherCallersDestroyWithItsSeq(String transport) {
        long pony = pony("Subscribed over " + transport);
        connect(node.adminToken(), transport);
        JsonObject reply = subscribe("pony", List.of(pony));
        assertEquals(new JsonArray().add(pony), reply.getJsonArray("subscribed"), reply.encode());

        assertEquals(200, node.delete("/pony/" + pony).statusCode());

        JsonObject message = messagesOnceThereAre(1).getJsonObject(0);
        assertEquals("destroyed", message.getString("verb"));
        assertEquals(pony, message.getLong("id"));
        assertEquals("Subscribed over " + transport, message.getJsonObject("previous").getString("name"));
        assertTrue(Long.parseLong(message.getString("seq")) > Long.parseLong(reply.getString("seq")),
                "the message carries its seq, after the reply's: " + message.encode() + " vs " + reply.encode());
        assertEquals(List.of("connected"), browser.script("return t.statuses"));
    }

    @Test
    void aRequestAnswersAsRestAndItsOwnNotificationsAreNotEchoed() {
        long mine = pony("Destroyed by the page");
        long theirs = pony("Destroyed over REST");
        connect(node.adminToken(), null);
        subscribe("pony", List.of(mine, theirs));

        JsonObject reply = request("DELETE", "/pony/" + mine, null);
        assertEquals(200, reply.getInteger("statusCode"), reply.encode());
        assertEquals("Destroyed by the page", reply.getJsonObject("body").getString("name"));
        assertEquals(200, node.delete("/pony/" + theirs).statusCode());

        // messages arrive in seq order: had the page's own destroy been echoed, it would come first
        JsonArray messages = messagesOnceThereAre(1);
        assertEquals(1, messages.size(), messages.encode());
        assertEquals(theirs, messages.getJsonObject(0).getLong("id"));
    }

    @Test
    void aWatchSeesCreationsAndTheLaterMessagesOfWhatWasCreated() {
        connect(node.adminToken(), null);
        JsonObject reply = subscribe("toy", null);
        assertEquals("toy", reply.getString("watching"), reply.encode());

        long toy = node.create("toy", new JsonObject().put("label", "kite"));
        assertEquals(200, node.patch("/toy/" + toy, new JsonObject().put("label", "red kite")).statusCode());

        JsonArray messages = messagesOnceThereAre(2);
        assertEquals("created", messages.getJsonObject(0).getString("verb"));
        assertEquals(toy, messages.getJsonObject(0).getLong("id"));
        assertEquals("updated", messages.getJsonObject(1).getString("verb"));
        assertEquals("red kite", messages.getJsonObject(1).getJsonObject("data").getString("label"));
    }

    @Test
    void aSubscriptionAfterAGetReplyGetsTheMessagesThatArrivedBeforeIt() {
        long read = pony("Read by a GET");
        long marker = pony("Marker");
        connect(node.adminToken(), null);
        subscribe("pony", List.of(marker));
        JsonObject reply = request("GET", "/pony/" + read, null);
        String position = reply.getJsonObject("headers").getString("X-Herald-Seq");
        assertTrue(position != null && position.matches("[0-9]+"), reply.encode());

        // the GET subscribed the socket: this update reaches the page before any subscription claims it
        assertEquals(200, node.patch("/pony/" + read, new JsonObject().put("hobby", "reading")).statusCode());
        assertEquals(200, node.patch("/pony/" + marker, new JsonObject().put("hobby", "marking")).statusCode());
        messagesOnceThereAre(1);

        Object late = browser.asyncScript("""
                const [read, position, done] = arguments;
                const got = [];
                t.h.subscribe('pony', [read], m => got.push(m), { after: position });
                t.h.subscribe('pony', [read], m => got.push('without after: ' + m.verb));
                setTimeout(() => done(JSON.stringify(got)), 0);
                """, read, position);
        JsonArray got = new JsonArray((String) late);
        assertEquals(1, got.size(), got.encode());
        assertEquals("reading", got.getJsonObject(0).getJsonObject("data").getString("hobby"));
        assertTrue(Long.parseLong(got.getJsonObject(0).getString("seq")) > Long.parseLong(position));
    }

    @Test
    void closingASubscriptionStopsItsMessages() {
        long closed = pony("Closed");
        long open = pony("Open");
        connect(node.adminToken(), null);
        browser.asyncScript("""
                const [closed, open, done] = arguments;
                const first = t.h.subscribe('pony', [closed], m => t.messages.push(m));
                const second = t.h.subscribe('pony', [open], m => t.messages.push(m));
                Promise.all([first.ready, second.ready]).then(() => { first.close(); done(); });
                """, closed, open);

        assertEquals(200, node.delete("/pony/" + closed).statusCode());
        assertEquals(200, node.delete("/pony/" + open).statusCode());

        JsonArray messages = messagesOnceThereAre(1);
        assertEquals(1, messages.size(), messages.encode());
        assertEquals(open, messages.getJsonObject(0).getLong("id"));
    }

    @Test
    void errorsComeBackAsAnswersOrRejectionsNeverSilently() {
        connect(node.token("reader", "toy:read"), null);

        JsonObject unknown = request("GET", "/unicorn", null);
        assertEquals(404, unknown.getInteger("statusCode"));
        assertEquals("E_UNKNOWN_MODEL", unknown.getJsonObject("body").getString("code"));

        JsonObject forbidden = request("DELETE", "/toy/1", null);
        assertEquals(403, forbidden.getInteger("statusCode"), forbidden.encode());

        JsonObject refused = subscribe("pony", List.of(1));
        assertEquals(403, refused.getInteger("failureCode"), refused.encode());
        browser.await("the refusal as an error event", d -> ((Number) browser.script("return t.errors.length")).intValue() == 1);
        assertEquals(Map.of("failureCode", 403L, "model", "pony"),
                browser.script("const e = t.errors[0]; return { failureCode: e.failureCode, model: e.model }"));

        JsonObject malformed = subscribe("pony", List.of(List.of(1, 2)));
        assertEquals(400, malformed.getInteger("failureCode"), malformed.encode());
        assertEquals("ids must be an array", browser.script("""
                try { t.h.subscribe('pony', 4, () => {}); return 'accepted'; } catch (e) { return e.message; }"""));
        assertEquals("no event 'nonsense' (status, resync, error)", browser.script("""
                try { t.h.on('nonsense', () => {}); return 'accepted'; } catch (e) { return e.message; }"""));
    }

    @Test
    void closeEndsTheConnectionAndFailsWhatIsAskedAfter() {
        connect(node.adminToken(), null);
        browser.script("t.h.close()");
        assertEquals(List.of("connected", "offline"), browser.script("return t.statuses"));
        JsonObject after = request("GET", "/pony", null);
        assertEquals("closed", after.getString("rejected"), after.encode());
    }
}
