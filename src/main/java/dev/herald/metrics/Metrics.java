package dev.herald.metrics;

import dev.herald.config.HeraldConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.UUID;

/**
 * One node's meter registry, served as Prometheus text on {@code /metrics}: Vert.x's own HTTP server,
 * event-bus and pool metrics, the JVM's and the process's, and Herald's ({@link HeraldMeters}). Vert.x
 * reports to it only when the Vert.x instance was built by {@link #vertx()}, clustered or not. With
 * {@code HERALD_METRICS=false} the registry records nothing and {@code /metrics} is not served.
 */
public final class Metrics {
    /** The Prometheus text exposition format, version 0.0.4, which every Prometheus server scrapes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry prometheus;
    private final MeterRegistry registry;

    private Metrics(PrometheusMeterRegistry prometheus, MeterRegistry registry) {
        this.prometheus = prometheus;
        this.registry = registry;
    }

    public static Metrics of(HeraldConfig config) {
        return config.metrics() ? on() : off();
    }

    public static Metrics on() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // the JVM's, the CPU's and uptime come with Vert.x's JVM metrics (vertx()); open files are not among them
        new FileDescriptorMetrics().bindTo(prometheus);
        return new Metrics(prometheus, prometheus);
    }

    /** A registry without backends: every meter is a no-op. */
    public static Metrics off() {
        return new Metrics(null, new CompositeMeterRegistry());
    }

    public boolean enabled() {
        return prometheus != null;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * A Vert.x builder that reports to this registry (JVM metrics included). Each node gets a registry
     * name of its own: vertx-micrometer-metrics keeps one registry per name per JVM, and tests run
     * several nodes in one.
     */
    public VertxBuilder vertx() {
        if (prometheus == null) {
            return Vertx.builder();
        }
        MicrometerMetricsOptions options = new MicrometerMetricsOptions()
                .setEnabled(true)
                .setJvmMetricsEnabled(true)
                .setRegistryName("herald-" + UUID.randomUUID());
        return Vertx.builder().with(new VertxOptions().setMetricsOptions(options)).withMetrics(new MicrometerMetricsFactory(prometheus));
    }

    /** Every meter, in the Prometheus text format; {@link IllegalStateException} when metrics are off. */
    public String scrape() {
        if (prometheus == null) {
            throw new IllegalStateException("metrics are off");
        }
        return prometheus.scrape();
    }
}
