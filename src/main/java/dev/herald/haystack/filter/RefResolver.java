package dev.herald.haystack.filter;

import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.Ref;
import java.util.Optional;

/** Finds the entity a Ref points to, so that {@code ->} paths can follow it. */
@FunctionalInterface
public interface RefResolver {

    /** A resolver that follows nothing: every Ref behaves as a broken reference. */
    RefResolver NONE = ref -> Optional.empty();

    Optional<Dict> resolve(Ref ref);
}
