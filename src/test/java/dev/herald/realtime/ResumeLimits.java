package dev.herald.realtime;

/** The limits of a resume, for tests in other packages. */
public final class ResumeLimits {
    public static final int MAX_HELD = SubscriptionVerticle.MAX_HELD;

    private ResumeLimits() {
    }
}
