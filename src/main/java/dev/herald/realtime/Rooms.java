package dev.herald.realtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This node's rooms: which sockets are subscribed to which record, and which watch a model's
 * creations. Touched only on the subscription verticle's context, so plain collections suffice; the
 * two counts are also read by the metrics scrape, from another thread.
 */
final class Rooms {
    private final Map<String, SocketSession> sockets = new HashMap<>();
    private final Map<String, Room> records = new HashMap<>();
    private final Map<String, Room> watchers = new HashMap<>();
    /** Each socket's rooms, by the rooms' own key strings: a socket's entry costs no string of its own. */
    private final Map<String, Set<String>> roomsOfSocket = new HashMap<>();
    /** Sockets resuming a watch of a model: they see every message of it until the resume is over. */
    private final Map<String, Set<SocketSession>> taps = new HashMap<>();
    private volatile int socketCount;
    /** Entries of {@link #roomsOfSocket}: one per socket and record room, one per socket and watched model. */
    private volatile int subscriptionCount;

    /** A room's members, and its key, shared by every socket that lists the room among its own. */
    private record Room(String key, Set<SocketSession> members) {
        Room(String key) {
            this(key, new HashSet<>());
        }
    }

    /** Numbers that crossed JSON may come back as Integer or Long; a room key must not care. */
    static String key(String model, Object id) {
        Object normal = id instanceof Number n ? (Object) n.longValue() : id;
        return model + "\u0000" + normal;
    }

    void add(SocketSession session) {
        sockets.put(session.id(), session);
        socketCount = sockets.size();
    }

    int socketCount() {
        return socketCount;
    }

    int subscriptionCount() {
        return subscriptionCount;
    }

    SocketSession socket(String id) {
        return id == null ? null : sockets.get(id);
    }

    Collection<SocketSession> sockets() {
        return List.copyOf(sockets.values());
    }

    void remove(String socketId) {
        leaveAll(socketId);
        SocketSession session = sockets.remove(socketId);
        socketCount = sockets.size();
        if (session != null) {
            taps.keySet().forEach(model -> taps.get(model).remove(session));
            taps.values().removeIf(Set::isEmpty);
        }
    }

    void tap(SocketSession session, String model) {
        if (sockets.containsKey(session.id())) {
            taps.computeIfAbsent(model, k -> new LinkedHashSet<>()).add(session);
        }
    }

    void untap(SocketSession session, String model) {
        leaveRoom(taps, model, session);
    }

    List<SocketSession> tappersOf(String model) {
        Set<SocketSession> members = taps.get(model);
        return members == null ? List.of() : new ArrayList<>(members);
    }

    /** The socket stays, subscribed to nothing and watching nothing. */
    void leaveAll(String socketId) {
        SocketSession session = sockets.get(socketId);
        Set<String> rooms = roomsOfSocket.remove(socketId);
        if (rooms != null) {
            subscriptionCount -= rooms.size();
        }
        if (session == null || rooms == null) {
            return;
        }
        for (String room : rooms) {
            leave(records, room, session);
            leave(watchers, room, session);
        }
    }

    void join(SocketSession session, String model, Object id) {
        if (!sockets.containsKey(session.id())) {
            return;
        }
        Room room = records.computeIfAbsent(key(model, id), Room::new);
        room.members().add(session);
        subscribed(session, room.key());
    }

    private void subscribed(SocketSession session, String room) {
        if (roomsOfSocket.computeIfAbsent(session.id(), k -> new HashSet<>()).add(room)) {
            subscriptionCount++;
        }
    }

    private void unsubscribed(Set<String> rooms, String room) {
        if (rooms != null && rooms.remove(room)) {
            subscriptionCount--;
        }
    }

    void leave(SocketSession session, String model, Object id) {
        String room = key(model, id);
        leave(records, room, session);
        unsubscribed(roomsOfSocket.get(session.id()), room);
    }

    void watch(SocketSession session, String model) {
        if (!sockets.containsKey(session.id())) {
            return;
        }
        Room room = watchers.computeIfAbsent(model, Room::new);
        room.members().add(session);
        subscribed(session, room.key());
    }

    List<SocketSession> members(String model, Object id) {
        Room room = records.get(key(model, id));
        return room == null ? List.of() : new ArrayList<>(room.members());
    }

    List<SocketSession> watchersOf(String model) {
        Room room = watchers.get(model);
        return room == null ? List.of() : new ArrayList<>(room.members());
    }

    /** Everyone leaves the record's room (after its destroy). */
    void retire(String model, Object id) {
        String room = key(model, id);
        Room gone = records.remove(room);
        if (gone != null) {
            gone.members().forEach(s -> unsubscribed(roomsOfSocket.get(s.id()), room));
        }
    }

    private static void leave(Map<String, Room> map, String key, SocketSession session) {
        Room room = map.get(key);
        if (room != null) {
            room.members().remove(session);
            if (room.members().isEmpty()) {
                map.remove(key);
            }
        }
    }

    private static void leaveRoom(Map<String, Set<SocketSession>> map, String room, SocketSession session) {
        Set<SocketSession> members = map.get(room);
        if (members != null) {
            members.remove(session);
            if (members.isEmpty()) {
                map.remove(room);
            }
        }
    }
}
