package dev.herald.models;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A model: its identity (also its table and its notification address), primary key and attributes. */
public record Model(String identity, PrimaryKey primaryKey, Map<String, Attribute> attributes) {

    public static final String ID = "id";
    public static final String CREATED_AT = "createdAt";
    public static final String UPDATED_AT = "updatedAt";

    public Optional<Attribute> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    public List<Attribute> columns() {
        return attributes.values().stream().filter(Attribute::isColumn).toList();
    }

    public List<Attribute> collections() {
        return attributes.values().stream().filter(Attribute::isCollection).toList();
    }

    public List<Attribute> singulars() {
        return attributes.values().stream().filter(Attribute::isSingular).toList();
    }
}
