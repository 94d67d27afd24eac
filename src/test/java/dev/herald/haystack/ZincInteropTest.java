package dev.herald.haystack;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.NodePackages;
import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zinc both ways with the unmodified npm package {@code haystack-core} 3.0.13 (J2 Innovations) in
 * Node: it reads Herald's Zinc answer of a read, and Herald reads the Zinc it writes for a createRec.
 * The package is installed from npm into {@code target/} on first use. Node.js and npm are required:
 * without them this test fails rather than skips.
 */
@Tier.Component
class ZincInteropTest {
    private static final Path DIR = Path.of("target", "haystack-core-zinc");
    private static final String VERSION = "3.0.13";
    static final String SITE = HaystackOpsTest.SITE;
    static final String POINT = HaystackOpsTest.POINT;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.withModels("note:\n  attributes:\n    text: { type: string }\n");

    @BeforeAll
    static void installHaystackCore() throws IOException, InterruptedException {
        NodePackages.install(Path.of("src", "test", "js", "haystack-core"), DIR.getFileName().toString(),
                List.of("package.json", "zinc-interop.js"), Map.of("haystack-core", VERSION));
    }

    private static void createInZinc(String zinc) {
        HttpResponse<Buffer> response = node.exchange(HttpMethod.POST, "/api/createRec", Map.of("Content-Type", "text/zinc"),
                Buffer.buffer(zinc, "UTF-8"));
        assertEquals(200, response.statusCode(), response.bodyAsString());
    }

    @Test
    void haystackCoreReadsHeraldsZincAndHeraldReadsHaystackCoresZinc() throws Exception {
        node.sql("DELETE FROM entity");
        createInZinc("ver:\"3.0\"\nid,name,dis,site\n@" + SITE + ",\"site\",\"Site\",M\n");
        createInZinc("ver:\"3.0\"\nid,name,dis,point,curVal,siteRef,since,utc,installed,opens,geoCoord,link,kind,bin,list,dict,enabled,na\n"
                + "@" + POINT + ",\"point\",\"Point \\\"7\\\" ü\",M,72.5°F,@site,2020-09-01T01:00:00-04:00 New_York,"
                + "2021-01-02T03:04:05Z UTC,2021-03-04,08:30:00,C(-27.47,153.02),`http://x/y?z`,^hot-water,Bin(\"text/plain\"),"
                + "[1,\"two\",M],{a b:2kW},T,NA\n");

        Map<String, String> lines = runScript(POINT);

        JsonObject read = new JsonObject(lines.get("READ"));
        assertEquals("3.0", read.getJsonObject("meta").getString("ver"));
        assertEquals(1, read.getJsonArray("rows").size());
        JsonObject point = read.getJsonArray("rows").getJsonObject(0);
        JsonObject utc = point.getJsonObject("utc");
        assertEquals("2021-01-02T03:04:05Z", utc.getString("val"));
        assertTrue(utc.getString("tz") == null || utc.getString("tz").equals("UTC"), utc.encode());
        point.remove("utc");
        assertEquals(new JsonObject("""
                {"id":{"_kind":"ref","val":"%s","dis":"Point \\"7\\" ü"},"name":"point","bin":{"_kind":"xstr","val":"text/plain","type":"Bin"},
                 "curVal":{"_kind":"number","val":72.5,"unit":"°F"},"dict":{"a":{"_kind":"marker"},"b":{"_kind":"number","val":2,"unit":"kW"}},
                 "dis":"Point \\"7\\" ü","enabled":true,"geoCoord":{"_kind":"coord","lat":-27.47,"lng":153.02},
                 "installed":{"_kind":"date","val":"2021-03-04"},"kind":{"_kind":"symbol","val":"hot-water"},
                 "link":{"_kind":"uri","val":"http://x/y?z"},"list":[1,"two",{"_kind":"marker"}],"na":{"_kind":"na"},
                 "opens":{"_kind":"time","val":"08:30:00"},"point":{"_kind":"marker"},
                 "since":{"_kind":"dateTime","val":"2020-09-01T01:00:00-04:00","tz":"New_York"},
                 "siteRef":{"_kind":"ref","val":"%s","dis":"Site"}}""".formatted(POINT, SITE)), point,
                "haystack-core reads every value of Herald's Zinc answer");

        String sent = new JsonArray("[" + lines.get("SENT") + "]").getString(0);
        JsonObject created = new JsonObject(lines.get("CREATED")).getJsonArray("rows").getJsonObject(0);
        assertEquals("from-haystack-core", created.getString("name"), sent);

        HttpResponse<Buffer> stored = node.call(HttpMethod.GET, "/api/read?filter=name%3D%3D%22from-haystack-core%22", null);
        assertEquals(200, stored.statusCode(), stored.bodyAsString());
        JsonObject row = stored.bodyAsJsonObject().getJsonArray("rows").getJsonObject(0);
        assertTrue(row.getString("id").startsWith("r:"), row.encode());
        row.remove("id");
        assertEquals(new JsonObject("""
                {"name":"s:from-haystack-core","area":"n:1500 m²","big":"n:1000000000000000000000","bin":"x:Bin:text/plain",
                 "curVal":"n:-12.25 °F","dict":{"a":"m:","b":"n:2 kW","c":{"d":"s:e"}},
                 "dis":"s:Quote \\" backslash \\\\ tab \\t newline \\n dollar $ ü €","enabled":true,
                 "geoCoord":"c:-27.4705,153.026","humidity":"n:45 %%","installed":"d:2021-03-04","kind":"y:hot-water",
                 "link":"u:http://example.com/a?b=c#d","list":["n:1","s:two","m:"],"na":"z:","opens":"h:08:30:15",
                 "point":"m:","price":"n:9.99 $","since":"t:2020-09-01T01:00:00-04:00 New_York",
                 "pointRef":"r:%s Point \\"7\\" ü","tiny":"n:0.00000015","utc":"t:2021-01-02T03:04:05Z UTC"}""".formatted(POINT)),
                row, "Herald stores every value of haystack-core's Zinc (sent: " + sent + ")");
    }

    /** Runs the script against the node; its {@code KEY rest} lines by key. */
    private static Map<String, String> runScript(String id) throws IOException, InterruptedException {
        Process script = new ProcessBuilder("node", "zinc-interop.js", "http://127.0.0.1:" + node.port(), node.adminToken(), id)
                .directory(DIR.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(script.waitFor(60, TimeUnit.SECONDS), "the script did not end: " + output);
            assertEquals(0, script.exitValue(), output);
            Map<String, String> lines = new HashMap<>();
            for (String line : output.split("\n")) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    lines.put(line.substring(0, space), line.substring(space + 1));
                }
            }
            for (String key : List.of("READ", "SENT", "CREATED")) {
                assertTrue(lines.containsKey(key), "no " + key + " line in:\n" + output);
            }
            return lines;
        } finally {
            script.destroyForcibly();
        }
    }
}
