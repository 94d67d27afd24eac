package dev.herald.blueprint;

import dev.herald.errors.ApiError;

/** The outcome of a blueprint request: an HTTP status and a JSON body (a record, a list or an error). */
public record ActionResponse(int status, Object body) {

    public static ActionResponse of(ApiError error) {
        return new ActionResponse(error.status(), error.toJson());
    }
}
