package dev.herald.errors;

import dev.herald.LogContext;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Maps any failure to an {@link ApiError}. Database conditions are recognised by SQLSTATE (an
 * unreachable database is 503 {@code E_UNAVAILABLE}, a transaction that never committed); anything
 * unexpected is logged with a correlation id and reaches the client as {@code E_INTERNAL} only.
 */
public final class Failures {
    private static final Logger LOG = Logger.getLogger(Failures.class.getName());

    private Failures() {
    }

    /** Answers a request/reply message: {@code {"status":200,"body":..}}, or a failure carrying the ApiError. */
    public static void reply(io.vertx.core.eventbus.Message<?> message, io.vertx.core.Future<?> outcome) {
        outcome.onSuccess(body -> message.reply(new JsonObject().put("status", 200).put("body", body)))
                .onFailure(failure -> {
                    ApiError error = toApiError(failure);
                    message.fail(error.status(), error.toJson().encode());
                });
    }

    public static ApiError toApiError(Throwable failure) {
        if (failure instanceof ApiError e) {
            return e;
        }
        if (failure instanceof ReplyException reply && reply.getMessage() != null && reply.failureCode() >= 400) {
            try {
                return ApiError.fromJson(new JsonObject(reply.getMessage()));
            } catch (DecodeException e) {
                return internal(failure);
            }
        }
        if (isUnavailable(failure)) {
            return unavailable();
        }
        if (failure instanceof PgException pg) {
            ApiError mapped = fromSqlState(pg);
            if (mapped != null) {
                return mapped;
            }
        }
        return internal(failure);
    }

    private static ApiError fromSqlState(PgException pg) {
        String state = pg.getSqlState();
        if (state == null) {
            return null;
        }
        return switch (state) {
            case "23505" -> ErrorCode.UNIQUE.error("A record with that unique value already exists.",
                    pg.getConstraint() == null ? null : new JsonObject().put("constraint", pg.getConstraint()));
            case "23503" -> ErrorCode.FOREIGN_KEY.error("The request refers to a record that does not exist, or is still referred to.",
                    pg.getConstraint() == null ? null : new JsonObject().put("constraint", pg.getConstraint()));
            case "22P02", "22003", "22001" -> ErrorCode.INVALID_VALUES.error("A value does not fit its attribute's type.");
            case "2201B" -> ErrorCode.INVALID_CRITERIA.error("The regular expression is not valid.");
            case "22021", "22P05" -> ErrorCode.INVALID_VALUES.error("A text value cannot be stored (NUL or invalid characters).");
            case "22025" -> ErrorCode.INVALID_CRITERIA.error("A `like` pattern ends with an escape character.");
            case "57014" -> ErrorCode.TIMEOUT.error("The database did not finish within the statement timeout "
                    + "(HERALD_STATEMENT_TIMEOUT); nothing was changed.");
            case "40P01", "40001" -> ErrorCode.UNAVAILABLE.error("Concurrent changes kept colliding and retrying did not "
                    + "help; nothing was changed. Try again.");
            default -> null;
        };
    }

    /** The HTTP status {@link #toApiError} maps {@code failure} to, without logging anything. */
    public static int statusOf(Throwable failure) {
        if (failure instanceof ApiError e) {
            return e.status();
        }
        if (failure instanceof ReplyException reply && reply.getMessage() != null && reply.failureCode() >= 400) {
            return reply.failureCode();
        }
        if (isUnavailable(failure)) {
            return 503;
        }
        ApiError mapped = failure instanceof PgException pg ? fromSqlState(pg) : null;
        return mapped == null ? 500 : mapped.status();
    }

    /** Whether {@code failure} means the database cannot be reached (503), without logging anything. */
    public static boolean isUnavailable(Throwable failure) {
        if (failure instanceof ClosedConnectionException || failure instanceof java.net.SocketException) {
            return true;
        }
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            String state = pg.getSqlState();
            return state.startsWith("08") || state.startsWith("57P") || state.equals("53300") || state.equals("55000");
        }
        return false;
    }

    private static ApiError unavailable() {
        return ErrorCode.UNAVAILABLE.error("The database is unavailable right now; nothing was changed. Try again.");
    }

    private static ApiError internal(Throwable failure) {
        String correlationId = UUID.randomUUID().toString();
        LogContext.withCorrelationId(correlationId, () -> LOG.log(Level.SEVERE, "unexpected failure, correlation id " + correlationId, failure));
        return ApiError.internal(correlationId);
    }
}
