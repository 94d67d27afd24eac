package dev.herald.config;

import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tier.Unit
class HeraldConfigTest {

    @Test
    void defaultsMatchTheReadmeTable() {
        HeraldConfig c = HeraldConfig.fromEnv(Map.of());
        assertEquals(8080, c.httpPort());
        assertEquals("0.0.0.0", c.httpHost());
        assertTrue(c.pgUrl().isEmpty());
        assertEquals(Path.of("./herald-data"), c.dataDir());
        assertTrue(c.demoData(), "demo data with the demo models");
        assertFalse(c.cluster());
        assertEquals("herald", c.clusterName());
        assertEquals(5701, c.clusterPort());
        assertEquals(HeraldConfig.AuthMode.JWT, c.auth());
        assertEquals(16_777_216, c.maxBodyBytes());
        assertEquals(Duration.ofSeconds(30), c.requestTimeout());
        assertEquals(Duration.ofSeconds(60), c.idleTimeout());
        assertEquals(Duration.ofSeconds(30), c.statementTimeout());
        assertEquals(Duration.ofSeconds(60), c.socketIdleTimeout());
        assertTrue(c.metrics(), "/metrics is on by default");
        assertEquals(HeraldConfig.LogFormat.TEXT, c.logFormat());
        assertEquals(Duration.ofSeconds(30), c.drainTimeout());
        assertEquals(50_000, c.maxSockets());
        assertEquals(200, c.socketRate());
    }

    @Test
    void operationsLimitsAreRead() {
        HeraldConfig c = HeraldConfig.fromEnv(Map.of("HERALD_DRAIN_TIMEOUT", "90s", "HERALD_MAX_SOCKETS", " 7 ",
                "HERALD_SOCKET_RATE", "1000000"));
        assertEquals(Duration.ofSeconds(90), c.drainTimeout());
        assertEquals(7, c.maxSockets());
        assertEquals(1_000_000, c.socketRate());
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
    }

    @ParameterizedTest
    @CsvSource({"false, false", "FALSE, false", "0, false", "no, false", "true, true", " yes , true"})
    void metricsAreSwitchedByHeraldMetrics(String value, boolean expected) {
        assertEquals(expected, HeraldConfig.fromEnv(Map.of("HERALD_METRICS", value)).metrics());
    }

