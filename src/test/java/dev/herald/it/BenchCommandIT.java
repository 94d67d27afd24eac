package dev.herald.it;

import dev.herald.testing.Tier;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's benchmark command, small: every scenario runs, loses nothing, and the figures are written,
 * with the notification log's cost (the same destroys on a second set of nodes without the log, in turns).
 */
@Tier.Integration
class BenchCommandIT {

    @Test
    void theBenchCommandRunsEveryScenarioAndWritesItsFigures(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("bench.json");
        String printed = bench(dir, out, 240, "--records", "300", "--warmup", "100", "--paced", "200", "--rate", "200",
                "--fanout", "30", "--idle", "50", "--entities", "40", "--nodes", "2", "--profile", "1", "--logRecords", "240",
                "--rounds", "4");
        assertTrue(printed.contains("Herald / raw"), printed);
        assertTrue(printed.contains("more nodes with HERALD_NOTIFICATION_LOG=false"), printed);
        assertTrue(printed.matches("(?s).*destroy throughput +with log \\d+ /s, without log \\d+ /s: ratio with / without \\d+\\.\\d{3} .*"),
                printed);
        assertTrue(printed.matches("(?s).*notification, full load with log p50 [\\d.]+ / p99 [\\d.]+ ms, without log p50 [\\d.]+ "
                + "/ p99 [\\d.]+ ms: p50 difference [-+][\\d.]+ ms.*"), printed);
        assertTrue(printed.matches("(?s).*notification, 200/s +with log p50 [\\d.]+ / p99 [\\d.]+ ms, without log p50 [\\d.]+ "
                + "/ p99 [\\d.]+ ms: p50 difference [-+][\\d.]+ ms.*"), printed);

        JsonObject r = new JsonObject(Files.readString(out));
        JsonObject throughput = r.getJsonObject("throughput");
        assertEquals(0, throughput.getInteger("failed"));
        assertEquals(0, throughput.getLong("lost_notifications"));
        assertEquals(0, throughput.getLong("duplicate_notifications"));
        assertTrue(throughput.getLong("destroys_per_s") > 0);
        assertTrue(throughput.getLong("write_transactions") < 300, "concurrent destroys share transactions: " + throughput);
        assertTrue(throughput.getJsonObject("cpu_ms_per_destroy").containsKey("node 2"), throughput.encode());
        JsonObject node1Threads = throughput.getJsonObject("node_cpu_ms_per_destroy_by_thread").getJsonObject("node 1");
        assertTrue(node1Threads.getDouble("event loops") > 0, "the node that takes the DELETEs runs its event loops: " + throughput.encode());
        assertTrue(printed.contains("node CPU by thread      node 1: event loops "), printed);
        assertTrue(r.getJsonObject("rawDelete").getLong("deletes_per_s") > 0);
        assertTrue(r.getDouble("herald_over_raw") > 0);
        JsonObject paced = r.getJsonObject("pacedLatency");
        assertEquals(0, paced.getLong("lost_notifications"));
        assertEquals(0, paced.getInteger("failed"));
        JsonObject rawPaced = paced.getJsonObject("raw_delete").getJsonObject("latency");
        assertEquals(200, rawPaced.getInteger("count"), "as many raw DELETEs at the same rate: " + paced.encode());
        assertEquals(0, paced.getJsonObject("raw_delete").getInteger("failed"), paced.encode());
        assertTrue(rawPaced.getDouble("p99_ms") > 0, paced.encode());
        assertTrue(paced.getJsonArray("http_p99_ms_by_second").size() >= 1, "200 destroys at 200/s span a second: " + paced.encode());
        assertTrue(printed.matches("(?s).*  HTTP p99 / max by second [\\d.]+/[\\d.]+.*"), printed);
        JsonObject meanwhile = paced.getJsonObject("database_background");
        assertTrue(meanwhile.getInteger("samples") > 0, "PostgreSQL's own work is sampled while the paced destroys run: " + paced.encode());
        assertTrue(printed.matches("(?s).*  PostgreSQL meanwhile +autovacuum in \\d+ of \\d+ samples.*"), printed);
        assertTrue(printed.matches("(?s).*  raw DELETE, same rate +p50 [\\d.]+ / p95 [\\d.]+ / p99 [\\d.]+ / max [\\d.]+ ms \\(PostgreSQL and the machine alone\\); meanwhile autovacuum in .*"), printed);
        JsonObject fanout = r.getJsonObject("fanout");
        assertEquals(200, fanout.getInteger("status"));
        assertEquals(0, fanout.getLong("lost_notifications"));
        assertEquals(0, fanout.getLong("duplicate_notifications"));
        JsonObject deleteRec = r.getJsonObject("deleteRecByFilter");
        assertEquals(3, deleteRec.getJsonArray("rounds").size(), deleteRec.encode());
        for (Object o : deleteRec.getJsonArray("rounds")) {
            JsonObject round = (JsonObject) o;
            assertEquals(40, round.getInteger("deleted"), round.encode());
            assertEquals(40L * 4, round.getLong("destroyed_received"), "every socket hears of every point: " + round.encode());
            assertEquals(40L * 4, round.getLong("with_previous"), round.encode());
            assertEquals(0, round.getLong("duplicates"), round.encode());
        }
        JsonObject profiled = r.getJsonObject("profile").getJsonObject("throughput").getJsonObject("node 1");
        assertTrue(profiled.getInteger("samples") > 0, profiled.encode());
        assertTrue(profiled.getJsonArray("herald_frames").getString(0).matches("[\\d.]+% dev\\.herald\\..*"), profiled.encode());
        assertTrue(printed.contains("throughput, node 1 ("), printed);
        JsonObject idle = r.getJsonObject("idleSockets");
        assertEquals(50, idle.getInteger("sockets"));
        assertTrue(idle.getLong("subscriptions_per_s") > 0, idle.encode());
        assertTrue(idle.getValue("heap_kb_per_session") instanceof Number, "the JDK running the tests has jcmd: " + idle.encode());
        assertTrue(idle.getValue("rss_kb_per_session") instanceof Number, idle.encode());
        assertTrue(idle.getValue("heap_committed_kb_per_session") instanceof Number, idle.encode());
        JsonObject made = idle.getJsonObject("top_classes_bytes_per_session");
        assertTrue(made.size() > 0 && made.size() <= 15, "what a session is made of: " + idle.encode());
        assertTrue(made.stream().allMatch(e -> ((Number) e.getValue()).doubleValue() > 0), idle.encode());
        assertTrue(printed.contains("live bytes per session by class: "), printed);
        assertEquals("C1 only (-XX:TieredStopAtLevel=1)", r.getString("node_jvm"));
        assertTrue(printed.matches("(?s).*idle sockets 50 .* KB heap and .* KB RSS per session on node 1 .*"), printed);

        // with the log (the phases above), every destroy took positions
        assertTrue(throughput.getLong("log_positions_taken") >= 300, throughput.encode());
        JsonObject cost = r.getJsonObject("notificationLog");
        assertEquals(4, cost.getInteger("rounds_per_set"));
        assertEquals(4, cost.getJsonArray("throughput_ratio_by_round_pair").size());
        assertTrue(cost.getLong("with_log_destroys_per_s") > 0 && cost.getLong("without_log_destroys_per_s") > 0, cost.encode());
        assertEquals(cost.getLong("with_log_destroys_per_s") / (double) cost.getLong("without_log_destroys_per_s"),
                cost.getDouble("throughput_ratio"), 0.001);
        for (String phase : List.of("notification_latency_full_load", "notification_latency_paced")) {
            JsonObject latency = cost.getJsonObject(phase);
            assertTrue(latency.getDouble("with_log_p50_ms") > 0 && latency.getDouble("without_log_p50_ms") > 0, latency.encode());
            assertEquals(latency.getDouble("with_log_p50_ms") - latency.getDouble("without_log_p50_ms"),
                    latency.getDouble("p50_increase_ms"), 0.011);
        }
        for (String set : List.of("with_log", "without_log")) {
            JsonObject full = cost.getJsonObject(set).getJsonObject("throughput");
            JsonObject atRate = cost.getJsonObject(set).getJsonObject("pacedLatency");
            assertEquals(240, full.getLong("destroys"), set);
            assertEquals(200, atRate.getLong("destroys"), set);
            for (JsonObject phase : List.of(full, atRate)) {
                assertEquals(0, phase.getLong("failed"), set + ": " + phase.encode());
                assertEquals(0, phase.getLong("lost_notifications"), set + ": " + phase.encode());
                assertEquals(0, phase.getLong("duplicate_notifications"), set + ": " + phase.encode());
            }
        }
        // the set with the log took positions, the other none
        assertTrue(cost.getJsonObject("with_log").getJsonObject("throughput").getLong("log_positions_taken") >= 240, cost.encode());
        assertEquals(0, cost.getJsonObject("without_log").getJsonObject("throughput").getLong("log_positions_taken"), cost.encode());
        assertTrue(cost.getJsonObject("targets").containsKey("throughput_met"), cost.encode());
    }

