package dev.herald.models;

/** What destroying a parent does to the children of a one-to-many collection. */
public enum OnDestroy {
    /** The child's foreign key becomes null (the default). */
    SET_NULL,
    /** The children are destroyed too, each with its own notifications. */
    CASCADE,
    /** The destroy is refused with 409 {@code E_HAS_CHILDREN} while children exist. */
    RESTRICT
}
