package dev.herald.auth;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestNode;
import dev.herald.testing.Tier;
import dev.herald.testing.Tokens;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static dev.herald.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tokens on every route: 401 for no, malformed, forged or expired tokens; 403 for missing permissions. */
@Tier.Component
class AuthTest {
    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    private static JsonObject claims(long expiresInSeconds, String... permissions) {
        return Tokens.claims("mallory", expiresInSeconds, permissions);
    }

    private static String sign(JsonObject claims, String secret) {
        return Tokens.sign(claims, secret);
    }

    private static void assert401(String token) {
        var response = node.call(HttpMethod.DELETE, "/pony/1", null, token);
        assertEquals(401, response.statusCode(), response.bodyAsString());
        assertEquals("E_UNAUTHORIZED", json(response).getString("code"));
        assertEquals("Bearer", response.getHeader("WWW-Authenticate"));
        assertEquals(1, node.sql("SELECT 1 FROM pony WHERE id = 1").size(), "nothing destroyed");
    }

    @Test
    void noTokenIs401() {
        assert401(null);
    }

    @Test
    void garbageTokensAre401() {
        assert401("not-a-jwt");
        assert401("a.b.c");
        assert401("....");
        assert401("x".repeat(7_000) + ".y.z");
    }

    @Test
    void aTokenSignedWithAnotherSecretIs401() {
        assert401(sign(claims(3600, "*:*"), "another-secret-another-secret-another-secret"));
    }

    @Test
    void anExpiredTokenIs401() {
        assert401(sign(claims(-120, "*:*"), TestNode.SECRET));
    }

