package dev.herald.it;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code java -jar target/herald.jar} as a separate process, as a user runs it; stdout read line by line. */
final class ServerProcess implements AutoCloseable {
    static final Path JAR = Path.of("target", "herald.jar");
    private static final Pattern PORT = Pattern.compile("listening on port (\\d+)");
    private static final int STDERR_LINES_KEPT = 40;

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Thread stderrReader;

    private ServerProcess(Process process) {
        this.process = process;
        daemon("herald-stdout", () -> readLines(process.getInputStream(), lines::add));
        stderrReader = daemon("herald-stderr", () -> readLines(process.getErrorStream(), line -> {
            synchronized (stderrTail) {
                stderrTail.addLast(line);
                if (stderrTail.size() > STDERR_LINES_KEPT) {
                    stderrTail.removeFirst();
                }
            }
        }));
    }

    /** Starts the jar; {@code HERALD_PG_URL} of the test JVM's environment, if any, is passed on. */
    static ServerProcess start(Map<String, String> env, String... args) throws IOException {
        return launch(env, true, args);
    }

    /** Starts the jar on its embedded PostgreSQL, whatever the test JVM's environment says. */
    static ServerProcess startEmbedded(Map<String, String> env) throws IOException {
        return launch(env, false);
    }

    private static ServerProcess launch(Map<String, String> env, boolean passPgUrl, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("HERALD_") && !(passPgUrl && k.equals("HERALD_PG_URL")));
        builder.environment().putAll(env);
        return new ServerProcess(builder.start());
    }

    /** Runs a command of the jar to completion (at most 60 s): its exit status and everything it printed. */
    static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
        builder.environment().putAll(env);
        Process p = builder.start();
        CompletableFuture<String> out = new CompletableFuture<>();
        CompletableFuture<String> err = new CompletableFuture<>();
        daemon("command-stdout", () -> out.complete(readAll(p.getInputStream())));
        daemon("command-stderr", () -> err.complete(readAll(p.getErrorStream())));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("command did not finish within 60 s: " + command + "; stderr: " + err.getNow(""));
        }
        try {
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the output of " + command + " did not end with the process", e);
        }
    }

    record Result(int status, String stdout, String stderr) {
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String readAll(InputStream in) {
        try (in; ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readLines(InputStream from, java.util.function.Consumer<String> to) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                to.accept(line);
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Waits for "listening on port N" and returns N. */
    int awaitPort() throws InterruptedException {
        Matcher m = PORT.matcher(awaitLine(l -> PORT.matcher(l).find()));
        m.find();
        return Integer.parseInt(m.group(1));
    }

    String awaitLine(java.util.function.Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (wanted.test(line)) {
                    return line;
                }
            } else if (!process.isAlive() && lines.isEmpty()) {
                throw new AssertionError("herald exited with " + process.exitValue() + " after printing " + seen
                        + "; last lines of stderr: " + stderrTail());
            }
        }
        throw new AssertionError("expected line not printed within 90 s; saw " + seen + "; last lines of stderr: " + stderrTail());
    }

    /** The last lines the process wrote on stderr (at most {@value #STDERR_LINES_KEPT}), oldest first. */
    List<String> stderrTail() {
        synchronized (stderrTail) {
            return List.copyOf(stderrTail);
        }
    }

    /** kill -9: no shutdown hook, no goodbye to the cluster. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGTERM, as an orchestrator sends it: the node drains. Through its handle: {@code Process.destroy()}
     * would also close our ends of its output, and the drain's log would be lost.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** Its exit status, once it has exited; fails if it is still running after {@code seconds}. */
    int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("herald still running " + seconds + " s later; last lines of stderr: " + stderrTail());
        }
        stderrReader.join(10_000);
        return process.exitValue();
    }

    /** The last lines it wrote on stderr (its log). */
    List<String> log() {
        return stderrTail();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
