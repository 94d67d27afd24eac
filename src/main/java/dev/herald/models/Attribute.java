package dev.herald.models;

/**
 * One attribute of a model: a scalar value ({@code type}), a singular association ({@code model},
 * stored as a foreign-key column) or a collection ({@code collection}, optionally {@code via}).
 */
public record Attribute(
        String name,
        Kind kind,
        ScalarType type,
        String target,
        String via,
        boolean required,
        boolean hidden,
        boolean unique,
        Object defaultsTo,
        OnDestroy onDestroy) {

    public enum Kind { SCALAR, SINGULAR, COLLECTION }

    public boolean isScalar() {
        return kind == Kind.SCALAR;
    }

    public boolean isSingular() {
        return kind == Kind.SINGULAR;
    }

    public boolean isCollection() {
        return kind == Kind.COLLECTION;
    }

    /** Scalars and singular associations are columns of the model's own table. */
    public boolean isColumn() {
        return kind != Kind.COLLECTION;
    }
}
