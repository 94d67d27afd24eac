package dev.herald.haystack;

import dev.herald.haystack.json.Grid;
import dev.herald.haystack.json.GridJson;
import dev.herald.haystack.value.Coord;
import dev.herald.haystack.value.DateTime;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.Marker;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Str;
import dev.herald.haystack.value.Symbol;
import dev.herald.haystack.value.Uri;
import dev.herald.haystack.value.XStr;
import dev.herald.haystack.zinc.ZincReader;
import dev.herald.models.ModelsLoader;
import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestNode;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Haystack ops with Zinc bodies and Zinc answers, over HTTP; JSON stays the default. */
@Tier.Component
class ZincOpsTest {
    static final String SITE = HaystackOpsTest.SITE;
    static final String EQUIP = HaystackOpsTest.EQUIP;
    static final String POINT = HaystackOpsTest.POINT;
    static final String ZINC = "text/zinc; charset=utf-8";
    static final int BODY_LIMIT = 65_536;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.of(() -> TestNode.start(
            ModelsLoader.parse("note:\n  attributes:\n    text: { type: string }\n", "test models", false),
            Map.of("HERALD_MAX_BODY_BYTES", String.valueOf(BODY_LIMIT))));

    @BeforeEach
    void emptyDatabase() {
        node.sql("DELETE FROM entity");
    }

