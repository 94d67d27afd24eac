package dev.herald.testing;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A hand-driven HTTP/1.1 connection to a node on loopback, for clients a real HTTP client cannot
 * play: half-sent heads, stalled bodies, one byte at a time, silence.
 */
public final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final long openedAt = System.nanoTime();

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static RawConnection open(int port) {
        try {
            return new RawConnection(new Socket("127.0.0.1", port));
        } catch (IOException e) {
            throw new AssertionError("cannot connect to port " + port, e);
        }
    }

    /** A response as read off the wire; header names in lower case. */
    public record Response(int status, Map<String, String> headers, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Writes {@code text} (UTF-8); false when the server has already closed the connection. */
    public boolean send(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public boolean send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The next response (bodies by Content-Length), which must arrive within {@code within}. */
    public Response readResponse(Duration within) {
        try {
            socket.setSoTimeout((int) within.toMillis());
            String statusLine = line();
            if (statusLine == null) {
                throw new AssertionError("connection closed before any response");
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new HashMap<>();
            for (String line = line(); line != null && !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no response within " + within.toMillis() + " ms");
        } catch (IOException e) {
            throw new AssertionError("connection failed before a response: " + e);
        }
    }

    /** Reads until {@code marker} has been seen (for streamed responses); everything read so far. */
    public String readUntil(String marker, Duration within) {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + within.toNanos();
        try {
            while (seen.indexOf(marker) < 0) {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                int b = in.read();
                if (b == -1) {
                    throw new AssertionError("connection closed before " + marker + "; read: " + seen);
                }
                seen.append((char) b);
            }
            return seen.toString();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no " + marker + " within " + within.toMillis() + " ms; read: " + seen);
        } catch (IOException e) {
            throw new AssertionError("connection failed before " + marker + ": " + e + "; read: " + seen);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String line = bytes.toString(StandardCharsets.ISO_8859_1);
                return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            }
            bytes.write(b);
        }
        return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Waits until the server closes the connection (end of stream or reset), discarding anything it
     * sends; fails if it is still open after {@code within}. Returns the time since the connection opened.
     */
    public Duration awaitClosed(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        try {
            while (true) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                socket.setSoTimeout((int) left);
                if (in.read() == -1) {
                    return age();
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + age().toMillis() + " ms");
        } catch (SocketException e) {
            return age();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Fails if the server closes the connection (or sends anything) within {@code period}. */
    public void assertOpenFor(Duration period) {
        try {
            socket.setSoTimeout((int) period.toMillis());
            int b = in.read();
            throw new AssertionError(b == -1 ? "the server closed the connection after " + age().toMillis() + " ms"
                    : "unexpected data from the server");
        } catch (SocketTimeoutException expected) {
            // still open, nothing sent
        } catch (IOException e) {
            throw new AssertionError("the connection failed after " + age().toMillis() + " ms: " + e);
        }
    }

    /** Time since the connection was opened. */
    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - openedAt);
    }

    /** A thread writing {@code text} one byte per {@code pause} until it is all sent or the server closes the connection. */
    public Thread trickle(String text, Duration pause) {
        Thread thread = new Thread(() -> {
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                if (!send(new byte[]{b})) {
                    return;
                }
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "trickle");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
