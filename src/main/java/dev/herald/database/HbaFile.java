package dev.herald.database;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The embedded server's {@code pg_hba.conf}, rewritten by Herald before every start: a password
 * (scram-sha-256) for every connection, over the Unix socket and loopback TCP alike, and nothing else
 * (no replication, no other address). Only while a data directory of an earlier version is being
 * upgraded may the superuser connect over loopback TCP without one, as every account could before.
 */
final class HbaFile {
    static final String NAME = "pg_hba.conf";
    private static final String LOCKED = """
            # Herald: every connection needs a password (scram-sha-256).
            # Rewritten at every start of the embedded PostgreSQL: edits are lost. The passwords are in
            # HERALD_DATA_DIR: pg-postgres-password (superuser postgres), pg-herald-password (role herald).
            # TYPE  DATABASE  USER  ADDRESS       METHOD
            local   all       all                 scram-sha-256
            host    all       all   127.0.0.1/32  scram-sha-256
            """;
    private static final String UPGRADING = """
            # Herald: upgrading a data directory of an earlier version, which let every local account in.
            # Until Herald has set the passwords, the superuser may still connect over loopback TCP without one.
            # TYPE  DATABASE  USER      ADDRESS       METHOD
            host    all       postgres  127.0.0.1/32  trust
            local   all       all                     scram-sha-256
            host    all       all       127.0.0.1/32  scram-sha-256
            """;

    private HbaFile() {
    }

    /**
     * Whether the data directory still lets some connection in without a password: an earlier version's
     * ({@code trust}), an upgrade that was interrupted, or a file deleted to have Herald set the passwords
     * again. A directory initialised by this version never does, even before its first start.
     */
    static boolean letsAnyoneIn(Path pgData) throws IOException {
        Path file = pgData.resolve(NAME);
        if (!Files.exists(file)) {
            return true;
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(line -> line.replaceFirst("#.*", "").strip())
                .filter(rule -> !rule.isEmpty())
                .anyMatch(rule -> List.of(rule.split("\\s+")).contains("trust"));
    }

    static void writeLocked(Path pgData) throws IOException {
        write(pgData, LOCKED);
    }

    static void writeUpgrading(Path pgData) throws IOException {
        write(pgData, UPGRADING);
    }

    /** Replaces the file at once (a crash leaves the old or the new one, never half of one), owner-only. */
    private static void write(Path pgData, String content) throws IOException {
        Path draft = pgData.resolve(NAME + ".new");
        Files.writeString(draft, content, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(draft, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the server's own checks apply
        }
        Files.move(draft, pgData.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
