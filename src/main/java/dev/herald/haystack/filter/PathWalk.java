package dev.herald.haystack.filter;

import dev.herald.haystack.filter.Filter.PathTerm;
import dev.herald.haystack.value.DateTime;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Ref;

/**
 * Follows a term's path through a record, per spec section 5.4:
 * <ol>
 *   <li>a List at any level is tried Ref by Ref; the term matches if any Ref does;</li>
 *   <li>before the last level, a Ref is resolved (a broken Ref means "not found"), a Dict is entered
 *       directly, a DateTime offers {@code date}, {@code time} and {@code tz}; a List that no Ref
 *       satisfied makes the term false; anything else means "not found";</li>
 *   <li>at the last level the term's test sees the value, or null for "not found".</li>
 * </ol>
 * Rule 2 for Lists follows the spec text and its conformance cases ({@code not refx->air} does not
 * match {@code refx:[@c]} when {@code c} has {@code air}); haxall's code would test "not found".
 */
final class PathWalk {

    private PathWalk() {
    }

    static boolean matches(PathTerm term, Dict record, RefResolver resolver) {
        return matchesAt(term, record.get(term.path().get(0)), 0, resolver);
    }

    private static boolean matchesAt(PathTerm term, HaystackValue value, int level, RefResolver resolver) {
        if (value instanceof HaystackList list) {
            for (HaystackValue item : list.items()) {
                if (item instanceof Ref && matchesAt(term, item, level, resolver)) {
                    return true;
                }
            }
        }
        if (level + 1 == term.path().size()) {
            return term.test(value);
        }
        if (value instanceof HaystackList) {
            return false;
        }
        String next = term.path().get(level + 1);
        HaystackValue container = value instanceof Ref ref ? resolver.resolve(ref).orElse(null) : value;
        if (container instanceof Dict dict) {
            return matchesAt(term, dict.get(next), level + 1, resolver);
        }
        if (container instanceof DateTime dateTime && dateTime.part(next) != null) {
            return matchesAt(term, dateTime.part(next), level + 1, resolver);
        }
        return term.test(null);
    }
}
