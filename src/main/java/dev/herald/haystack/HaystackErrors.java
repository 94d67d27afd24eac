package dev.herald.haystack;

import dev.herald.errors.ApiError;

/** WideSky's error kinds: {@code HBadRequestError} (400) and {@code HNotFoundError} (404). */
final class HaystackErrors {
    static final String BAD_REQUEST = "HBadRequestError";
    static final String NOT_FOUND = "HNotFoundError";

    private HaystackErrors() {
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, BAD_REQUEST, message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, NOT_FOUND, message);
    }
}
