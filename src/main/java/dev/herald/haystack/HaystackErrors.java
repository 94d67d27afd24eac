package dev.herald.haystack;

import dev.herald.errors.ApiError;
import dev.herald.errors.ErrorCode;

/** WideSky's error kinds for the Haystack ops: {@code HBadRequestError} (400) and {@code HNotFoundError} (404). */
final class HaystackErrors {
    private HaystackErrors() {
    }

    static ApiError badRequest(String message) {
        return ErrorCode.H_BAD_REQUEST.error(message);
    }

    static ApiError notFound(String message) {
        return ErrorCode.H_NOT_FOUND.error(message);
    }
}