    /** POST with a Zinc body; {@code accept} may be null (no Accept header). */
    static HttpResponse<Buffer> zinc(String op, String body, String accept) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/zinc");
        if (accept != null) {
            headers.put("Accept", accept);
        }
        return node.exchange(HttpMethod.POST, "/api/" + op, headers, Buffer.buffer(body, "UTF-8"));
    }

    static HttpResponse<Buffer> get(String uri, String accept) {
        return node.exchange(HttpMethod.GET, uri, accept == null ? Map.of() : Map.of("Accept", accept), null);
    }

    /** A 200 answer in Zinc, read. */
    static Grid okZinc(HttpResponse<Buffer> response) {
        assertEquals(200, response.statusCode(), response.bodyAsString());
        assertEquals(ZINC, response.getHeader("Content-Type"));
        Grid grid = ZincReader.readGrid(response.bodyAsString());
        assertFalse(grid.meta().has("err"), response.bodyAsString());
        return grid;
    }

    /** An error grid in Zinc with this status; its {@code dis}. */
    static String errorZinc(HttpResponse<Buffer> response, int status) {
        assertEquals(status, response.statusCode(), response.bodyAsString());
        assertEquals(ZINC, response.getHeader("Content-Type"));
        assertTrue(response.bodyAsString().startsWith("ver:\"3.0\" err dis:\""), response.bodyAsString());
        Grid grid = ZincReader.readGrid(response.bodyAsString());
        assertEquals(Marker.VALUE, grid.meta().get("err"));
        assertEquals(Grid.empty(grid.meta()), grid, "no rows, one column 'empty', no errTrace");
        return ((Str) grid.meta().get("dis")).value();
    }

    static void seedTreeInZinc() {
        okZinc(zinc("createRec", "ver:\"3.0\"\nid,name,dis,site,tz,area,geoCoord\n"
                + "@" + SITE + ",\"site\",\"Site \\\"One\\\" ü\",M,\"Brisbane\",3500m²,C(-27.47,153.02)\n", ZINC));
        okZinc(zinc("createRec", "ver:\"3.0\"\nid,name,equip,siteRef\n@" + EQUIP + ",\"equip\",M,@site\n", "text/zinc"));
        okZinc(zinc("createRec", "ver:\"3.0\"\nid,name,dis,cur,curVal,equipRef,point,siteRef,tz,since,link,kinds,meta,sym,bin\n"
                + "@" + POINT + ",\"real-time_point\",\"Sample real-time point\",M,72.5°F,@site.equip,M,@site,\"Brisbane\","
                + "2020-09-01T01:00:00-04:00 New_York,`http://example.com/a\\`b`,[1,\"two\",@site],{a b:2 c:{d}},^hot-water,"
                + "Bin(\"text/plain\")\n", "text/zinc"));
    }

    @Test
    void createRecReadUpdateRecAndDeleteRecTakeAndAnswerZinc() {
        seedTreeInZinc();
        assertEquals(3, node.count("entity"));

        Grid read = okZinc(zinc("read", "ver:\"3.0\"\nid\n@" + POINT + "\n", "text/zinc"));
        assertEquals(1, read.rows().size());
        Dict point = read.rows().get(0);
        assertEquals(List.of("id", "name"), read.columns().stream().map(Grid.Column::name).toList().subList(0, 2));
        assertEquals("Sample real-time point", ((Ref) point.get("id")).dis());
        assertEquals(new Num(72.5, "°F"), point.get("curVal"));
        assertEquals(new Ref(EQUIP, "equip"), point.get("equipRef"));
        assertEquals("Site \"One\" ü", ((Ref) point.get("siteRef")).dis());
        assertEquals(DateTime.parse("2020-09-01T01:00:00-04:00 New_York"), point.get("since"));
        assertEquals(new Uri("http://example.com/a`b"), point.get("link"));
        assertEquals(HaystackList.of(Num.of(1), new Str("two"), Ref.of(SITE)), point.get("kinds"));
        assertEquals(new Dict(Map.of("a", Marker.VALUE, "b", Num.of(2), "c", new Dict(Map.of("d", Marker.VALUE)))), point.get("meta"));
        assertEquals(new Symbol("hot-water"), point.get("sym"));
        assertEquals(new XStr("Bin", "text/plain"), point.get("bin"));

        Grid site = okZinc(get("/api/read?id=@site", "text/zinc"));
        assertEquals(new Coord(-27.47, 153.02), site.rows().get(0).get("geoCoord"));
        assertEquals(new Num(3500, "m²"), site.rows().get(0).get("area"));

        Grid updated = okZinc(zinc("updateRec", "ver:\"3.0\"\nid,curVal,cur,dis\n@site.equip.real-time_point,-3°C,R,\"Renamed\"\n", "text/zinc"));
        Dict after = updated.rows().get(0);
        assertEquals(new Num(-3, "°C"), after.get("curVal"));
        assertNull(after.get("cur"), "R removes the tag");
        assertEquals(new Str("Renamed"), after.get("dis"));

        Grid byFilter = okZinc(zinc("read", "ver:\"3.0\"\nfilter,limit\n\"point and curVal < 0°C\",N\n", "text/zinc"));
        assertEquals(1, byFilter.rows().size());

        String dis = errorZinc(zinc("deleteRec", "ver:\"3.0\"\nid\n@" + SITE + "\n", "text/zinc"), 400);
        assertTrue(dis.startsWith("HBadRequestError: Cannot delete @" + SITE), dis);
        Grid deleted = okZinc(zinc("deleteRec", "ver:\"3.0\"\nfilter\n\"siteRef==@site or id==@site\"\n", "text/zinc"));
        assertEquals(3, deleted.rows().size());
        assertEquals(0, node.count("entity"));
        assertEquals(Grid.empty(Dict.EMPTY), okZinc(zinc("read", "ver:\"3.0\"\nfilter\n\"site\"\n", "text/zinc")),
                "nothing matches: the empty grid, ver:\"3.0\"\\nempty\\n");
        assertEquals("ver:\"3.0\"\nempty\n", zinc("read", "ver:\"3.0\"\nfilter\n\"site\"\n", "text/zinc").bodyAsString());
    }

    @Test
    void zincAndJsonGiveTheSameDataForTheSameEntity() {
        seedTreeInZinc();
        for (String id : List.of(SITE, EQUIP, POINT)) {
            HttpResponse<Buffer> json = get("/api/read?id=@" + id, null);
            HttpResponse<Buffer> zinc = get("/api/read?id=@" + id, "text/zinc");
            assertEquals("application/json; charset=utf-8", json.getHeader("Content-Type"));
            Grid fromZinc = okZinc(zinc);
            JsonObject fromJson = json.bodyAsJsonObject();
            assertEquals(fromJson, GridJson.encode(fromZinc), "the same grid, Ref display text and JSON version included");
            assertEquals(GridJson.decode(fromJson), fromZinc);
        }
        HttpResponse<Buffer> viaJson = node.call(HttpMethod.POST, "/api/createRec", GridJson.encode(
                ZincReader.readGrid("ver:\"3.0\"\nname,curVal,since,tags,point\n\"json\",12.5%,2021-01-01T00:00:00Z UTC,[^a,C(1,2)],M\n")));
        HttpResponse<Buffer> viaZinc = zinc("createRec", "ver:\"3.0\"\nname,curVal,since,tags,point\n\"zinc\",12.5%,2021-01-01T00:00:00Z,[^a,C(1,2)],M\n", null);
        assertEquals(200, viaJson.statusCode(), viaJson.bodyAsString());
        assertEquals(200, viaZinc.statusCode(), viaZinc.bodyAsString());
        JsonObject a = viaJson.bodyAsJsonObject().getJsonArray("rows").getJsonObject(0);
        JsonObject b = viaZinc.bodyAsJsonObject().getJsonArray("rows").getJsonObject(0);
        a.remove("id");
        b.remove("id");
        assertEquals(a.put("name", "s:zinc"), b, "a Zinc body stores what the same JSON body stores");
    }

    @Test
    void acceptChoosesTheAnswerAndJsonStaysTheDefault() {
        seedTreeInZinc();
        String json = "application/json; charset=utf-8";
        assertEquals(json, get("/api/about", null).getHeader("Content-Type"));
        assertEquals(json, get("/api/about", "*/*").getHeader("Content-Type"));
        assertEquals(json, get("/api/about", "application/json").getHeader("Content-Type"));
        assertEquals(json, get("/api/about", "text/zinc;q=0.5, application/json").getHeader("Content-Type"));
        assertEquals(json, get("/api/about", "text/html").getHeader("Content-Type"));
        assertEquals(ZINC, get("/api/about", "application/json;q=0.5, text/zinc").getHeader("Content-Type"));
        assertEquals(ZINC, get("/api/about", "text/*").getHeader("Content-Type"));
        assertEquals("Accept", get("/api/about", "text/zinc").getHeader("Vary"));
        Dict about = okZinc(get("/api/about", "text/zinc")).rows().get(0);
        assertEquals(new Str("3.0"), about.get("haystackVersion"));
        assertTrue(about.get("serverTime") instanceof DateTime t && t.tz().equals("UTC") && t.isoText().endsWith("Z"));
        assertEquals(List.of("about", "ops", "formats", "read", "createRec", "updateRec", "deleteRec", "watchSub", "watchUnsub", "watchPoll"),
                okZinc(get("/api/ops", "text/zinc")).rows().stream().map(r -> ((Str) r.get("name")).value()).toList());

        Grid read = okZinc(zinc("read", "ver:\"3.0\"\nfilter\n\"site\"\n", "text/zinc"));
        assertEquals(1, read.rows().size());
        HttpResponse<Buffer> asJson = zinc("read", "ver:\"3.0\"\nfilter\n\"site\"\n", null);
        assertEquals(json, asJson.getHeader("Content-Type"), "a Zinc body alone does not make a Zinc answer");
        assertEquals(GridJson.encode(read), asJson.bodyAsJsonObject());
        HttpResponse<Buffer> charset = node.exchange(HttpMethod.POST, "/api/read",
                Map.of("Content-Type", "text/zinc;charset=UTF-8", "Accept", "text/zinc"),
                Buffer.buffer("ver:\"3.0\"\nfilter\n\"site\"\n"));
        assertEquals(read, okZinc(charset));
        HttpResponse<Buffer> jsonInZincOut = node.exchange(HttpMethod.POST, "/api/read",
                Map.of("Content-Type", "application/json", "Accept", "text/zinc"),
                Buffer.buffer("{\"meta\":{\"ver\":\"2.0\"},\"cols\":[{\"name\":\"filter\"}],\"rows\":[{\"filter\":\"s:site\"}]}"));
        assertEquals(read, okZinc(jsonInZincOut));
    }

    @Test
    void formatsListsZincNextToJson() {
        String expected = "ver:\"3.0\"\nmime,receive,send\n\"application/json\",M,M\n\"text/zinc\",M,M\n";
        HttpResponse<Buffer> response = get("/api/formats", "text/zinc");
        assertEquals(200, response.statusCode());
        assertEquals(expected, response.bodyAsString());
        JsonObject json = get("/api/formats", null).bodyAsJsonObject();
        assertEquals(List.of("s:application/json", "s:text/zinc"),
                json.getJsonArray("rows").stream().map(r -> ((JsonObject) r).getString("mime")).toList());
        assertEquals("m:", json.getJsonArray("rows").getJsonObject(1).getString("receive"));
        assertEquals("m:", json.getJsonArray("rows").getJsonObject(1).getString("send"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "ver:\"3.0\"\nid\n@bad id\n",
            "ver:\"3.0\"\ndis\n\"unterminated\n",
            "ver:\"3.0\"\ndis,site\n\"a\",M,M\n",
            "ver:\"3.0\"\ndis\n\"a\\u0000b\"\n",
            "ver:\"3.0\"\ndis\n\"\\ud800\"\n",
            "ver:\"3.0\"\ndeep\nDEEP\n",
            "ver:\"3.0\"\ndeep\nDICTS\n",
            "ver:\"3.0\"\ndis\n\"ok\"\ntrailing,cells\n",
            "ver:\"3.0\"\nname\n\"x\"\n>>\n"})
    void aMalformedZincBodyIsABadRequestErrorGridInZincAndCreatesNothing(String body) {
        seedTreeInZinc();
        String zinc = body.replace("DEEP", "[".repeat(62) + "]".repeat(62)).replace("DICTS", "{a:".repeat(62) + "M" + "}".repeat(62));
        String dis = errorZinc(zinc("createRec", zinc, "text/zinc"), 400);
        assertTrue(dis.startsWith("HBadRequestError: Cannot parse request grid: line "), dis);
        assertEquals(3, node.count("entity"));
        HttpResponse<Buffer> inJson = zinc("createRec", zinc, null);
        assertEquals(400, inJson.statusCode());
        assertEquals("s:" + dis, inJson.bodyAsJsonObject().getJsonObject("meta").getString("dis"), "the same error as a JSON error grid");
    }

    @Test
    void malformedZincNamesTheLineAndColumn() {
        String dis = errorZinc(zinc("read", "ver:\"3.0\"\nid\n@" + POINT + "\n@x y\n", "text/zinc"), 400);
        assertEquals("HBadRequestError: Cannot parse request grid: line 4, column 4: expected the end of the line, not 'y'", dis);
    }

    @Test
    void zincBodiesAreUtf8AndWithinTheBodyLimit() {
        String dis = errorZinc(node.exchange(HttpMethod.POST, "/api/createRec",
                Map.of("Content-Type", "text/zinc; charset=ISO-8859-1", "Accept", "text/zinc"),
                Buffer.buffer("ver:\"3.0\"\ndis\n\"x\"\n")), 400);
        assertTrue(dis.contains("must be UTF-8"), dis);
        Buffer latin1 = Buffer.buffer("ver:\"3.0\"\ndis\n\"caf".getBytes(StandardCharsets.UTF_8))
                .appendByte((byte) 0xE9).appendString("\"\n");
        dis = errorZinc(node.exchange(HttpMethod.POST, "/api/createRec", Map.of("Content-Type", "text/zinc", "Accept", "text/zinc"),
                latin1), 400);
        assertTrue(dis.contains("line 3, column 5: the body is not valid UTF-8"), dis);
        assertEquals(0, node.count("entity"));

        Buffer huge = Buffer.buffer("ver:\"3.0\"\ndis\n\"" + "x".repeat(BODY_LIMIT) + "\"\n");
        dis = errorZinc(node.exchange(HttpMethod.POST, "/api/createRec", Map.of("Content-Type", "text/zinc", "Accept", "text/zinc"),
                huge), 413);
        assertTrue(dis.contains("larger than"), dis);
    }

    @Test
    void errorsBeforeAndAfterTheOpAreZincErrorGridsWithWideSkysStatuses() {
        HttpResponse<Buffer> anonymous = node.call(HttpMethod.GET, "/api/about", null, null);
        assertEquals(401, anonymous.statusCode());
        HttpResponse<Buffer> anonymousZinc = node.exchange(HttpMethod.GET, "/api/about",
                Map.of("Accept", "text/zinc", "Authorization", "Bearer nope"), null);
        assertTrue(errorZinc(anonymousZinc, 401).startsWith("HUnauthorizedError"));
        assertTrue(errorZinc(get("/api/nonesuch", "text/zinc"), 404).startsWith("HNotFoundError: No op 'nonesuch'"));
        String missing = java.util.UUID.randomUUID().toString();
        assertEquals("HNotFoundError: @" + missing, errorZinc(zinc("read", "ver:\"3.0\"\nid\n@" + missing + "\n", "text/zinc"), 404));
        String reader = node.token("reader", "entity:read");
        HttpResponse<Buffer> forbidden = node.exchange(HttpMethod.POST, "/api/createRec",
                Map.of("Content-Type", "text/zinc", "Accept", "text/zinc", "Authorization", "Bearer " + reader),
                Buffer.buffer("ver:\"3.0\"\nsite\nM\n"));
        assertTrue(errorZinc(forbidden, 403).startsWith("HForbiddenError"));
    }
}
