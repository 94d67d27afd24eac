package dev.herald.models;

/**
 * The junction table of a many-to-many (or one-way) collection. A row {@code (a, b)} says that the
 * {@code modelA} record {@code a} lists the {@code modelB} record {@code b} in {@code attrA}, and, when
 * {@code attrB} is not null, that {@code b} lists {@code a} in {@code attrB}. A symmetric collection
 * ({@code friends: {collection: pony, via: friends}}) stores both directions of every link.
 */
public record Junction(String table, String modelA, String attrA, String columnA,
                       String modelB, String attrB, String columnB) {

    public boolean symmetric() {
        return modelA.equals(modelB) && attrA.equals(attrB);
    }
}