    @ParameterizedTest
    @CsvSource({"json, JSON", "JSON, JSON", " text , TEXT", "Text, TEXT"})
    void theLogFormatIsTextOrJson(String value, HeraldConfig.LogFormat expected) {
        assertEquals(expected, HeraldConfig.fromEnv(Map.of("HERALD_LOG_FORMAT", value)).logFormat());
    }

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "30s, PT30S", "5m, PT5M", "2h, PT2H", "7d, PT168H", "45, PT45S"})
    void durationsTakeAUnitOrSeconds(String value, String expected) {
        assertEquals(Duration.parse(expected), HeraldConfig.fromEnv(Map.of("HERALD_STATEMENT_TIMEOUT", value)).statementTimeout());
    }

    @Test
    void aModelsFileTurnsDemoDataOffByDefault() {
        assertFalse(HeraldConfig.fromEnv(Map.of("HERALD_MODELS", "m.yaml")).demoData());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "HERALD_HTTP_PORT      | eighty                 | HERALD_HTTP_PORT=eighty is not a whole number",
            "HERALD_HTTP_PORT      | 70000                  | HERALD_HTTP_PORT=70000 is out of range",
            "HERALD_HTTP_PORT      | -1                     | out of range",
            "HERALD_CLUSTER        | maybe                  | HERALD_CLUSTER=maybe is not true or false",
            "HERALD_DEMO_DATA      | 2                      | HERALD_DEMO_DATA=2 is not true or false",
            "HERALD_AUTH           | basic                  | HERALD_AUTH=basic is not jwt or none",
            "HERALD_MAX_BODY_BYTES | 0                      | HERALD_MAX_BODY_BYTES=0 is out of range",
            "HERALD_PG_URL         | mysql://x/y            | HERALD_PG_URL must look like postgresql://",
            "HERALD_JWT_SECRET     | short                  | HERALD_JWT_SECRET must be at least 32 bytes",
            "HERALD_REQUEST_TIMEOUT | 30 s                  | HERALD_REQUEST_TIMEOUT=30 s is not a duration",
            "HERALD_IDLE_TIMEOUT   | 1w                     | HERALD_IDLE_TIMEOUT=1w is not a duration",
            "HERALD_STATEMENT_TIMEOUT | 0s                  | HERALD_STATEMENT_TIMEOUT=0s is out of range",
            "HERALD_STATEMENT_TIMEOUT | -5s                 | is not a duration",
            "HERALD_SOCKET_IDLE_TIMEOUT | 31d               | HERALD_SOCKET_IDLE_TIMEOUT=31d is out of range",
            "HERALD_STATEMENT_TIMEOUT | 25d                 | HERALD_STATEMENT_TIMEOUT=25d is out of range 1ms..2147483647ms",
            "HERALD_IDLE_TIMEOUT   | 999999999999d          | out of range",
            "HERALD_DRAIN_TIMEOUT  | 0                      | HERALD_DRAIN_TIMEOUT=0 is out of range 1ms..1h",
            "HERALD_DRAIN_TIMEOUT  | 2h                     | HERALD_DRAIN_TIMEOUT=2h is out of range 1ms..1h",
            "HERALD_DRAIN_TIMEOUT  | soon                   | HERALD_DRAIN_TIMEOUT=soon is not a duration",
            "HERALD_DRAIN_TIMEOUT  | 30s; rm -rf /          | is not a duration",
            "HERALD_DRAIN_TIMEOUT  | 99999999999999999999s | HERALD_DRAIN_TIMEOUT=99999999999999999999s is not a duration",
            "HERALD_MAX_SOCKETS    | 0                      | HERALD_MAX_SOCKETS=0 is out of range 1..10000000",
            "HERALD_MAX_SOCKETS    | -1                     | HERALD_MAX_SOCKETS=-1 is out of range",
            "HERALD_MAX_SOCKETS    | 1e6                    | HERALD_MAX_SOCKETS=1e6 is not a whole number",
            "HERALD_MAX_SOCKETS    | 99999999999            | HERALD_MAX_SOCKETS=99999999999 is not a whole number",
            "HERALD_SOCKET_RATE    | 0                      | HERALD_SOCKET_RATE=0 is out of range 1..1000000",
            "HERALD_SOCKET_RATE    | 2.5                    | HERALD_SOCKET_RATE=2.5 is not a whole number",
            "HERALD_SOCKET_RATE    | unlimited              | HERALD_SOCKET_RATE=unlimited is not a whole number",
            "HERALD_METRICS        | off                    | HERALD_METRICS=off is not true or false",
            "HERALD_METRICS        | true; rm -rf /         | HERALD_METRICS=true; rm -rf / is not true or false",
            "HERALD_METRICS        | tru\u0000e            | is not true or false",
            "HERALD_LOG_FORMAT     | logfmt                 | HERALD_LOG_FORMAT=logfmt is not text or json",
            "HERALD_LOG_FORMAT     | json,text              | HERALD_LOG_FORMAT=json,text is not text or json",
            "HERALD_LOG_FORMAT     | jsonl                  | is not text or json",
    })
    void malformedValuesAreRefusedNamingTheVariable(String name, String value, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> HeraldConfig.fromEnv(Map.of(name, value)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void secretAndPublicKeyTogetherAreRefused() {
        assertThrows(ConfigException.class, () -> HeraldConfig.fromEnv(Map.of(
                "HERALD_JWT_SECRET", "x".repeat(40), "HERALD_JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----")));
    }

    @Test
    void unknownHeraldVariablesAreWarnedAboutNotRefused() {
        HeraldConfig c = HeraldConfig.fromEnv(Map.of("HERALD_HTTP_PROT", "1", "PATH", "/bin"));
        assertEquals(List.of("unknown variable HERALD_HTTP_PROT ignored (typo?)"), c.warnings());
    }

    @Test
    void postgresUrlsAreParsedAndRedacted() {
        var options = PgUrl.parse("postgresql://herald:s3cret@db.local:5433/records", "X");
        assertEquals("db.local", options.getHost());
        assertEquals(5433, options.getPort());
        assertEquals("records", options.getDatabase());
        assertEquals("herald", options.getUser());
        assertEquals("postgresql://herald:***@db.local:5433/records", PgUrl.redact("postgresql://herald:s3cret@db.local:5433/records"));
    }
}
