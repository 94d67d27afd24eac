package dev.herald;

import dev.herald.errors.ApiError;
import dev.herald.errors.Failures;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonObject;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.util.List;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code HERALD_LOG_FORMAT=json}: the records of Herald's java.util.logging loggers, through the bridge
 * {@link Logging} installs, come out of the layout {@code log4j2.xml} configures (the same template) as one
 * JSON object per line, with {@code node} and {@code correlationId} where known. The jar's own stderr is
 * checked by {@code it.OperationsIT}.
 */
@Tier.Unit
class JsonLogTest {
    private static final StringWriter OUT = new StringWriter();
    private static WriterAppender appender;

    @BeforeAll
    static void captureTheJsonLayout() {
        Logging.configure(null);
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        JsonTemplateLayout layout = JsonTemplateLayout.newBuilder().setConfiguration(configuration)
                .setEventTemplateUri("classpath:herald-log-event.json").build();
        appender = WriterAppender.newBuilder().setName("json-capture").setTarget(OUT).setLayout(layout).build();
        appender.start();
        configuration.getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
    }

    @AfterAll
    static void stopCapturing() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
        LogContext.node(null);
    }

    @BeforeEach
    void clear() {
        OUT.getBuffer().setLength(0);
    }

    private static List<JsonObject> lines() {
        String text = OUT.toString();
        assertTrue(text.endsWith("\n"), "one object per line: " + text);
        return text.lines().map(JsonObject::new).toList();
    }

    @Test
    void aRecordIsOneJsonObjectPerLineWithTimeLevelLoggerMessageAndNode() {
        LogContext.node("node-1");
        Logger.getLogger("dev.herald.Somewhere").warning("two\nlines \"quoted\" \u0000 and a \ud83d\udc34");
        List<JsonObject> lines = lines();
        assertEquals(1, lines.size(), OUT.toString());
        JsonObject line = lines.get(0);
        assertTrue(line.getString("time").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line.encode());
        assertEquals("WARN", line.getString("level"));
        assertEquals("dev.herald.Somewhere", line.getString("logger"));
        assertEquals("two\nlines \"quoted\" \u0000 and a \ud83d\udc34", line.getString("message"));
        assertEquals("node-1", line.getString("node"));
        assertFalse(line.containsKey("correlationId"), "no correlation id outside a failure: " + line.encode());
        assertFalse(line.containsKey("error"), line.encode());
    }

    @Test
    void anUnexpectedFailureIsLoggedWithTheCorrelationIdTheClientGets() {
        LogContext.node("node-2");
        ApiError answered = Failures.toApiError(new IllegalStateException("boom"));
        String correlationId = answered.details().getString("correlationId");
        JsonObject line = lines().stream().filter(l -> l.containsKey("correlationId")).findFirst().orElseThrow(() -> new AssertionError(OUT));
        assertEquals(correlationId, line.getString("correlationId"));
        assertEquals("ERROR", line.getString("level"));
        assertEquals("node-2", line.getString("node"));
        assertEquals("java.lang.IllegalStateException", line.getJsonObject("error").getString("type"));
        assertEquals("boom", line.getJsonObject("error").getString("message"));
        assertTrue(line.getJsonObject("error").getString("stackTrace").contains("JsonLogTest"), line.encode());

        Logger.getLogger("dev.herald.Later").info("after the failure");
        assertFalse(lines().get(lines().size() - 1).containsKey("correlationId"), "the id does not stick to the thread");
    }

    @Test
    void aRecordBeforeTheNodeIsKnownHasNoNode() {
        LogContext.node(null);
        Logger.getLogger("dev.herald.Early").info("starting");
        assertFalse(lines().get(0).containsKey("node"), OUT.toString());
    }
}
