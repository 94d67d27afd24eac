package dev.herald.models;

/** Attribute value types of the models file, with the PostgreSQL column type each maps to. */
public enum ScalarType {
    STRING("text"),
    NUMBER("double precision"),
    BOOLEAN("boolean"),
    JSON("jsonb");

    private final String sqlType;

    ScalarType(String sqlType) {
        this.sqlType = sqlType;
    }

    public String sqlType() {
        return sqlType;
    }
}
