package dev.herald.haystack.json;

/**
 * Haystack JSON encoding versions. They differ in Remove ({@code x:} in 2.0, {@code -:} in 3.0)
 * and in which kinds exist (NA, List, Dict, XStr and Symbol are 3.0 only).
 */
public enum JsonVersion {
    V2("2.0"),
    V3("3.0");

    private final String text;

    JsonVersion(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static JsonVersion fromText(String text) {
        for (JsonVersion version : values()) {
            if (version.text.equals(text)) {
                return version;
            }
        }
        return null;
    }
}
