package dev.herald.haystack;

import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;
import io.vertx.core.json.JsonObject;

/** WideSky's error kinds for the Haystack ops: {@code HBadRequestError} (400) and {@code HNotFoundError} (404). */
final class HaystackErrors {
    private HaystackErrors() {
    }

    static ApiError badRequest(String message) {
        return ErrorCode.H_BAD_REQUEST.error(message);
    }

    /**
     * A deleteRec refused for child references: 400 as in WideSky, marked {@link ApiError#REFUSED} so
     * that it counts as a refused destroy, like REST's 409 {@code E_HAS_CHILDREN}.
     */
    static ApiError hasChildren(String message) {
        return ErrorCode.H_BAD_REQUEST.error(message, new JsonObject().put(ApiError.REFUSED, true));
    }

    static ApiError notFound(String message) {
        return ErrorCode.H_NOT_FOUND.error(message);
    }
}
