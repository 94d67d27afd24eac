package dev.herald.database;

import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tier.Unit
class HbaFileTest {

    @Test
    void aDataDirOfAnEarlierVersionLetsAnyoneIn(@TempDir Path pgData) throws Exception {
        Files.writeString(pgData.resolve("pg_hba.conf"), """
                # "local" is for Unix domain socket connections only
                local   all             all                                     trust
                host    all             all             127.0.0.1/32            trust
                """);
        assertTrue(HbaFile.letsAnyoneIn(pgData));
    }

    @Test
    void aMissingFileLetsAnyoneIn(@TempDir Path pgData) throws Exception {
        assertTrue(HbaFile.letsAnyoneIn(pgData), "deleting pg_hba.conf has Herald set the passwords again");
    }

    @Test
    void initdbsPasswordRulesAndHeraldsOwnDoNot(@TempDir Path pgData) throws Exception {
        Files.writeString(pgData.resolve("pg_hba.conf"), """
                # trust is mentioned in a comment only
                local   all             all                                     scram-sha-256
                host    all             all             127.0.0.1/32            scram-sha-256
                """);
        assertFalse(HbaFile.letsAnyoneIn(pgData));
        HbaFile.writeLocked(pgData);
        assertFalse(HbaFile.letsAnyoneIn(pgData));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pgData.resolve("pg_hba.conf"))));
    }

    @Test
    void anInterruptedUpgradeIsResumed(@TempDir Path pgData) throws Exception {
        HbaFile.writeUpgrading(pgData);
        assertTrue(HbaFile.letsAnyoneIn(pgData));
    }
}
