package dev.herald.haystack.value;

/**
 * A reference to an entity. The display text is informational: equality and hashing use the id
 * only, as in the reference implementations.
 */
public record Ref(String id, String dis) implements HaystackValue {

    public Ref {
        if (!isId(id)) {
            throw new IllegalArgumentException("invalid Ref id '" + id + "'");
        }
        if (dis != null && dis.isEmpty()) {
            dis = null;
        }
    }

    public static Ref of(String id) {
        return new Ref(id, null);
    }

    /** Ref ids (and symbol names) use {@code a-z A-Z 0-9 _ : - . ~}. */
    public static boolean isId(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!isIdChar(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    public static boolean isIdChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == ':' || c == '-' || c == '.' || c == '~';
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Ref ref && ref.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }
}
