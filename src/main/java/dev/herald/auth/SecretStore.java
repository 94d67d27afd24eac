package dev.herald.auth;

import dev.herald.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** The HS256 secret generated once into {@code HERALD_DATA_DIR/jwt-secret} when none is configured. */
final class SecretStore {
    static final String FILE = "jwt-secret";

    private SecretStore() {
    }

    static String loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                byte[] bytes = new byte[48];
                new SecureRandom().nextBytes(bytes);
                Path draft = Files.createTempFile(dataDir, FILE, ".new");
                trySetOwnerOnly(draft);
                Files.writeString(draft, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), StandardCharsets.UTF_8);
                try {
                    Files.createLink(file, draft);
                } catch (FileAlreadyExistsException raced) {
                    // another node sharing the data dir published its secret first: use that one
                } finally {
                    Files.deleteIfExists(draft);
                }
            }
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (secret.length() < 32) {
                throw new ConfigException(file + " holds a secret shorter than 32 characters; delete it to regenerate");
            }
            return secret;
        } catch (IOException e) {
            throw new ConfigException("cannot read or create the JWT secret " + file + " (HERALD_DATA_DIR): " + e.getMessage());
        }
    }

    private static void trySetOwnerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: the file keeps the default permissions
        }
    }
}
