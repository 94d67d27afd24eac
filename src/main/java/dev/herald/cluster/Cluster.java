package dev.herald.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.XmlConfigBuilder;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.UUID;

/**
 * This node's place in a cluster, or the absence of one. With {@code HERALD_CLUSTER=true} Vert.x runs
 * clustered on the Hazelcast cluster manager: the notifications address is then published to every
 * node, while request/reply addresses stay local. Nothing about sockets or records goes into
 * Hazelcast: it carries only Vert.x's own event-bus registrations (one per node).
 */
public final class Cluster {
    static final String LOCAL_CONFIG = "hazelcast-local.xml";
    private static final int LOCAL_PORT_COUNT = 20;

    private final Vertx vertx;
    private final HazelcastClusterManager manager;
    private final String standaloneId;

    private Cluster(Vertx vertx, HazelcastClusterManager manager) {
        this.vertx = vertx;
        this.manager = manager;
        this.standaloneId = manager == null ? UUID.randomUUID().toString() : null;
    }

    public static Cluster standalone(Vertx vertx) {
        return new Cluster(vertx, null);
    }

    /** A clustered Vert.x joined to the cluster the configuration names, reporting to {@code metrics}. */
    public static Future<Cluster> join(HeraldConfig config, Metrics metrics) {
        HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(config));
        return metrics.vertx().withClusterManager(manager).buildClustered().map(vertx -> new Cluster(vertx, manager));
    }

    /**
     * The file of {@code HERALD_CLUSTER_CONFIG}, or the built-in local configuration; the cluster name
     * and first port always come from {@code HERALD_CLUSTER_NAME} and {@code HERALD_CLUSTER_PORT}.
     */
    static Config hazelcastConfig(HeraldConfig config) {
        Config hz = config.clusterConfig().map(Cluster::fromFile).orElseGet(Cluster::builtIn);
        hz.setClusterName(config.clusterName());
        // Herald's drain leaves the cluster itself, in its order: Hazelcast's own hook would race it. Its
        // graceful leave waits for partition migrations (10 minutes by default, when the members it would
        // hand them to are leaving too): bounded to half the drain, whatever the file says.
        hz.setProperty("hazelcast.shutdownhook.enabled", "false");
        hz.setProperty("hazelcast.graceful.shutdown.max.wait", String.valueOf(Math.max(1, config.drainTimeout().toSeconds() / 2)));
        hz.getNetworkConfig().setPort(config.clusterPort());
        if (config.clusterConfig().isEmpty()) {
            JoinConfig join = hz.getNetworkConfig().getJoin();
            join.getTcpIpConfig().clear();
            for (int port = config.clusterPort(); port < config.clusterPort() + LOCAL_PORT_COUNT; port++) {
                join.getTcpIpConfig().addMember("127.0.0.1:" + port);
            }
        }
        return hz;
    }

    private static Config builtIn() {
        try (InputStream in = Cluster.class.getResourceAsStream("/" + LOCAL_CONFIG)) {
            return new XmlConfigBuilder(in).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Config fromFile(java.nio.file.Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("HERALD_CLUSTER_CONFIG=" + file + ": file not found");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return new XmlConfigBuilder(in).build();
        } catch (IOException | InvalidConfigurationException e) {
            throw new ConfigException("HERALD_CLUSTER_CONFIG=" + file + " is not a valid Hazelcast XML configuration: "
                    + e.getMessage());
        }
    }

    public Vertx vertx() {
        return vertx;
    }

    public boolean enabled() {
        return manager != null;
    }

    /** The Hazelcast member id when clustered; a random id otherwise. */
    public String nodeId() {
        return manager == null ? standaloneId : manager.getNodeId();
    }

    /** For {@code /health}: {@code enabled}, {@code members} and whether membership is intact. */
    public JsonObject state() {
        if (manager == null) {
            return new JsonObject().put("enabled", false).put("members", 1).put("healthy", true);
        }
        boolean running = manager.isActive() && manager.getHazelcastInstance().getLifecycleService().isRunning();
        int members = running ? manager.getNodes().size() : 0;
        boolean member = running && manager.getNodes().contains(manager.getNodeId());
        return new JsonObject().put("enabled", true).put("members", members).put("healthy", member);
    }
}
