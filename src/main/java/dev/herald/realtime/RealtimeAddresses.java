package dev.herald.realtime;

/**
 * Bridge addresses a socket can send to. They exist only inside the SockJS protocol: Herald answers them
 * itself and registers nothing on the event bus per socket.
 */
public final class RealtimeAddresses {
    public static final String REQUEST = "herald.request";
    public static final String SUBSCRIBE = "herald.subscribe";
    public static final String UNSUBSCRIBE = "herald.unsubscribe";
    public static final String WATCH = "herald.watch";
    public static final String WHOAMI = "herald.whoami";

    private RealtimeAddresses() {
    }
}
