package dev.herald.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** HS256 tokens made by hand, for nodes in other processes and for forged or expired tokens. */
public final class Tokens {
    private Tokens() {
    }

    public static String sign(JsonObject claims, String secret) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] sig = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.UTF_8));
            return header + "." + payload + "." + b64.encodeToString(sig);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonObject claims(String subject, long expiresInSeconds, String... permissions) {
        long now = System.currentTimeMillis() / 1000;
        return new JsonObject().put("sub", subject).put("iat", now - 10).put("exp", now + expiresInSeconds)
                .put("permissions", new JsonArray(List.of((Object[]) permissions)));
    }

    public static String admin(String secret) {
        return sign(claims("admin", 3600, "*:*"), secret);
    }
}