    @Test
    void aTokenStopsWorkingAtItsExpNotLater() throws InterruptedException {
        long exp = System.currentTimeMillis() / 1000 + 2;
        String token = sign(claims(0, "pony:read").put("exp", exp), TestNode.SECRET);
        assertEquals(200, node.call(HttpMethod.GET, "/pony/1", null, token).statusCode(), "good before exp (and now verified once)");
        Thread.sleep(Math.max(0, exp * 1000 - System.currentTimeMillis()) + 200);
        var late = node.call(HttpMethod.GET, "/pony/1", null, token);
        assertEquals(401, late.statusCode(), "no verified-token cache outlives exp");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"soon\"", "\"9999999999\"", "true", "{}", "[1]", "1e400", "-1", "99999999999999999999"})
    void aTokenWhoseExpIsNotAUsableNumberIs401(String exp) {
        JsonObject claims = claims(3600, "*:*");
        String json = claims.encode().replaceFirst("\"exp\":\\d+", "\"exp\":" + java.util.regex.Matcher.quoteReplacement(exp));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
        String token = header + "." + payload + "." + signature(header + "." + payload);
        if (exp.equals("99999999999999999999")) {
            // far in the future, but a number: valid
            assertEquals(200, node.call(HttpMethod.GET, "/pony/1", null, token).statusCode());
            return;
        }
        assert401(token);
    }

    private static String signature(String signed) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(TestNode.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anUnsignedAlgNoneTokenIs401() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(claims(3600, "*:*").encode().getBytes(StandardCharsets.UTF_8));
        assert401(header + "." + payload + ".");
    }

    @Test
    void aValidTokenWithoutThePermissionIs403AndDestroysNothing() {
        String reader = node.token("reader", "pony:read");
        var response = node.call(HttpMethod.DELETE, "/pony/2", null, reader);
        assertEquals(403, response.statusCode());
        assertEquals("E_FORBIDDEN", json(response).getString("code"));
        assertEquals(1, node.sql("SELECT 1 FROM pony WHERE id = 2").size());
        assertEquals(200, node.call(HttpMethod.GET, "/pony/2", null, reader).statusCode());
    }

    @Test
    void permissionsAreCheckedPerModelAndAction() {
        String toyKeeper = node.token("keeper", "toy:*", "*:read");
        assertEquals(200, node.call(HttpMethod.GET, "/pony", null, toyKeeper).statusCode());
        assertEquals(403, node.call(HttpMethod.POST, "/pony", new JsonObject().put("name", "x"), toyKeeper).statusCode());
        assertEquals(403, node.call(HttpMethod.PATCH, "/pony/1", new JsonObject().put("hobby", "x"), toyKeeper).statusCode());
        assertEquals(403, node.call(HttpMethod.PUT, "/pony/1/toys/3", null, toyKeeper).statusCode(), "add needs update");
        var created = node.call(HttpMethod.POST, "/toy", new JsonObject().put("label", "kite"), toyKeeper);
        assertEquals(200, created.statusCode());
        assertEquals(200, node.call(HttpMethod.DELETE, "/toy/" + json(created).getLong("id"), null, toyKeeper).statusCode());
    }

    @Test
    void aTokenWithoutPermissionsClaimCanDoNothing() {
        String token = sign(new JsonObject().put("sub", "nobody").put("exp", System.currentTimeMillis() / 1000 + 60), TestNode.SECRET);
        assertEquals(403, node.call(HttpMethod.GET, "/pony", null, token).statusCode());
        String malformed = sign(claims(60).put("permissions", "*:*"), TestNode.SECRET);
        assertEquals(403, node.call(HttpMethod.GET, "/pony", null, malformed).statusCode(), "permissions must be an array");
    }

    @Test
    void authenticationComesBeforeRouteAndModelChecks() {
        assertEquals(401, node.call(HttpMethod.GET, "/unicorn", null, null).statusCode());
        assertEquals(404, node.call(HttpMethod.GET, "/unicorn", null, node.token("r", "pony:read")).statusCode());
    }

    @Test
    void healthNeedsNoToken() {
        assertEquals(200, node.call(HttpMethod.GET, "/health", null, null).statusCode());
    }

    @Test
    void authNoneLetsEveryoneIn() {
        try (TestNode open = TestNode.demo(Map.of("HERALD_AUTH", "none"))) {
            var response = open.call(HttpMethod.DELETE, "/pony/4", null, null);
            assertEquals(200, response.statusCode());
            assertEquals("Pinkie Pie", json(response).getString("name"));
        }
    }

    @Test
    void aPemPublicKeyVerifiesRs256TokensAndRefusesEverythingElse() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair keys = generator.generateKeyPair();
        java.util.Base64.Encoder mime = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        String publicPem = "-----BEGIN PUBLIC KEY-----\n" + mime.encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        String privatePem = "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        try (TestNode verifying = TestNode.demo(Map.of("HERALD_JWT_PUBLIC_KEY", publicPem))) {
            io.vertx.ext.auth.jwt.JWTAuth issuer = io.vertx.ext.auth.jwt.JWTAuth.create(verifying.vertx(),
                    new io.vertx.ext.auth.jwt.JWTAuthOptions().addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions()
                            .setAlgorithm("RS256").setBuffer(privatePem)));
            String rs256 = issuer.generateToken(new JsonObject().put("permissions", new io.vertx.core.json.JsonArray().add("pony:read")),
                    new io.vertx.ext.auth.JWTOptions().setAlgorithm("RS256").setSubject("idp-user").setExpiresInSeconds(60));
            assertEquals(200, verifying.call(HttpMethod.GET, "/pony/1", null, rs256).statusCode());
            assertEquals(403, verifying.call(HttpMethod.DELETE, "/pony/1", null, rs256).statusCode());
            assertEquals(401, verifying.call(HttpMethod.GET, "/pony/1", null, sign(claims(60, "*:*"), TestNode.SECRET)).statusCode(),
                    "an HS256 token is refused when a public key is configured");
            assertEquals(null, verifying.adminToken(), "a public key cannot mint tokens");
        }
    }

    @Test
    void issuerAndAudienceAreCheckedWhenConfigured() {
        try (TestNode strict = TestNode.demo(Map.of("HERALD_JWT_ISSUER", "https://idp.example",
                "HERALD_JWT_AUDIENCE", "herald"))) {
            String good = strict.token("ok", "*:*");
            assertEquals(200, strict.call(HttpMethod.GET, "/pony/1", null, good).statusCode());
            String wrongIssuer = sign(claims(60, "*:*").put("iss", "https://evil.example").put("aud", "herald"), TestNode.SECRET);
            assertEquals(401, strict.call(HttpMethod.GET, "/pony/1", null, wrongIssuer).statusCode());
            String wrongAudience = sign(claims(60, "*:*").put("iss", "https://idp.example").put("aud", "other"), TestNode.SECRET);
            assertEquals(401, strict.call(HttpMethod.GET, "/pony/1", null, wrongAudience).statusCode());
        }
    }
}
