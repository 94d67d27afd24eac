package dev.herald.database;

import dev.herald.config.ConfigException;
import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Only the postmaster of the data directory itself is ever stopped; real processes, no postgres needed. */
@Tier.Unit
class StalePostmasterTest {

    private static void pidFile(Path pgData, long pid) throws Exception {
        Files.writeString(pgData.resolve("postmaster.pid"), pid + "\n" + pgData + "\n1700000000\n5432\n/tmp\n127.0.0.1\n  1  2\nready\n");
        Files.createFile(pgData.resolve("epg-lock"));
    }

    @Test
    void aProcessThatReusedThePostmastersIdIsLeftAlone(@TempDir Path pgData) throws Exception {
        // a shell whose arguments even name the data directory: still not a postgres server
        Process other = new ProcessBuilder("sh", "-c", "sleep 60; true", "sh", "-D", pgData.toString()).start();
        try {
            pidFile(pgData, other.pid());
            StalePostmaster.stopIfAny(pgData);
            assertTrue(other.isAlive());
        } finally {
            other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDataDirectoryLockedByARunningNodeIsRefusedNotStopped(@TempDir Path pgData) throws Exception {
        pidFile(pgData, ProcessHandle.current().pid());
        try (FileChannel channel = FileChannel.open(pgData.resolve("epg-lock"), StandardOpenOption.WRITE);
             FileLock held = channel.lock()) {
            ConfigException refused = assertThrows(ConfigException.class, () -> StalePostmaster.stopIfAny(pgData));
            assertTrue(refused.getMessage().contains("in use by another running process"), refused.getMessage());
        }
    }

    @Test
    void noPidFileNothingToDo(@TempDir Path pgData) {
        StalePostmaster.stopIfAny(pgData);
    }
}
