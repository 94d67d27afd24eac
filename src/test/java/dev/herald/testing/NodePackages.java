package dev.herald.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * npm packages for the tests that drive clients nobody here wrote (the stock event-bus client,
 * haystack-core, haystack-nclient) in Node: a {@code package.json} and scripts from {@code src/test/js/…}
 * are copied into a directory under {@code target/}, where {@code npm install} runs once (again only
 * when a wanted version is missing). Without Node.js and npm on the PATH such a test fails: it is
 * never skipped.
 */
public final class NodePackages {
    private NodePackages() {
    }

    /**
     * Installs into {@code target/<name>} the {@code files} of {@code sources} (its {@code package.json}
     * first among them) and the packages {@code versions} names; returns that directory.
     */
    public static Path install(Path sources, String name, List<String> files, Map<String, String> versions)
            throws IOException, InterruptedException {
        assertTrue(works("node", "--version") && works("npm", "--version"),
                "Node.js and npm must be on the PATH: this interop test needs them (README, Tests)");
        Path dir = Path.of("target", name);
        Files.createDirectories(dir);
        for (String file : files) {
            Files.copy(sources.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (versions.entrySet().stream().allMatch(v -> installed(dir, v.getKey(), v.getValue()))) {
            return dir;
        }
        Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(npm.waitFor(5, TimeUnit.MINUTES), "npm install did not finish");
        assertEquals(0, npm.exitValue(), "npm install failed: " + output);
        versions.forEach((pkg, version) -> assertTrue(installed(dir, pkg, version), pkg + " " + version + " is not what npm installed"));
        return dir;
    }

    private static boolean installed(Path dir, String pkg, String version) {
        Path manifest = dir.resolve("node_modules").resolve(pkg).resolve("package.json");
        try {
            return Files.isRegularFile(manifest) && version.equals(new JsonObject(Files.readString(manifest)).getString("version"));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
