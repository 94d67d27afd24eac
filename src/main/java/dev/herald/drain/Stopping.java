package dev.herald.drain;

import sun.misc.Signal;

import java.util.logging.Logger;

/**
 * How a node process ends: SIGTERM (an orchestrator, {@code docker stop}, {@code kill}) and SIGINT
 * (Ctrl-C) start the {@link Drain} on a thread of its own, and the process exits 0 when it drained in
 * time, 1 otherwise. A second signal while draining is ignored (SIGKILL remains). The signals are taken
 * from the JVM's shutdown sequence on purpose: during that sequence the JVM resets the logging (the
 * drain's log lines would be lost) and only {@code Runtime.halt} could set the exit status. Any other
 * way the JVM stops (another signal, {@code System.exit}) runs the same drain from a shutdown hook.
 */
public final class Stopping {
    private static final Logger LOG = Logger.getLogger(Stopping.class.getName());

    private Stopping() {
    }

    public static void onSignals(Drain drain) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (drain.started()) {
                        LOG.info("SIG" + name + " while draining: ignored (the drain is bounded by HERALD_DRAIN_TIMEOUT)");
                        return;
                    }
                    new Thread(() -> exit(drain.run()), "herald-drain").start();
                });
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal (-Xrs): the shutdown hook below drains, and the exit status is the JVM's
                LOG.warning("SIG" + name + " cannot be handled (" + e.getMessage() + "): the node drains from its shutdown hook");
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(drain::run, "herald-shutdown"));
    }

    /** Exits with the drain's status; should a library's shutdown hook hang, the JVM is halted 10 s later. */
    private static void exit(boolean drained) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(drained ? 0 : 1);
        }, "herald-exit-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.out.flush();
        System.err.flush();
        System.exit(drained ? 0 : 1);
    }
}
