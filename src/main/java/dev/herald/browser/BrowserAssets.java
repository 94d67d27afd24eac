package dev.herald.browser;

import dev.herald.errors.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The browser client {@code /_herald/herald.js}, the SockJS client it loads (from the sockjs-client
 * WebJar) and the console under {@code /_herald/console/}: read from the jar once, served to anyone
 * (no token, DESIGN §9) with an ETag and {@code no-cache}, so a new jar is picked up at once. {@code GET /}
 * redirects to the console. Every other {@code /_herald/} path falls through to the routes that need a token.
 */
public final class BrowserAssets {
    public static final String PREFIX = "/_herald/";
    public static final String CONSOLE = PREFIX + "console/";
    private static final String RESOURCES = "herald-browser/";
    private static final String SOCKJS_POM = "META-INF/maven/org.webjars.npm/sockjs-client/pom.properties";
    /** The console loads only its own files and talks only to its own origin. */
    private static final String CONSOLE_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private record Asset(Buffer bytes, String contentType, String etag) {
    }

    private final Map<String, Asset> assets;

    private BrowserAssets(Map<String, Asset> assets) {
        this.assets = assets;
    }

    /** Reads every asset from the class path; a jar without them is broken, and start-up says so. */
    public static BrowserAssets load() {
        Map<String, Asset> assets = new LinkedHashMap<>();
        put(assets, "herald.js", RESOURCES + "herald.js");
        put(assets, "console/", RESOURCES + "console/index.html");
        put(assets, "console/console.js", RESOURCES + "console/console.js");
        put(assets, "console/console.css", RESOURCES + "console/console.css");
        put(assets, "sockjs.min.js", "META-INF/resources/webjars/sockjs-client/" + sockJsVersion() + "/dist/sockjs.min.js");
        return new BrowserAssets(assets);
    }

    private static String sockJsVersion() {
        Properties pom = new Properties();
        try (InputStream in = open(SOCKJS_POM)) {
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SOCKJS_POM, e);
        }
        return pom.getProperty("version");
    }

    private static void put(Map<String, Asset> assets, String path, String resource) {
        try (InputStream in = open(resource)) {
            byte[] bytes = in.readAllBytes();
            assets.put(path, new Asset(Buffer.buffer(bytes), contentType(path), '"' + sha256(bytes) + '"'));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = BrowserAssets.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("the jar lacks " + resource + " (a broken build)");
        }
        return in;
    }

    private static String contentType(String path) {
        if (path.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        return path.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The routes that need no token: mount them before authentication. */
    public void mount(Router router) {
        router.get("/").handler(ctx -> redirect(ctx, CONSOLE));
        router.get(PREFIX + "*").handler(this::serve);
    }

    private void serve(RoutingContext ctx) {
        String path = ctx.request().path().substring(PREFIX.length());
        if (path.equals("console")) {
            redirect(ctx, CONSOLE);
            return;
        }
        Asset asset = assets.get(path);
        if (asset == null) {
            if (path.equals(ModelCatalog.PATH.substring(PREFIX.length()))) {
                ctx.next();
            } else {
                ctx.fail(ApiError.notFound("No file " + PREFIX + path + "."));
            }
            return;
        }
        ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader(HttpHeaders.ETAG, asset.etag())
                .putHeader("X-Content-Type-Options", "nosniff");
        if (path.equals("console/")) {
            ctx.response().putHeader("Content-Security-Policy", CONSOLE_POLICY).putHeader("Referrer-Policy", "no-referrer");
        }
        if (asset.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
            ctx.response().setStatusCode(304).end();
            return;
        }
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType()).end(asset.bytes());
    }

    private static void redirect(RoutingContext ctx, String to) {
        ctx.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, to).end();
    }
}
