package dev.herald.browser;

import dev.herald.testing.Browser;
import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestNode;
import dev.herald.testing.Tokens;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console at {@code /_herald/console/} in a real headless Chromium: signing in (pasted token or
 * {@code #token=}, kept in sessionStorage only), the records of a model, live removal, creation and
 * updates, destroy with a confirmation, a refused destroy naming its children, paging; and the assets'
 * HTTP contract (no token, redirect, the model catalogue's permissions).
 */
@Tier.Component
class ConsoleBrowserTest {
    private static final String MODELS = """
            pony:
              attributes:
                name:   { type: string, required: true }
                hobby:  { type: string }
                secret: { type: string, private: true }
                toys:   { collection: toy, via: owner, onDestroy: restrict }
            toy:
              attributes:
                label: { type: string, required: true }
                owner: { model: pony }
            """;
    private static final int FILLERS = 20;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels(MODELS);

    @RegisterExtension
    static final Browser browser = new Browser();

    private static long pinkie;
    private static long rarity;
    private static long applejack;
    private static List<Long> applejacksToys;

    @BeforeAll
    static void ponies() {
        pinkie = pony("Pinkie Pie", "kickin");
        rarity = pony("Rarity", "fashion");
        applejack = pony("Applejack", "apples");
        applejacksToys = List.of(toy("lasso", applejack), toy("hat", applejack));
        for (int i = 1; i <= FILLERS; i++) {
            pony("Filler " + i, null);
        }
    }

    private static long pony(String name, String hobby) {
        return node.create("pony", new JsonObject().put("name", name).put("hobby", hobby).put("secret", "s3cret"));
    }

    private static long toy(String label, long owner) {
        return node.create("toy", new JsonObject().put("label", label).put("owner", owner));
    }

    private static String console() {
        return "http://127.0.0.1:" + node.port() + "/_herald/console/";
    }

    /** Forgets any earlier sign-in; the next load of the console is a new document. */
    private void signedOut() {
        browser.driver().get(console());
        browser.forget();
        browser.driver().get("about:blank");
    }

    /** Opens the console signed in through the address, waits for it to connect and show the ponies. */
    private void signedIn() {
        signedOut();
        browser.driver().get(console() + "#token=" + node.adminToken());
        browser.await("the console connected", d -> status().equals("connected"));
        browser.await("the ponies shown", d -> row("pony", pinkie) != null);
    }

    private String status() {
        return browser.find("[data-herald-status]").getText();
    }

    private WebElement row(String model, long id) {
        List<WebElement> rows = browser.findAll("tr[data-herald-model='" + model + "'][data-herald-id='" + id + "']");
        return rows.isEmpty() ? null : rows.get(0);
    }

    private String cell(long pony, String attribute) {
        return row("pony", pony).findElement(By.cssSelector("td[data-herald-attribute='" + attribute + "']")).getText();
    }

    private void awaitGone(long pony) {
        browser.await("row " + pony + " removed", d -> row("pony", pony) == null);
    }

    private boolean dialogOpen() {
        return (Boolean) browser.script("return document.querySelector('#confirm').open");
    }

    private void assertTokenOnlyInSessionStorage(String token) {
        assertEquals(0L, browser.script("return localStorage.length"), "nothing in localStorage");
        assertEquals("", browser.script("return document.cookie"), "no cookie");
        assertTrue(browser.driver().manage().getCookies().isEmpty(), "no cookie, HttpOnly included");
        assertEquals(token, browser.script("return sessionStorage.getItem('herald.token')"));
        assertFalse(browser.driver().getCurrentUrl().contains(token), "the token is not in the address");
    }

    @Test
    void aPastedTokenSignsInAndIsKeptInSessionStorageOnly() {
        signedOut();
        browser.driver().get(console());
        WebElement field = browser.await("the sign-in form", d -> browser.find("#token").isDisplayed() ? browser.find("#token") : null);
        assertEquals("Token (JWT)", browser.find("label[for='token']").getText(), "the field is labelled");

        field.sendKeys(node.adminToken());
        browser.find("#sign-in-form button[type='submit']").click();

        browser.await("the console connected", d -> status().equals("connected"));
        browser.await("Pinkie Pie's row", d -> row("pony", pinkie) != null);
        assertEquals("Pinkie Pie", cell(pinkie, "name"));
        assertEquals("kickin", cell(pinkie, "hobby"));
        assertTrue(browser.findAll("td[data-herald-attribute='secret']").isEmpty(), "private attributes are not shown");
        assertTokenOnlyInSessionStorage(node.adminToken());
        @SuppressWarnings("unchecked")
        List<String> fetched = (List<String>) browser.script("return performance.getEntriesByType('resource').map(e => e.name)");
        assertTrue(fetched.stream().anyMatch(u -> u.contains("/realtime/info")), fetched.toString());
        assertTrue(fetched.stream().noneMatch(u -> u.contains("/xhr")), "the console's CSP lets SockJS use WebSocket: " + fetched);
    }

    @Test
    void aTokenInTheAddressIsReadThenRemovedFromIt() {
        signedIn();
        assertEquals(console(), browser.driver().getCurrentUrl());
        assertTokenOnlyInSessionStorage(node.adminToken());
    }

    @Test
    void aRefusedTokenShowsAnErrorAndTheSignInForm() {
        signedOut();
        browser.driver().get(console() + "#token=not.a.token");
        browser.await("the refusal", d -> browser.find("[data-herald-error]").getText().contains("401"));
        assertTrue(browser.find("#token").isDisplayed());
        assertEquals(null, browser.script("return sessionStorage.getItem('herald.token')"), "a refused token is forgotten");
    }

    @Test
    void anExpiredTokenSignsTheConsoleOutSayingSo() {
        String shortLived = Tokens.sign(Tokens.claims("brief", 6, "*:*"), TestNode.SECRET);
        signedOut();
        browser.driver().get(console() + "#token=" + shortLived);
        browser.await("the console connected", d -> status().equals("connected"));
        browser.await("the ponies shown", d -> row("pony", pinkie) != null);

        browser.await("the expiry reported", d -> browser.find("[data-herald-error]").getText().contains("token expired"));
        assertTrue(browser.find("#token").isDisplayed(), "the sign-in form is back");
        assertEquals(null, browser.script("return sessionStorage.getItem('herald.token')"), "the expired token is forgotten");
    }

    @Test
    void aDestroyOverRestMakesTheRowFlashAndLeave() {
        signedIn();
        long pony = pony("Derpy", "mail");
        browser.await("the created row", d -> row("pony", pony) != null);
        browser.script("""
                window.flashed = [];
                new MutationObserver(changes => changes.forEach(c => {
                  if (c.target.classList?.contains('leaving')) flashed.push(c.target.dataset.heraldId);
                })).observe(document.querySelector('#records tbody'), { attributes: true, subtree: true, attributeFilter: ['class'] });
                """);

        assertEquals(200, node.delete("/pony/" + pony).statusCode());

        awaitGone(pony);
        assertEquals(List.of(String.valueOf(pony)), browser.script("return flashed"), "the row flashed before it left");
        WebElement event = browser.find("[data-herald-event][data-verb='destroyed'][data-id='" + pony + "']");
        assertEquals("pony", event.getDomAttribute("data-model"));
        assertTrue(event.getDomAttribute("data-seq").matches("[0-9]+"), event.getDomAttribute("data-seq"));
    }

    @Test
    void createdRowsAppearAndUpdatedCellsChange() {
        signedIn();
        long pony = pony("Starlight", "cutie marks");
        browser.await("the created row", d -> row("pony", pony) != null);
        assertEquals("Starlight", cell(pony, "name"));

        assertEquals(200, node.patch("/pony/" + pony, new JsonObject().put("hobby", "time travel")).statusCode());
        browser.await("the updated cell", d -> cell(pony, "hobby").equals("time travel"));
        assertEquals(Set.of("created", "updated"), browser.findAll("[data-herald-event][data-id='" + pony + "']").stream()
                .map(e -> e.getDomAttribute("data-verb")).collect(Collectors.toSet()));
    }

    @Test
    void theDestroyButtonAsksFirstAndCancelKeepsTheRecord() {
        signedIn();
        row("pony", rarity).findElement(By.cssSelector("button[data-herald-action='destroy']")).click();
        browser.await("the confirmation", d -> dialogOpen());
        assertTrue(browser.find("#confirm-text").getText().contains("Rarity"));
        browser.find("button[data-herald-action='cancel']").click();
        browser.await("the confirmation closed", d -> !dialogOpen());
        assertEquals(200, node.get("/pony/" + rarity).statusCode(), "cancel destroys nothing");

        row("pony", rarity).findElement(By.cssSelector("button[data-herald-action='destroy']")).click();
        browser.await("the confirmation", d -> dialogOpen());
        browser.find("button[data-herald-action='confirm']").click();

        awaitGone(rarity);
        assertEquals(404, node.get("/pony/" + rarity).statusCode());
        WebElement event = browser.find("[data-herald-event][data-verb='destroyed'][data-id='" + rarity + "']");
        assertEquals("you", event.getDomAttribute("data-origin"));
    }

    @Test
    void theKeyboardAloneCanAskForADestroyAndEscapeCancelsIt() {
        signedIn();
        long pony = pony("Keyboard Kid", null);
        browser.await("the row", d -> row("pony", pony) != null);
        WebElement button = row("pony", pony).findElement(By.cssSelector("button[data-herald-action='destroy']"));
        assertEquals("Destroy pony " + pony, button.getDomAttribute("aria-label"));
        button.sendKeys(Keys.ENTER);
        browser.await("the confirmation", d -> dialogOpen());
        assertEquals("cancel", browser.script("return document.activeElement.value"), "focus starts on Cancel");
        browser.driver().switchTo().activeElement().sendKeys(Keys.ESCAPE);
        browser.await("the confirmation closed", d -> !dialogOpen());
        assertEquals(200, node.get("/pony/" + pony).statusCode());
    }

    @Test
    void aRefusedDestroyShowsTheBlockingChildrenAndKeepsTheRow() {
        signedIn();
        row("pony", applejack).findElement(By.cssSelector("button[data-herald-action='destroy']")).click();
        browser.await("the confirmation", d -> dialogOpen());
        browser.find("button[data-herald-action='confirm']").click();

        String error = browser.await("the error", d -> {
            String text = browser.find("[data-herald-error]").getText();
            return text.isEmpty() ? null : text;
        });
        assertTrue(error.contains("409") && error.contains("E_HAS_CHILDREN"), error);
        assertTrue(error.contains("toy " + applejacksToys.get(0) + ", " + applejacksToys.get(1)), error);
        assertTrue(row("pony", applejack).isDisplayed());
        assertEquals(200, node.get("/pony/" + applejack).statusCode());
    }

    @Test
    void theModelPickerAndThePagesShowEveryRecord() {
        signedIn();
        browser.find("button[data-herald-model='toy']").click();
        browser.await("the toys", d -> row("toy", applejacksToys.get(0)) != null);
        assertEquals("true", browser.find("button[data-herald-model='toy']").getDomAttribute("aria-pressed"));

        browser.find("button[data-herald-model='pony']").click();
        browser.await("the ponies", d -> row("pony", pinkie) != null);
        List<Long> ponies = node.get("/pony?limit=1000&sort=id%20ASC").bodyAsJsonArray().stream()
                .map(p -> ((JsonObject) p).getLong("id")).toList();
        assertEquals(20, browser.findAll("#records tbody tr").size());
        browser.find("#next").click();
        browser.await("the second page", d -> row("pony", ponies.get(20)) != null);
        assertEquals(ponies.subList(20, Math.min(40, ponies.size())).stream().map(String::valueOf).toList(),
                browser.findAll("#records tbody tr").stream().map(r -> r.getDomAttribute("data-herald-id")).toList());
        browser.find("#previous").click();
        browser.await("the first page again", d -> row("pony", ponies.get(0)) != null);
    }

    @Test
    void withAuthenticationOffTheConsoleOpensWithoutAToken() {
        try (TestNode open = TestNode.demo(Map.of("HERALD_AUTH", "none"))) {
            String url = "http://127.0.0.1:" + open.port() + "/_herald/console/";
            browser.driver().get(url);
            browser.forget();
            browser.driver().get("about:blank");
            browser.driver().get(url);
            browser.await("the console connected", d -> status().equals("connected"));
            browser.await("Pinkie Pie's row", d -> row("pony", 4) != null);
            assertEquals("Pinkie Pie", cell(4, "name"));
            assertFalse(browser.find("#sign-in").isDisplayed());
        }
    }

    @Test
    void theRootRedirectsToTheConsoleAndNoAssetNeedsAToken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> root = get(http, "/", Map.of());
        assertEquals(302, root.statusCode());
        assertEquals("/_herald/console/", root.headers().firstValue("location").orElse(null));

        for (String asset : List.of("/_herald/herald.js", "/_herald/sockjs.min.js", "/_herald/console/",
                "/_herald/console/console.js", "/_herald/console/console.css")) {
            HttpResponse<String> response = get(http, asset, Map.of());
            assertEquals(200, response.statusCode(), asset);
            assertEquals("nosniff", response.headers().firstValue("x-content-type-options").orElse(null), asset);
            String etag = response.headers().firstValue("etag").orElseThrow();
            assertEquals(304, get(http, asset, Map.of("If-None-Match", etag)).statusCode(), asset);
        }
        assertTrue(get(http, "/_herald/herald.js", Map.of()).headers().firstValue("content-type").orElseThrow().startsWith("text/javascript"));
        assertTrue(get(http, "/_herald/console/", Map.of()).headers().firstValue("content-security-policy").orElseThrow()
                .contains("default-src 'self'"));
        HttpResponse<String> missing = get(http, "/_herald/nothing.js", Map.of());
        assertEquals(404, missing.statusCode());
        assertEquals("E_NOT_FOUND", new JsonObject(missing.body()).getString("code"));
        assertEquals(302, get(http, "/_herald/console", Map.of()).statusCode());
    }

    @Test
    void hostileAssetPathsGetJsonErrorsAndNeverAFileOutsideTheAssets() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/_herald/", "/_herald/..%2f..%2fpom.xml", "/_herald/%2e%2e/%2e%2e/pom.xml",
                "/_herald/console/console.js/", "/_herald/META-INF/MANIFEST.MF", "/_herald/herald-browser/herald.js",
                "/_herald/" + "a".repeat(3000), "/_herald/%00", "/_herald/console/..;/..;/pom.xml")) {
            HttpResponse<String> response = get(http, path, Map.of());
            // 401: a path that normalises out of /_herald/ (../) is an ordinary route, which needs a token
            assertTrue(List.of(400, 401, 404).contains(response.statusCode()), path + " answered " + response.statusCode());
            assertTrue(response.body().isEmpty() || new JsonObject(response.body()).getString("code").startsWith("E_"),
                    path + ": " + response.body());
        }
        HttpResponse<String> post = post(http, "/_herald/herald.js");
        assertEquals(401, post.statusCode(), "only GET serves assets; anything else needs a token like any route");
    }

    private static HttpResponse<String> post(HttpClient http, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theModelCatalogueNeedsATokenAndListsWhatItMayRead() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(401, get(http, "/_herald/models", Map.of()).statusCode());
        assertEquals(401, get(http, "/_herald/models", Map.of("Authorization", "Bearer not.a.token")).statusCode());

        JsonArray all = new JsonObject(get(http, "/_herald/models", bearer(node.adminToken())).body()).getJsonArray("models");
        assertEquals(List.of("pony", "toy"), all.stream().map(m -> ((JsonObject) m).getString("identity")).toList());
        JsonObject pony = all.getJsonObject(0);
        assertEquals(new JsonArray().add(new JsonObject().put("name", "name").put("type", "string"))
                        .add(new JsonObject().put("name", "hobby").put("type", "string"))
                        .add(new JsonObject().put("name", "toys").put("collection", "toy")),
                pony.getJsonArray("attributes"), "private attributes are not listed");
        assertEquals(new JsonObject().put("name", "owner").put("model", "pony"),
                all.getJsonObject(1).getJsonArray("attributes").getJsonObject(1));

        JsonArray toysOnly = new JsonObject(get(http, "/_herald/models", bearer(node.token("kid", "toy:read"))).body())
                .getJsonArray("models");
        assertEquals(List.of("toy"), toysOnly.stream().map(m -> ((JsonObject) m).getString("identity")).toList());
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static HttpResponse<String> get(HttpClient http, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
