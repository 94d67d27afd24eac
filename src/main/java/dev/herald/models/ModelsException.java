package dev.herald.models;

/** A models file that Herald refuses to start with; the message names the file, model and attribute. */
public final class ModelsException extends RuntimeException {
    public ModelsException(String message) {
        super(message);
    }
}
