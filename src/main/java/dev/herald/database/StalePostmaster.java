package dev.herald.database;

import dev.herald.config.ConfigException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The postmaster a node killed with {@code kill -9} leaves running on its data directory. It keeps
 * the directory locked, so it is stopped before the embedded server starts again: fast shutdown
 * (SIGINT), then killed with its children if it has not ended within {@value #FAST_SHUTDOWN_SECONDS} s.
 *
 * <p>Only a process that is provably this directory's postmaster is ever signalled: the process named
 * by {@code postmaster.pid}, running a {@code postgres} binary with {@code -D} this directory, while no
 * live process holds the embedded library's lock on the directory (that one would be a running node).
 */
final class StalePostmaster {
    private static final Logger LOG = Logger.getLogger(StalePostmaster.class.getName());
    /** The lock file the embedded library holds while its server runs. */
    private static final String LIBRARY_LOCK = "epg-lock";
    private static final long FAST_SHUTDOWN_SECONDS = 15;
    private static final long KILL_SECONDS = 10;

    private StalePostmaster() {
    }

    /** Stops the stale postmaster of {@code pgData}, if there is one; refuses if a live node still owns the directory. */
    static void stopIfAny(Path pgData) {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile) || !Files.exists(pgData.resolve(LIBRARY_LOCK))) {
            return;
        }
        try (FileChannel channel = FileChannel.open(pgData.resolve(LIBRARY_LOCK), StandardOpenOption.WRITE);
             FileLock lock = tryLock(channel)) {
            if (lock == null) {
                throw new ConfigException("the embedded PostgreSQL in " + pgData + " is in use by another running process"
                        + " (a second node on the same HERALD_DATA_DIR?); stop it or give this node a data dir of its own");
            }
            postmasterOf(pgData, pidFile).ifPresent(postmaster -> stop(postmaster, pgData));
        } catch (NoSuchFileException e) {
            // the postmaster removed its files while we looked: nothing left to stop
        } catch (IOException e) {
            throw new ConfigException("cannot check for a PostgreSQL left running in " + pgData + ": " + e.getMessage());
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** The live process that {@code postmaster.pid} names, if it is a postgres server of exactly {@code pgData}. */
    static Optional<ProcessHandle> postmasterOf(Path pgData, Path pidFile) throws IOException {
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.size() < 2 || !samePath(lines.get(1).strip(), pgData)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> runsPostgresOn(p, pgData));
    }

    private static boolean runsPostgresOn(ProcessHandle process, Path pgData) {
        ProcessHandle.Info info = process.info();
        boolean postgres = info.command().map(c -> Path.of(c).getFileName().toString())
                .map(name -> name.equals("postgres") || name.equals("postgres.exe") || name.equals("postmaster"))
                .orElse(false);
        List<String> args = info.arguments().map(List::of).orElse(List.of());
        int d = args.indexOf("-D");
        return postgres && d >= 0 && d + 1 < args.size() && samePath(args.get(d + 1), pgData);
    }

    private static boolean samePath(String path, Path pgData) {
        try {
            return Path.of(path).toAbsolutePath().normalize().equals(pgData.toAbsolutePath().normalize());
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private static void stop(ProcessHandle postmaster, Path pgData) {
        LOG.warning("a PostgreSQL server (pid " + postmaster.pid() + ") is still running on " + pgData
                + ", left by a node that did not shut down; stopping it (fast shutdown)");
        signalInterrupt(postmaster.pid());
        if (awaitExit(Stream.of(postmaster), FAST_SHUTDOWN_SECONDS)) {
            return;
        }
        LOG.warning("PostgreSQL (pid " + postmaster.pid() + ") did not shut down within " + FAST_SHUTDOWN_SECONDS
                + " s; killing it and its children (it recovers from its log at the next start)");
        List<ProcessHandle> all = Stream.concat(postmaster.descendants(), Stream.of(postmaster)).toList();
        all.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(all.stream(), KILL_SECONDS)) {
            throw new ConfigException("cannot stop the PostgreSQL server (pid " + postmaster.pid() + ") left running on "
                    + pgData + "; stop it by hand, then start again");
        }
    }

    /** SIGINT, PostgreSQL's fast shutdown (Java can only send SIGTERM, its smart shutdown, and SIGKILL). */
    private static void signalInterrupt(long pid) {
        try {
            Process kill = new ProcessBuilder("sh", "-c", "kill -INT " + pid).redirectErrorStream(true).start();
            kill.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.warning("cannot send the fast shutdown signal to PostgreSQL (pid " + pid + "): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean awaitExit(Stream<ProcessHandle> processes, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<ProcessHandle> waiting = processes.toList();
        while (waiting.stream().anyMatch(ProcessHandle::isAlive)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
