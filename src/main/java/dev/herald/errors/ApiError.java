package dev.herald.errors;

import io.vertx.core.json.JsonObject;

/**
 * Herald's one error model: an HTTP status, a stable code and a message safe to show a client, with
 * optional details. REST renders it as {@code {"code","message","details"?}}; sockets wrap it in a
 * reply; it crosses the event bus as JSON in a {@code ReplyException}.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private final JsonObject details;

    public ApiError(int status, String code, String message, JsonObject details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details;
    }

    public ApiError(int status, String code, String message) {
        this(status, code, message, null);
    }

    public static ApiError badRequest(String code, String message) {
        return new ApiError(400, code, message);
    }

    public static ApiError invalidCriteria(String message) {
        return new ApiError(400, "E_INVALID_CRITERIA", message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "E_NOT_FOUND", message);
    }

    public static ApiError unknownModel(String model) {
        return new ApiError(404, "E_UNKNOWN_MODEL", "No model named '" + model + "'.");
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "E_UNAUTHORIZED", message);
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, "E_FORBIDDEN", message);
    }

    public static ApiError internal(String correlationId) {
        return new ApiError(500, "E_INTERNAL", "Something went wrong on the server. Quote the correlation id when reporting it.",
                new JsonObject().put("correlationId", correlationId));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public JsonObject details() {
        return details;
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("code", code).put("message", getMessage());
        if (details != null) {
            json.put("details", details);
        }
        return json;
    }

    public static ApiError fromJson(int status, JsonObject json) {
        return new ApiError(status, json.getString("code"), json.getString("message"), json.getJsonObject("details"));
    }
}
