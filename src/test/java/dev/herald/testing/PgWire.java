package dev.herald.testing;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The first answer of a PostgreSQL server to a startup message that carries no password, spoken over
 * TCP or a Unix socket without any client library: what a local account without the password gets.
 */
public final class PgWire {
    /** AuthenticationOk: the server let the client in without a password. */
    public static final int AUTHENTICATION_OK = 0;
    /** AuthenticationSASL: the server demands SCRAM. */
    public static final int AUTHENTICATION_SASL = 10;
    private static final int PROTOCOL_3_0 = 196608;

    private PgWire() {
    }

    /** {@code 'R'} with the authentication request code, or {@code 'E'} with the server's error text. */
    public record Answer(char type, int authentication, String error) {
        @Override
        public String toString() {
            return type == 'R' ? "authentication request " + authentication : "error " + error;
        }
    }

    public static Answer startup(SocketAddress server, String user, String database) throws IOException {
        try (SocketChannel channel = server instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open()) {
            channel.connect(server);
            channel.write(startupMessage(user, database));
            ByteBuffer head = read(channel, 5);
            char type = (char) head.get();
            ByteBuffer body = read(channel, head.getInt() - 4);
            if (type == 'R') {
                return new Answer(type, body.getInt(), null);
            }
            return new Answer(type, -1, StandardCharsets.UTF_8.decode(body).toString().replace('\0', ' ').strip());
        }
    }

    /** The Unix socket of the embedded server whose data directory is {@code pgData}, from its {@code postmaster.pid}. */
    public static UnixDomainSocketAddress unixSocket(Path pgData) throws IOException {
        List<String> pid = Files.readAllLines(pgData.resolve("postmaster.pid"));
        return UnixDomainSocketAddress.of(Path.of(pid.get(4).strip(), ".s.PGSQL." + pid.get(3).strip()));
    }

    /** The TCP port of the embedded server whose data directory is {@code pgData}. */
    public static int port(Path pgData) throws IOException {
        return Integer.parseInt(Files.readAllLines(pgData.resolve("postmaster.pid")).get(3).strip());
    }

    /** The process id of the postmaster of {@code pgData}. */
    public static long postmasterPid(Path pgData) throws IOException {
        return Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).strip());
    }

    private static ByteBuffer startupMessage(String user, String database) {
        byte[] parameters = ("user\0" + user + "\0database\0" + database + "\0\0").getBytes(StandardCharsets.UTF_8);
        ByteBuffer message = ByteBuffer.allocate(8 + parameters.length);
        message.putInt(8 + parameters.length).putInt(PROTOCOL_3_0).put(parameters).flip();
        return message;
    }

    private static ByteBuffer read(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the server closed the connection after " + buffer.position() + " of " + length + " bytes");
            }
        }
        return buffer.flip();
    }
}
