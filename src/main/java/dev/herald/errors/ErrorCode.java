package dev.herald.errors;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every error code Herald answers with, and its HTTP status: the closed catalogue from which every REST
 * error body, socket {@code err} frame and Haystack error grid is built. Each one is documented in
 * {@code src/site/markdown/errors.md} (a unit test keeps the two in step).
 */
public enum ErrorCode {
    BAD_REQUEST("E_BAD_REQUEST", 400),
    INVALID_CRITERIA("E_INVALID_CRITERIA", 400),
    INVALID_NEW_RECORD("E_INVALID_NEW_RECORD", 400),
    INVALID_VALUES("E_INVALID_VALUES", 400),
    BAD_FRAME("E_BAD_FRAME", 400),
    UNAUTHORIZED("E_UNAUTHORIZED", 401),
    FORBIDDEN("E_FORBIDDEN", 403),
    NOT_FOUND("E_NOT_FOUND", 404),
    UNKNOWN_MODEL("E_UNKNOWN_MODEL", 404),
    UNKNOWN_ASSOCIATION("E_UNKNOWN_ASSOCIATION", 404),
    NO_ADDRESS("E_NO_ADDRESS", 404),
    METHOD_NOT_ALLOWED("E_METHOD_NOT_ALLOWED", 405),
    HAS_CHILDREN("E_HAS_CHILDREN", 409),
    UNIQUE("E_UNIQUE", 409),
    FOREIGN_KEY("E_FOREIGN_KEY", 409),
    TOO_LARGE("E_TOO_LARGE", 413),
    INTERNAL("E_INTERNAL", 500),
    UNAVAILABLE("E_UNAVAILABLE", 503),
    TIMEOUT("E_TIMEOUT", 503),
    /** The Haystack ops' own kinds (WideSky's), shown in an error grid's {@code dis}. */
    H_BAD_REQUEST("HBadRequestError", 400),
    H_UNAUTHORIZED("HUnauthorizedError", 401),
    H_FORBIDDEN("HForbiddenError", 403),
    H_NOT_FOUND("HNotFoundError", 404),
    H_SERVER("HServerError", 500);

    private static final Map<String, ErrorCode> BY_CODE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(ErrorCode::code, Function.identity()));

    private final String code;
    private final int status;

    ErrorCode(String code, int status) {
        this.code = code;
        this.status = status;
    }

    /** The code as clients see it ({@code E_NOT_FOUND}, {@code HBadRequestError}). */
    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public ApiError error(String message) {
        return new ApiError(this, message, null);
    }

    public ApiError error(String message, JsonObject details) {
        return new ApiError(this, message, details);
    }

    /** The Haystack kind an error grid shows for an error of this code. */
    public ErrorCode haystackKind() {
        if (code.startsWith("H")) {
            return this;
        }
        return switch (status) {
            case 400, 413 -> H_BAD_REQUEST;
            case 401 -> H_UNAUTHORIZED;
            case 403 -> H_FORBIDDEN;
            case 404 -> H_NOT_FOUND;
            default -> H_SERVER;
        };
    }

    /** The code of that name, or {@link #INTERNAL} for a name that is not in the catalogue. */
    public static ErrorCode of(String code) {
        return code == null ? INTERNAL : BY_CODE.getOrDefault(code, INTERNAL);
    }
}
