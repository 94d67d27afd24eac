package dev.herald.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain {@link Socket}, for peers a real client cannot play: one that truly
 * reads nothing. Its receive buffer is fixed small before it connects (no kernel autotuning), so what
 * a node can hand to the kernel for it is bounded, and what it sends is written in one go.
 */
public final class RawWebSocket implements AutoCloseable {
    private static final int RECEIVE_BUFFER = 64 * 1024;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private boolean closedByServer;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens {@code path} (such as {@code /realtime/websocket}) on loopback and completes the handshake. */
    public static RawWebSocket open(int port, String path) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(RECEIVE_BUFFER);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            RawWebSocket ws = new RawWebSocket(socket);
            ws.handshake(port, path);
            return ws;
        } catch (IOException e) {
            throw new AssertionError("cannot open a WebSocket on port " + port, e);
        }
    }

    private void handshake(int port, String path) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        socket.setSoTimeout(5000);
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            head.write(in.readUnsignedByte());
        }
        String status = head.toString(StandardCharsets.US_ASCII).lines().findFirst().orElse("");
        if (!status.contains(" 101 ")) {
            throw new AssertionError("no WebSocket upgrade: " + status);
        }
    }

    /** One masked text frame per message, all written at once. */
    public void sendAll(Iterable<String> messages) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (String message : messages) {
            frame(frames, message.getBytes(StandardCharsets.UTF_8));
        }
        try {
            out.write(frames.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new AssertionError("the node stopped taking frames", e);
        }
    }

    private static void frame(ByteArrayOutputStream frames, byte[] payload) {
        frames.write(0x81);
        if (payload.length < 126) {
            frames.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frames.write(0x80 | 126);
            frames.write(payload.length >>> 8);
            frames.write(payload.length);
        } else {
            frames.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frames.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frames.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frames.write(payload[i] ^ mask[i & 3]);
        }
    }

    /**
     * Reads until {@code count} whole data messages (text or binary: SockJS sends binary) arrived, the node closed the socket, or nothing came
     * for {@code quiet}; returns how many arrived.
     */
    public int readMessages(int count, Duration quiet) {
        int messages = 0;
        try {
            socket.setSoTimeout((int) quiet.toMillis());
            while (messages < count && !closedByServer) {
                int first = in.readUnsignedByte();
                int second = in.readUnsignedByte();
                long length = second & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                in.skipNBytes(length);
                int opcode = first & 0x0F;
                if (opcode == 0x8) {
                    closedByServer = true;
                } else if ((first & 0x80) != 0 && opcode <= 0x2) {
                    messages++;
                }
            }
        } catch (SocketTimeoutException | EOFException e) {
            // quiet or gone: what arrived is the answer
        } catch (IOException e) {
            throw new AssertionError("reading the socket failed", e);
        }
        return messages;
    }

    public boolean closedByServer() {
        return closedByServer;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
