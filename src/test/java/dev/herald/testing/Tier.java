package dev.herald.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The three test tiers, one annotation each on every test class: {@code mvn test -Dgroups=unit} runs
 * only the unit tier, {@code -Dgroups=component} only the component tier; without {@code -Dgroups}
 * everything runs. Each carries the tag for both engines of the build (Jupiter and jqwik).
 */
public final class Tier {
    private Tier() {
    }

    /** No Vert.x instance, no database, no node: parsers, codecs, configuration, models, error mapping. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @org.junit.jupiter.api.Tag("unit")
    @net.jqwik.api.Tag("unit")
    public @interface Unit {
    }

    /** In this JVM, on a real PostgreSQL: a node ({@link NodeExtension}), or Vert.x on a database ({@link TestDatabase}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @org.junit.jupiter.api.Tag("component")
    @net.jqwik.api.Tag("component")
    public @interface Component {
    }

    /** {@code *IT}, run by failsafe after {@code package}: the built jar in separate processes, clusters. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @org.junit.jupiter.api.Tag("integration")
    @net.jqwik.api.Tag("integration")
    public @interface Integration {
    }
}