    @Test
    void theIdleScenarioRunsAloneOnNodesWithTheDefaultCompilers(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("idle.json");
        String printed = bench(dir, out, 180, "--only", "idle", "--idle", "30", "--nodes", "1", "--jvm", "default");
        assertTrue(printed.contains("starting PostgreSQL and 1 nodes (default JVM compilers)"), printed);
        assertTrue(printed.matches("(?s).*idle sockets 30 .* KB heap and .* KB RSS per session on node 1 .*"), printed);
        assertTrue(printed.contains("live bytes per session by class: "), printed);
        JsonObject r = new JsonObject(Files.readString(out));
        assertEquals("the JVM's default compilers", r.getString("node_jvm"));
        assertEquals(30, r.getJsonObject("idleSockets").getInteger("sockets"), r.encode());
        assertTrue(r.getJsonObject("idleSockets").getLong("subscriptions_per_s") > 0, r.encode());
        assertFalse(r.containsKey("throughput"), "no other phase ran: " + r.fieldNames());
        assertFalse(r.containsKey("notificationLog"), "no other phase ran: " + r.fieldNames());
    }

    @Test
    void theLogCostRunsWithoutTheSocketHeavyPhases(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("log.json");
        String printed = bench(dir, out, 180, "--only", "log", "--records", "100", "--warmup", "50",
                "--paced", "60", "--rate", "100", "--logRecords", "80", "--rounds", "2", "--nodes", "2");
        assertTrue(printed.matches("(?s).*destroy throughput +with log \\d+ /s, without log \\d+ /s: ratio with / without .*"), printed);
        JsonObject r = new JsonObject(Files.readString(out));
        JsonObject cost = r.getJsonObject("notificationLog");
        assertEquals(2, cost.getInteger("rounds_per_set"), cost.encode());
        assertEquals(80, cost.getJsonObject("without_log").getJsonObject("throughput").getLong("destroys"), cost.encode());
        assertTrue(r.containsKey("throughput") && r.containsKey("pacedLatency"), "the phases before it ran: " + r.fieldNames());
        for (String after : List.of("fanout", "idleSockets", "deleteRecByFilter")) {
            assertFalse(r.containsKey(after), after + " ran: " + r.fieldNames());
        }
    }

