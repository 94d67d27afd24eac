package dev.herald.errors;

import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The error catalogue is closed and documented: every code in {@link ErrorCode} is in errors.md, and nothing else is. */
@Tier.Unit
class ErrorCatalogueTest {
    private static final Path DOCUMENTATION = Path.of("src", "site", "markdown", "errors.md");
    private static final Pattern CODE = Pattern.compile("`(E_[A-Z_]+|H[A-Za-z]+Error)`");

    @Test
    void everyCodeIsDocumentedAndEveryDocumentedCodeExists() throws IOException {
        Set<String> documented = new TreeSet<>();
        Matcher m = CODE.matcher(Files.readString(DOCUMENTATION, StandardCharsets.UTF_8));
        while (m.find()) {
            documented.add(m.group(1));
        }
        Set<String> catalogue = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(catalogue, documented, "the codes of ErrorCode and those documented in " + DOCUMENTATION);
    }

    @Test
    void codesReadBackFromTheEventBusAreTheSameAndUnknownOnesAreInternal() {
        for (ErrorCode code : ErrorCode.values()) {
            ApiError error = ApiError.fromJson(code.error("m").toJson());
            assertSame(code, error.errorCode());
            assertEquals(code.status(), error.status());
        }
        assertSame(ErrorCode.INTERNAL, ApiError.fromJson(new io.vertx.core.json.JsonObject().put("code", "E_MADE_UP")).errorCode());
    }

    @Test
    void errorGridsShowWideSkysKindForTheStatus() {
        assertSame(ErrorCode.H_BAD_REQUEST, ErrorCode.TOO_LARGE.haystackKind());
        assertSame(ErrorCode.H_NOT_FOUND, ErrorCode.UNKNOWN_MODEL.haystackKind());
        assertSame(ErrorCode.H_SERVER, ErrorCode.TIMEOUT.haystackKind());
        assertSame(ErrorCode.H_UNAUTHORIZED, ErrorCode.UNAUTHORIZED.haystackKind());
        assertSame(ErrorCode.H_FORBIDDEN, ErrorCode.FORBIDDEN.haystackKind());
        assertSame(ErrorCode.H_NOT_FOUND, ErrorCode.H_NOT_FOUND.haystackKind(), "a Haystack kind is its own");
    }
}
