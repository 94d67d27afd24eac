package dev.herald.realtime;

import dev.herald.auth.Action;
import dev.herald.auth.Principal;
import dev.herald.blueprint.Shown;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.notifications.NotificationAddresses;
import dev.herald.notifications.Publication;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The subscription verticle: owns this node's sockets and rooms. One consumer of
 * {@link NotificationAddresses#NOTIFICATIONS} receives every committed change (from any node, when
 * clustered) and delivers each message to the local members of its room, minus the requester, then
 * retires the room of a destroyed record. Membership never leaves this node. Every operation runs on
 * this verticle's context, in the order it was asked for, so a join requested before a notification
 * arrives is always seen by that notification.
 */
public final class SubscriptionVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(SubscriptionVerticle.class.getName());

    /** The fields of a message that carry a populated record: destroyed and updated {@code previous}, created {@code data}. */
    private static final List<String> RECORD_FIELDS = List.of("previous", "data");

    private final long idleTimeoutNanos;
    private final Models models;
    private final Rooms rooms = new Rooms();
    private MessageConsumer<Object> consumer;
    private long reaper;

    public SubscriptionVerticle(Duration idleTimeout, Models models) {
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.models = models;
    }

    @Override
    public Future<?> start() {
        long period = Math.max(250, TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos) / 4);
        reaper = vertx.setPeriodic(period, t -> reapSilentSockets());
        consumer = vertx.eventBus().consumer(NotificationAddresses.NOTIFICATIONS, m -> receive(m.body()));
        return consumer.completion();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(reaper);
        return Future.succeededFuture();
    }

    private <T> Future<T> onContext(Supplier<T> work) {
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> {
            try {
                promise.complete(work.get());
            } catch (RuntimeException e) {
                promise.fail(e);
            }
        });
        return promise.future();
    }

    Future<Void> open(SocketSession session) {
        return onContext(() -> {
            rooms.add(session);
            return null;
        });
    }

    Future<Void> close(String socketId) {
        return onContext(() -> {
            rooms.remove(socketId);
            return null;
        });
    }

    /** Joins the rooms, unless the socket's token expired meanwhile (its expiry may have just emptied them). */
    Future<Void> join(SocketSession session, Map<String, List<Object>> records) {
        return onContext(() -> {
            if (session.authorized()) {
                records.forEach((model, ids) -> ids.forEach(id -> rooms.join(session, model, id)));
            }
            return null;
        });
    }

    /** The socket's token expired: it keeps its connection but leaves every room and stops watching. */
    Future<Void> expired(SocketSession session) {
        return onContext(() -> {
            rooms.leaveAll(session.id());
            return null;
        });
    }

    Future<Void> leave(SocketSession session, String model, List<Object> ids) {
        return onContext(() -> {
            ids.forEach(id -> rooms.leave(session, model, id));
            return null;
        });
    }

    Future<Void> watch(SocketSession session, String model) {
        return onContext(() -> {
            if (session.authorized()) {
                rooms.watch(session, model);
            }
            return null;
        });
    }

    /**
     * A publication that cannot be read (a node of another Herald version?) is dropped, and said so;
     * a change whose origin cannot be read is dropped alone, the others are delivered.
     */
    private void receive(Object publication) {
        List<Publication.Received> changes;
        try {
            if (!(publication instanceof Buffer bytes)) {
                throw new IllegalArgumentException("a " + (publication == null ? "null" : publication.getClass().getSimpleName())
                        + " instead of bytes; is a node of an older Herald version in the cluster?");
            }
            changes = Publication.decode(bytes);
        } catch (IllegalArgumentException e) {
            LOG.warning("dropped a malformed publication on " + NotificationAddresses.NOTIFICATIONS + ": " + e.getMessage());
            return;
        }
        for (Publication.Received change : changes) {
            try {
                deliver(change);
            } catch (IllegalArgumentException e) {
                LOG.warning("dropped a change with a malformed origin on " + NotificationAddresses.NOTIFICATIONS + ": " + e.getMessage());
            }
        }
    }

    /**
     * Delivery of one request's notifications: a frame is built only for a room with local members,
     * once, and the origin is read only then. A socket gets a message only while its token is good and
     * lets it read the model, and sees the record in it as its permissions allow ({@link Shown}): a
     * frame per distinct rendering, built only when someone needs it.
     */
    private void deliver(Publication.Received change) {
        String excluded = null;
        boolean originRead = false;
        for (Publication.Delivery d : change.deliveries()) {
            List<SocketSession> audience = d.creation() ? rooms.watchersOf(d.model()) : rooms.members(d.model(), d.id());
            if (!audience.isEmpty() && !originRead) {
                excluded = excludedSocket(change.origin());
                originRead = true;
            }
            Map<Set<String>, Buffer> frames = audience.isEmpty() ? Map.of() : new HashMap<>();
            for (SocketSession s : audience) {
                Principal p = s.principal();
                if (!s.authorized() || p != null && !p.allows(d.model(), Action.READ)) {
                    continue;
                }
                if (!s.id().equals(excluded)) {
                    s.send(frames.computeIfAbsent(Shown.unreadable(models, d.model(), p), hidden -> frame(d, hidden)));
                }
                if (d.creation()) {
                    rooms.join(s, d.model(), d.id());
                }
            }
            if (d.retire()) {
                rooms.retire(d.model(), d.id());
            }
        }
    }

    /** The frame of a message, with the records it carries shown without the {@code hidden} models. */
    private Buffer frame(Publication.Delivery d, Set<String> hidden) {
        Model model = hidden.isEmpty() ? null : models.find(d.model()).orElse(null);
        if (model == null) {
            return Frames.rec(d.model(), d.message());
        }
        JsonObject message = new JsonObject(d.message());
        for (String field : RECORD_FIELDS) {
            if (message.getValue(field) instanceof JsonObject record) {
                message.put(field, Shown.record(model, record, hidden));
            }
        }
        return Frames.rec(d.model(), message);
    }

    /**
     * The requester of a socket request never hears about its own change; an HTTP caller naming a
     * socket in {@code X-Herald-Socket-Id} is honoured only when that socket is signed in as the same
     * subject.
     */
    private String excludedSocket(JsonObject origin) {
        if (!(origin.getValue("socketId") instanceof String socketId)) {
            return null;
        }
        if (Boolean.TRUE.equals(origin.getValue("viaSocket"))) {
            return socketId;
        }
        SocketSession named = rooms.socket(socketId);
        return named != null && origin.getValue("subject") instanceof String subject && subject.equals(named.subject())
                ? socketId : null;
    }

    private void reapSilentSockets() {
        long now = System.nanoTime();
        for (SocketSession s : rooms.sockets()) {
            if (s.silentNanos(now) > idleTimeoutNanos) {
                LOG.fine(() -> "closing silent socket " + s.id());
                rooms.remove(s.id());
                s.close();
            }
        }
    }
}