    /** Runs {@code bench} with {@code args} to completion within {@code seconds}; what it printed, once it exited 0. */
    private static String bench(Path dir, Path out, int seconds, String... args) throws Exception {
        Path log = dir.resolve(out.getFileName() + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", ServerProcess.JAR.toString(), "bench"));
        command.addAll(List.of(args));
        command.addAll(List.of("--out", out.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("HERALD_") && !k.equals("HERALD_PG_URL"));
        Process bench = builder.start();
        if (!bench.waitFor(seconds, TimeUnit.SECONDS)) {
            bench.destroy();
            bench.waitFor(60, TimeUnit.SECONDS);
            throw new AssertionError("the bench did not finish in " + seconds + " s:\n" + Files.readString(log));
        }
        String printed = Files.readString(log);
        assertEquals(0, bench.exitValue(), printed);
        return printed;
    }

    @Test
    void badOptionsAreRefusedWithTheUsage() throws Exception {
        for (List<String> args : List.of(List.of("--records", "-5"), List.of("--records", "many"), List.of("--nope", "3"),
                List.of("--records"), List.of("--only", "throughput"), List.of("--jvm", "c2"), List.of("--logRecords", "0"))) {
            List<String> all = new ArrayList<>(List.of("bench"));
            all.addAll(args);
            ServerProcess.Result result = ServerProcess.run(Map.of(), all.toArray(String[]::new));
            assertEquals(2, result.status(), args + ": " + result.stderr());
            assertTrue(result.stderr().contains("usage: bench"), args + ": " + result.stderr());
        }
    }
}
