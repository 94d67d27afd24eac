package dev.herald.errors;

import io.vertx.core.json.JsonObject;

/**
 * Herald's one error model: a code of the {@link ErrorCode} catalogue (which gives the HTTP status) and a
 * message safe to show a client, with optional details. REST renders it as {@code {"code","message","details"?}}; sockets wrap it in a
 * reply; it crosses the event bus as JSON in a {@code ReplyException}.
 */
public final class ApiError extends RuntimeException {
    /**
     * A {@code details} flag: the error refuses a destroy because of the record's children, under a
     * status other than REST's 409 (a Haystack deleteRec answers such a refusal 400, as WideSky).
     */
    public static final String REFUSED = "refused";

    private final ErrorCode code;
    private final JsonObject details;

    ApiError(ErrorCode code, String message, JsonObject details) {
        super(message, null, false, false);
        this.code = code;
        this.details = details;
    }

    public static ApiError invalidCriteria(String message) {
        return ErrorCode.INVALID_CRITERIA.error(message);
    }

    public static ApiError notFound(String message) {
        return ErrorCode.NOT_FOUND.error(message);
    }

    public static ApiError unknownModel(String model) {
        return ErrorCode.UNKNOWN_MODEL.error("No model named '" + model + "'.");
    }

    public static ApiError unauthorized(String message) {
        return ErrorCode.UNAUTHORIZED.error(message);
    }

    public static ApiError forbidden(String message) {
        return ErrorCode.FORBIDDEN.error(message);
    }

    public static ApiError internal(String correlationId) {
        return ErrorCode.INTERNAL.error("Something went wrong on the server. Quote the correlation id when reporting it.",
                new JsonObject().put("correlationId", correlationId));
    }

    public int status() {
        return code.status();
    }

    public ErrorCode errorCode() {
        return code;
    }

    /** The code as clients see it. */
    public String code() {
        return code.code();
    }

    public JsonObject details() {
        return details;
    }

    /** Whether this error refuses a destroy, so that nothing changed: a 409, or flagged {@link #REFUSED}. */
    public boolean refusesDestroy() {
        return status() == 409 || details != null && details.getBoolean(REFUSED, false);
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("code", code.code()).put("message", getMessage());
        if (details != null) {
            json.put("details", details);
        }
        return json;
    }

    /** An error that crossed the event bus as {@link #toJson()}. */
    public static ApiError fromJson(JsonObject json) {
        return new ApiError(ErrorCode.of(json.getString("code")), json.getString("message"), json.getJsonObject("details"));
    }
}
