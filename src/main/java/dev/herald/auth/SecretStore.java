package dev.herald.auth;

import dev.herald.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Secrets generated once into {@code HERALD_DATA_DIR} and readable by their owner only (mode 0600):
 * the HS256 secret ({@code jwt-secret}) when none is configured, and the embedded PostgreSQL's passwords.
 */
public final class SecretStore {
    static final String FILE = "jwt-secret";
    private static final Logger LOG = Logger.getLogger(SecretStore.class.getName());
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private SecretStore() {
    }

    static String loadOrCreate(Path dataDir) {
        return loadOrCreate(dataDir, FILE, "the JWT secret");
    }

    /**
     * The secret kept in {@code dataDir/file}, generated (48 random bytes, base64url) if the file does not exist.
     * Several nodes sharing the data dir agree on one secret; a file others could read is made owner-only.
     */
    public static String loadOrCreate(Path dataDir, String fileName, String what) {
        Path file = dataDir.resolve(fileName);
        try {
            createOwnerOnlyDirectories(dataDir);
            if (!Files.exists(file)) {
                byte[] bytes = new byte[48];
                new SecureRandom().nextBytes(bytes);
                Path draft = Files.createTempFile(dataDir, fileName, ".new");
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
            restrictIfShared(file);
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (secret.length() < 32) {
                throw new ConfigException(file + " holds a secret shorter than 32 characters; delete it to regenerate");
            }
            return secret;
        } catch (IOException e) {
            throw new ConfigException("cannot read or create " + what + " " + file + " (HERALD_DATA_DIR): " + e.getMessage());
        }
    }

    /** Creates {@code dir} and its missing parents readable by their owner only; an existing directory is left as it is. */
    public static void createOwnerOnlyDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    private static void restrictIfShared(Path file) throws IOException {
        try {
            if (!OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file))) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
                LOG.warning(file + " was readable by other accounts; it is now readable by its owner only (mode 0600)");
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the file keeps the default permissions
        }
    }

    private static void trySetOwnerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: the file keeps the default permissions
        }
    }
}
