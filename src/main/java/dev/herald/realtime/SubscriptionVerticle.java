package dev.herald.realtime;

import dev.herald.auth.Action;
import dev.herald.auth.Principal;
import dev.herald.blueprint.Shown;
import dev.herald.metrics.HeraldMeters;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.database.Sql;
import dev.herald.notifications.LogFollower;
import dev.herald.notifications.NotificationAddresses;
import dev.herald.notifications.NotificationLog;
import dev.herald.notifications.Publication;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The subscription verticle: owns this node's sockets and rooms. One consumer of
 * {@link NotificationAddresses#NOTIFICATIONS} receives every committed change (from any node, when
 * clustered); a {@link LogFollower} puts them in log order and fills in, from the notification log,
 * whatever no publication brought; each message goes to the local members of its room, minus the
 * requester, then the room of a destroyed record is retired. Membership never leaves this node. Every
 * operation runs on this verticle's context, in the order it was asked for, so a join requested before
 * a notification arrives is always seen by that notification, and the position a join returns is exact:
 * every later notification of the room reaches the socket.
 *
 * <p>Per socket, notification frames go out in strictly increasing {@code seq} ({@link SocketSession#lastSeq}).
 * A resume ({@code since}) holds the socket's frames while its replay is read; when no resume of the
 * socket is left in progress, the replayed and the held frames go out merged in {@code seq} order, then
 * the replies. A replay that would have to go below what the socket already received cannot keep that
 * order: that resume answers {@code resync}.
 */
public final class SubscriptionVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(SubscriptionVerticle.class.getName());

    /** The fields of a message that carry a populated record: destroyed and updated {@code previous}, created {@code data}. */
    private static final List<String> RECORD_FIELDS = List.of("previous", "data");
    /** A resume that would replay more than this answers {@code resync} instead. */
    static final int MAX_REPLAY = 10_000;
    /**
     * A resuming socket's frames are held at most this many: past it (its replay is slow to read while
     * notifications keep coming) the socket is closed, as one that cannot keep up is, and its client
     * resumes again; nothing is ever dropped silently.
     */
    static final int MAX_HELD = 10_000;

    private final long idleTimeoutNanos;
    private final Models models;
    private final PgConnectOptions database;
    private final Duration retention;
    private final HeraldMeters meters;
    private final Rooms rooms = new Rooms();
    private final Map<String, Resumption> resumptions = new HashMap<>();
    /**
     * While one change is delivered: each socket's frames of it, sent together once the change is done
     * (one task on the socket's event loop instead of one per frame: a 10,000-entity deleteRec is 10,000
     * frames per subscribed socket). Nothing else runs on this context in between, so no reply can
     * overtake them.
     */
    private Map<SocketSession, List<Buffer>> batch;
    private Pool pool;
    private Sql reads;
    private LogFollower follower;
    private MessageConsumer<Object> consumer;
    private long reaper;
    private long pruner = -1;

    /** {@code database} null: the notification log is off (frames without positions, no resume). */
    public SubscriptionVerticle(Duration idleTimeout, Models models, PgConnectOptions database, Duration retention,
                                HeraldMeters meters) {
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.models = models;
        this.database = database;
        this.retention = retention;
        this.meters = meters;
    }

    HeraldMeters meters() {
        return meters;
    }

    @Override
    public Future<?> start() {
        long period = Math.max(250, TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos) / 4);
        reaper = vertx.setPeriodic(period, t -> reapSilentSockets());
        meters.realtime(rooms::socketCount, rooms::subscriptionCount);
        meters.logPosition(() -> follower == null ? 0 : follower.cursor());
        Future<Void> following = Future.succeededFuture();
        if (database != null) {
            pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2).setName("herald-log"))
                    .connectingTo(new PgConnectOptions(database).setCachePreparedStatements(true)).using(vertx).build();
            reads = Sql.reads(pool);
            follower = new LogFollower(vertx, reads, this::deliver);
            following = follower.start();
            pruner = vertx.setPeriodic(Math.min(retention.toMillis(), 60_000), t -> prune());
        }
        return following.compose(v -> {
            consumer = vertx.eventBus().consumer(NotificationAddresses.NOTIFICATIONS, m -> receive(m.body(), committedAt(m)));
            return consumer.completion();
        });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(reaper);
        if (pruner >= 0) {
            vertx.cancelTimer(pruner);
        }
        if (follower != null) {
            follower.stop();
        }
        return pool == null ? Future.succeededFuture() : pool.close();
    }

    private void prune() {
        NotificationLog.prune(reads, retention)
                .onSuccess(n -> LOG.fine(() -> "pruned " + n + " notification log entries older than " + retention))
                .onFailure(e -> LOG.warning("the notification log could not be pruned (will try again): " + e));
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

    /** Whether the notification log is on. */
    boolean logged() {
        return database != null;
    }

    /** The log's epoch; null when the log is off. */
    String epoch() {
        return follower == null ? null : follower.epoch();
    }

    /** The last position this node has delivered (0 when the log is off); read on this verticle's context. */
    private long position() {
        return follower == null ? 0 : follower.cursor();
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
            resumptions.remove(socketId);
            return null;
        });
    }

    /**
     * Joins the rooms (and watches {@code watchModel}'s creations, when not null) unless the socket's token
     * expired meanwhile; the position from which every notification of them reaches the socket.
     */
    Future<Long> join(SocketSession session, Map<String, List<Object>> records, String watchModel) {
        return onContext(() -> {
            joinNow(session, records, watchModel);
            return position();
        });
    }

    private void joinNow(SocketSession session, Map<String, List<Object>> records, String watchModel) {
        if (session.authorized()) {
            records.forEach((model, ids) -> ids.forEach(id -> rooms.join(session, model, id)));
            if (watchModel != null) {
                rooms.watch(session, watchModel);
            }
        }
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

    /** Completes once this node has delivered everything up to {@code seq}; a 400 when the log does not reach it. */
    Future<Void> reach(long seq) {
        return onContext(() -> follower.reach(seq)).compose(f -> f);
    }

    /** The entries of some records in {@code (since, upTo]}, with the log's state, in one snapshot. */
    Future<NotificationLog.Replay> replayRecords(String model, List<Object> ids, long since, long upTo) {
        return NotificationLog.replayRecords(reads, model, ids.stream().map(String::valueOf).toList(), since, upTo, MAX_REPLAY + 1);
    }

    /** What a watcher of {@code model} received in {@code (since, upTo]}, with the log's state, in one snapshot. */
    Future<NotificationLog.Replay> replayWatch(String model, long since, long upTo) {
        return NotificationLog.replayWatch(reads, model, since, upTo, MAX_REPLAY + 1);
    }

    /** How one resume ended: how many frames it replayed, or that the client must re-read. */
    record Resumed(int replayed, boolean resync) {
    }

    /** A socket with resumes in progress: its frames wait here, and the finished resumes wait for the others. */
    private static final class Resumption {
        int pending;
        final List<Held> held = new ArrayList<>();
        final List<Finished> finished = new ArrayList<>();
    }

    /**
     * A frame held for a resuming socket; {@code tapped}: seen only through a resumed watch, kept if its
     * record was created since; {@code committedAt} 0 for a replayed one.
     */
    private record Held(long seq, Buffer frame, boolean tapped, String model, String room, boolean retire, long committedAt) {
    }

    private record Finished(List<NotificationLog.Entry> entries, String watchModel, boolean resync, Promise<Resumed> answer) {
    }

    /**
     * Starts a resume: joins the rooms (and the watch, also seeing every message of {@code watchModel}
     * until the end) and holds the socket's frames; returns the position from which live delivery covers them.
     */
    Future<Long> beginResume(SocketSession session, Map<String, List<Object>> records, String watchModel) {
        return onContext(() -> {
            joinNow(session, records, watchModel);
            if (watchModel != null && session.authorized()) {
                rooms.tap(session, watchModel);
            }
            resumptions.computeIfAbsent(session.id(), k -> new Resumption()).pending++;
            return position();
        });
    }

    /**
     * Ends a resume with the entries to replay (null: nothing, {@code resync} says why). When it is the
     * socket's last resume in progress, the replayed and the held frames go out in order; the future
     * completes after them.
     */
    Future<Resumed> endResume(SocketSession session, List<NotificationLog.Entry> entries, String watchModel, boolean resync) {
        Promise<Resumed> answer = Promise.promise();
        context.runOnContext(v -> {
            Resumption r = resumptions.get(session.id());
            if (r == null) {
                answer.complete(new Resumed(0, resync));
                return;
            }
            r.finished.add(new Finished(entries, watchModel, resync, answer));
            if (--r.pending == 0) {
                resumptions.remove(session.id());
                flush(session, r);
            }
        });
        return answer.future();
    }

    private void flush(SocketSession s, Resumption r) {
        long before = s.lastSeq;
        boolean allowed = s.authorized();
        List<Held> out = new ArrayList<>();
        Map<String, Set<String>> created = new HashMap<>();
        Set<String> retired = new HashSet<>();
        List<Resumed> outcomes = new ArrayList<>();
        for (Finished f : r.finished) {
            List<NotificationLog.Entry> entries = f.entries() == null ? List.of() : f.entries();
            boolean resync = f.resync() || entries.stream().anyMatch(e -> e.seq() <= before);
            int replayed = 0;
            if (!resync && allowed) {
                for (NotificationLog.Entry e : entries) {
                    Publication.Delivery d = LogFollower.delivery(e);
                    if (!mayRead(s, d.model())) {
                        continue;
                    }
                    out.add(new Held(e.seq(), frame(d, Shown.unreadable(models, d.model(), s.principal())), false, d.model(),
                            Rooms.key(d.model(), d.id()), d.retire(), 0));
                    replayed++;
                    if (f.watchModel() != null && e.creation()) {
                        created.computeIfAbsent(e.model(), k -> new HashSet<>()).add(Rooms.key(e.model(), e.record()));
                    }
                    if (e.retire()) {
                        retired.add(Rooms.key(e.model(), e.record()));
                    }
                }
            }
            outcomes.add(new Resumed(replayed, resync));
        }
        for (Held h : r.held) {
            if (!h.tapped() || created.getOrDefault(h.model(), Set.of()).contains(h.room())) {
                out.add(h);
                if (h.retire()) {
                    retired.add(h.room());
                }
            }
        }
        out.sort(Comparator.comparingLong(Held::seq));
        if (allowed) {
            out.forEach(h -> emitNow(s, h.seq(), h.frame(), h.committedAt()));
        }
        for (Finished f : r.finished) {
            if (f.watchModel() != null) {
                rooms.untap(s, f.watchModel());
                if (allowed) {
                    created.getOrDefault(f.watchModel(), Set.of()).stream().filter(room -> !retired.contains(room))
                            .forEach(room -> rooms.join(s, f.watchModel(), room.substring(f.watchModel().length() + 1)));
                }
            }
        }
        for (int i = 0; i < r.finished.size(); i++) {
            r.finished.get(i).answer().complete(outcomes.get(i));
        }
    }

    private static boolean mayRead(SocketSession s, String model) {
        Principal p = s.principal();
        return s.authorized() && (p == null || p.allows(model, Action.READ));
    }

    /** A frame for one socket: held while it resumes, else sent if it follows what the socket already has. */
    private void emit(SocketSession s, long seq, Buffer frame, long committedAt) {
        Resumption r = resumptions.get(s.id());
        if (r != null) {
            hold(s, r, new Held(seq, frame, false, null, null, false, committedAt));
        } else {
            emitNow(s, seq, frame, committedAt);
        }
    }

    private void hold(SocketSession s, Resumption r, Held h) {
        if (r.held.size() < MAX_HELD) {
            r.held.add(h);
            return;
        }
        LOG.warning(() -> "closing socket " + s.id() + ": more than " + MAX_HELD + " notifications came while its resume was read");
        resumptions.remove(s.id());
        rooms.remove(s.id());
        r.finished.forEach(f -> f.answer().tryFail("socket closed"));
        s.close();
    }

    private void emitNow(SocketSession s, long seq, Buffer frame, long committedAt) {
        if (seq <= 0) {
            out(s, frame, committedAt);
        } else if (seq > s.lastSeq) {
            s.lastSeq = seq;
            out(s, frame, committedAt);
        }
    }

    /**
     * Sends a notification frame, or, while one change is being delivered, adds it to the socket's share
     * of it (the change's frames share its commit time).
     */
    private void out(SocketSession s, Buffer frame, long committedAt) {
        if (batch == null) {
            s.sendNotification(frame, committedAt, meters);
        } else {
            batch.computeIfAbsent(s, k -> new ArrayList<>()).add(frame);
        }
    }

    /** The commit time a publication's header carries; 0 when it has none or it is not a number. */
    private static long committedAt(Message<Object> publication) {
        String at = publication.headers().get(NotificationAddresses.COMMITTED_AT);
        try {
            return at == null ? 0 : Long.parseLong(at);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * A publication that cannot be read (a node of another Herald version?) is dropped, and said so
     * (with the log on, every node reads its changes from the log soon after).
     */
    private void receive(Object publication, long committedAt) {
        List<Publication.Received> changes;
        try {
            if (!(publication instanceof Buffer bytes)) {
                throw new IllegalArgumentException("a " + (publication == null ? "null" : publication.getClass().getSimpleName())
                        + " instead of bytes; is a node of an older Herald version in the cluster?");
            }
            changes = Publication.decode(bytes);
            Publication.Received.committedAt(changes, committedAt);
        } catch (IllegalArgumentException e) {
            LOG.warning("dropped a malformed publication on " + NotificationAddresses.NOTIFICATIONS + ": " + e.getMessage());
            return;
        }
        if (follower != null) {
            follower.offer(changes);
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
        batch = new java.util.LinkedHashMap<>();
        try {
            deliverEach(change);
        } finally {
            Map<SocketSession, List<Buffer>> frames = batch;
            batch = null;
            frames.forEach((s, list) -> s.sendNotifications(list, change.committedAt(), meters));
        }
    }

    private void deliverEach(Publication.Received change) {
        String excluded = null;
        boolean originRead = false;
        for (Publication.Delivery d : change.deliveries()) {
            List<SocketSession> audience = d.creation() ? rooms.watchersOf(d.model()) : rooms.members(d.model(), d.id());
            List<SocketSession> tapping = d.creation() ? List.of() : rooms.tappersOf(d.model());
            if ((!audience.isEmpty() || !tapping.isEmpty()) && !originRead) {
                excluded = change.mayNameSocket() ? excludedSocket(change.origin()) : null;
                originRead = true;
            }
            Map<Set<String>, Buffer> frames = audience.isEmpty() && tapping.isEmpty() ? Map.of() : new HashMap<>();
            for (SocketSession s : audience) {
                Principal p = s.principal();
                if (!s.authorized() || p != null && !p.allows(d.model(), Action.READ)) {
                    continue;
                }
                if (!s.id().equals(excluded)) {
                    emit(s, d.seq(), frames.computeIfAbsent(Shown.unreadable(models, d.model(), p), hidden -> frame(d, hidden)),
                            change.committedAt());
                }
                if (d.creation()) {
                    rooms.join(s, d.model(), d.id());
                }
            }
            for (SocketSession s : tapping) {
                Resumption r = resumptions.get(s.id());
                if (r == null || audience.contains(s) || s.id().equals(excluded) || !mayRead(s, d.model())) {
                    continue;
                }
                Buffer frame = frames.computeIfAbsent(Shown.unreadable(models, d.model(), s.principal()), hidden -> frame(d, hidden));
                hold(s, r, new Held(d.seq(), frame, true, d.model(), Rooms.key(d.model(), d.id()), d.retire(), change.committedAt()));
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
            return Frames.rec(d.model(), d.message(), d.seq());
        }
        JsonObject message = new JsonObject(d.message());
        for (String field : RECORD_FIELDS) {
            if (message.getValue(field) instanceof JsonObject record) {
                message.put(field, Shown.record(model, record, hidden));
            }
        }
        return Frames.rec(d.model(), message.toBuffer(), d.seq());
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

    /**
     * Closes the sockets silent for the idle timeout, and those without a valid token for as long (since
     * they opened, or since their token expired): pinging does not keep an unauthenticated socket open.
     */
    private void reapSilentSockets() {
        long now = System.nanoTime();
        for (SocketSession s : rooms.sockets()) {
            if (s.silentNanos(now) > idleTimeoutNanos) {
                LOG.fine(() -> "closing silent socket " + s.id());
                rooms.remove(s.id());
                s.close();
            } else if (s.unauthenticatedNanos(now) > idleTimeoutNanos) {
                LOG.fine(() -> "closing socket " + s.id() + ": no valid token within the idle timeout");
                rooms.remove(s.id());
                s.send(Frames.err(401, null, "No valid token within " + TimeUnit.NANOSECONDS.toSeconds(idleTimeoutNanos)
                        + " s of connecting: closing."));
                s.close();
            }
        }
    }

    /**
     * For a drain: completes once this node has delivered every notification committed so far (the log's
     * head, read now), so that what the node acknowledged has reached its sockets.
     */
    public Future<Void> caughtUp() {
        if (follower == null) {
            return onContext(() -> null);
        }
        return NotificationLog.state(reads).compose(state -> reach(state.head()));
    }

    /** For a drain: closes every socket (each after the frames already sent to it) with "going away"; how many. */
    public Future<Integer> closeAll() {
        return onContext(() -> {
            List<Future<Void>> closed = new ArrayList<>();
            for (SocketSession s : rooms.sockets()) {
                rooms.remove(s.id());
                resumptions.remove(s.id());
                closed.add(s.close(SocketSession.GOING_AWAY, "node draining"));
            }
            return Future.all(closed).map(all -> closed.size());
        }).compose(f -> f);
    }
}
