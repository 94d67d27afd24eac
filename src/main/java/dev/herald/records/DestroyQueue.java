package dev.herald.records;

import dev.herald.errors.ApiError;
import dev.herald.database.Transaction;
import dev.herald.errors.Failures;
import dev.herald.metrics.HeraldMeters;
import dev.herald.models.Model;
import dev.herald.notifications.Notifier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * Coalesces concurrent destroys: while a batch of one model is in the database, the destroys that
 * arrive for that model wait, and the next batch takes all of them (up to {@value #MAX_BATCH}) into one
 * transaction. A lone destroy never waits. Each request still gets exactly its own outcome, and its
 * own change, with its own origin, in the one publication that follows the commit. A request for an id
 * already in the forming batch waits for the next one, so it sees the first one's result (404), as it
 * would in sequence. When a batch fails (associated records, a deadlock, anything) it has changed
 * nothing, and its destroys run again alone, one after another; when the database is unreachable,
 * they all get that answer (503) at once (as with any database client, a connection lost just after a
 * pipelined {@code COMMIT} leaves the outcome unknown). One batch per model is in the
 * database at a time: measured, two halve the batches and double the database's work per destroy.
 *
 * <p>Confined to the persistence verticle's context.
 */
final class DestroyQueue {
    static final int MAX_BATCH = 128;

    private final Notifier notifier;
    private final Pool pool;
    private final Destroyer single;
    private final BatchDestroyer batch;
    private final HeraldMeters meters;
    private final Map<String, Queue<Pending>> waiting = new HashMap<>();
    private final Map<String, Boolean> busy = new HashMap<>();

    DestroyQueue(Notifier notifier, Pool pool, Destroyer single, BatchDestroyer batch, HeraldMeters meters) {
        this.notifier = notifier;
        this.pool = pool;
        this.single = single;
        this.batch = batch;
        this.meters = meters;
    }

    private record Pending(Object id, JsonObject origin, Promise<JsonObject> promise) {
    }

    /** Destroys one record, publishes what it implies after the commit, and returns its previous state. */
    Future<JsonObject> destroy(Model model, Object id, JsonObject origin) {
        if (!batch.handles(model)) {
            return alone(model, id, origin);
        }
        Promise<JsonObject> promise = Promise.promise();
        waiting.computeIfAbsent(model.identity(), k -> new ArrayDeque<>()).add(new Pending(id, origin, promise));
        if (!busy.getOrDefault(model.identity(), false)) {
            next(model);
        }
        return promise.future();
    }

    private void next(Model model) {
        Queue<Pending> queue = waiting.get(model.identity());
        Map<Object, Pending> taken = new LinkedHashMap<>();
        for (Iterator<Pending> it = queue.iterator(); it.hasNext() && taken.size() < MAX_BATCH; ) {
            Pending p = it.next();
            Object key;
            try {
                key = Columns.idToJson(Columns.idParam(model.primaryKey(), p.id()));
            } catch (RuntimeException notAnId) {
                it.remove();
                p.promise().fail(ApiError.invalidCriteria("`id` " + p.id() + " is not an id of model '" + model.identity() + "'."));
                continue;
            }
            if (taken.putIfAbsent(key, p) == null) {
                it.remove();
            }
        }
        if (taken.isEmpty()) {
            busy.put(model.identity(), false);
            return;
        }
        busy.put(model.identity(), true);
        meters.destroyBatch(taken.size());
        List<Object> ids = new ArrayList<>();
        List<JsonObject> origins = new ArrayList<>();
        taken.values().forEach(p -> {
            ids.add(p.id());
            origins.add(p.origin());
        });
        Future.succeededFuture().compose(v -> batch.destroy(pool, model, ids, origins))
                .transform(done -> {
                    if (done.succeeded()) {
                        answer(taken, done.result());
                        return Future.succeededFuture();
                    }
                    // running them again helps neither a committed batch nor an unreachable database
                    return Failures.isUnavailable(done.cause()) ? failAll(taken, done.cause()) : oneAtATime(model, taken);
                })
                .onComplete(done -> next(model));
    }

    /**
     * One publication for the batch's committed (and logged) changes, then each request's own answer: the
     * batch is committed, so its answers stand whatever happens while publishing (logged).
     */
    private void answer(Map<Object, Pending> taken, BatchDestroyer.Committed committed) {
        Map<Object, BatchDestroyer.Outcome> outcomes = committed.outcomes();
        notifier.publish(committed.outgoing());
        taken.forEach((key, p) -> {
            BatchDestroyer.Outcome outcome = outcomes.get(key);
            if (outcome.error() == null) {
                p.promise().tryComplete(outcome.previous());
            } else {
                p.promise().tryFail(outcome.error());
            }
        });
    }

    /**
     * A batch that failed changed nothing: its destroys run again alone, one after another in arrival
     * order (so they cannot deadlock on each other), before the next batch starts.
     */
    private Future<Void> oneAtATime(Model model, Map<Object, Pending> taken) {
        Future<Void> chain = Future.succeededFuture();
        for (Pending p : taken.values()) {
            chain = chain.transform(v -> alone(model, p.id(), p.origin())
                    .onComplete(r -> {
                        if (r.succeeded()) {
                            p.promise().tryComplete(r.result());
                        } else {
                            p.promise().tryFail(r.cause());
                        }
                    })
                    .transform(r -> Future.succeededFuture()));
        }
        return chain;
    }

    private static Future<Void> failAll(Map<Object, Pending> taken, Throwable failure) {
        taken.values().forEach(p -> p.promise().tryFail(failure));
        return Future.succeededFuture();
    }

    private Future<JsonObject> alone(Model model, Object id, JsonObject origin) {
        meters.destroyBatch(1);
        // one snapshot for the whole destroy: every previous as it was, and a concurrent change to anything
        // this destroy then changes fails it with a serialization failure, and it runs again
        return notifier.write(pool, Transaction.Isolation.REPEATABLE_READ, origin, tx -> single.destroy(tx, model, id),
                Destroyer.Result::notifications).map(Destroyer.Result::previous);
    }
}
