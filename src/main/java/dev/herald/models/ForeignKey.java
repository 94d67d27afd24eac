package dev.herald.models;

/**
 * A foreign-key column {@code child.fk} pointing at {@code parent}. {@code collection} is the parent's
 * collection attribute that lists those children ({@code via: fk}), or null for a one-way reference,
 * which Herald nulls out when the parent is destroyed.
 */
public record ForeignKey(String parent, String collection, String child, String fk, OnDestroy policy) {
}
