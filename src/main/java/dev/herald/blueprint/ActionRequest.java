package dev.herald.blueprint;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * One blueprint request, whatever carried it (HTTP or a socket's virtual request), its caller already
 * authenticated: method, path without query, query parameters, the JSON body (null when there is
 * none), and the socket on whose behalf it runs (the requester of a socket request, or the socket an
 * HTTP caller named in {@code X-Herald-Socket-Id}).
 */
public record ActionRequest(String method, String path, Map<String, String> query, Object body,
                            String socketId, boolean viaSocket) {

    JsonObject bodyObject() {
        return body instanceof JsonObject o ? o : null;
    }
}
