package dev.herald.haystack.filter;

import dev.herald.haystack.value.Bool;
import dev.herald.haystack.value.Date;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Str;
import dev.herald.haystack.value.Symbol;
import dev.herald.haystack.value.Time;
import dev.herald.haystack.value.Uri;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parsed Haystack filter (see {@link FilterParser}) and its in-memory evaluation.
 *
 * <p>Semantics follow the Haystack spec as implemented by haxall: {@code !=} matches a value of a
 * different kind; ordering operators only compare values of the literal's kind, and Numbers only
 * with an identical unit; a Ref list matches when any of its Refs does. Text orders by Unicode code
 * point, the order PostgreSQL's "C" collation uses, so that {@link FilterSql} agrees.
 */
public sealed interface Filter {

    boolean matches(Dict record, RefResolver resolver);

    /** Tag names joined by {@code ->}, e.g. {@code siteRef->geoCity}. */
    record Path(List<String> names) {

        public Path {
            names = List.copyOf(names);
            if (names.isEmpty()) {
                throw new IllegalArgumentException("a path needs at least one tag name");
            }
        }

        public static Path of(String... names) {
            return new Path(List.of(names));
        }

        public int size() {
            return names.size();
        }

        public String get(int level) {
            return names.get(level);
        }

        @Override
        public String toString() {
            return String.join("->", names);
        }
    }

    /** A term that follows a path and applies a test to the value found at its end. */
    sealed interface PathTerm extends Filter {

        Path path();

        /** The test applied at the end of the path; {@code value} is null when nothing was found. */
        boolean test(HaystackValue value);

        @Override
        default boolean matches(Dict record, RefResolver resolver) {
            return PathWalk.matches(this, record, resolver);
        }
    }

    record Has(Path path) implements PathTerm {
        @Override
        public boolean test(HaystackValue value) {
            return value != null;
        }
    }

    record Missing(Path path) implements PathTerm {
        @Override
        public boolean test(HaystackValue value) {
            return value == null;
        }
    }

    enum Op {
        EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        boolean accepts(int comparison) {
            return switch (this) {
                case EQ, NE -> throw new IllegalStateException(symbol + " is not an ordering");
                case LT -> comparison < 0;
                case LE -> comparison <= 0;
                case GT -> comparison > 0;
                case GE -> comparison >= 0;
            };
        }
    }

    /** {@code path op literal}; literals are Bool, Number, Str, Uri, Ref, Symbol, Date or Time. */
    record Compare(Path path, Op op, HaystackValue literal) implements PathTerm {

        public Compare {
            Objects.requireNonNull(op, "op");
            if (!(literal instanceof Bool || literal instanceof Num || literal instanceof Str
                    || literal instanceof Uri || literal instanceof Ref || literal instanceof Symbol
                    || literal instanceof Date || literal instanceof Time)) {
                throw new IllegalArgumentException("not a filter literal: " + literal);
            }
        }

        @Override
        public boolean test(HaystackValue value) {
            if (value == null) {
                return false;
            }
            if (op == Op.EQ) {
                return value.equals(literal);
            }
            if (op == Op.NE) {
                return !value.equals(literal);
            }
            if (value.getClass() != literal.getClass()) {
                return false;
            }
            if (value instanceof Num num && !Objects.equals(num.unit(), ((Num) literal).unit())) {
                return false;
            }
            return op.accepts(order(value, literal));
        }

        private static int order(HaystackValue a, HaystackValue b) {
            if (a instanceof Num x) {
                return Double.compare(x.value(), ((Num) b).value());
            }
            if (a instanceof Bool x) {
                return Boolean.compare(x.value(), ((Bool) b).value());
            }
            if (a instanceof Date x) {
                return x.value().compareTo(((Date) b).value());
            }
            if (a instanceof Time x) {
                return x.value().compareTo(((Time) b).value());
            }
            return compareCodePoints(Matches.text(a), Matches.text(b));
        }

        static int compareCodePoints(String a, String b) {
            int i = 0;
            int j = 0;
            while (i < a.length() && j < b.length()) {
                int x = a.codePointAt(i);
                int y = b.codePointAt(j);
                if (x != y) {
                    return Integer.compare(x, y);
                }
                i += Character.charCount(x);
                j += Character.charCount(y);
            }
            return Boolean.compare(i < a.length(), j < b.length());
        }
    }

    /**
     * WideSky's {@code path =~ /regex/}: an unanchored search in the value's text (see
     * {@link #text}). {@code source} is the pattern as written, which PostgreSQL receives; the
     * compiled pattern is its Java equivalent (see {@link RegexSyntax}).
     */
    record Matches(Path path, String source, Pattern pattern) implements PathTerm {

        @Override
        public boolean test(HaystackValue value) {
            String text = text(value);
            return text != null && pattern.matcher(text).find();
        }

        /**
         * The text a regex searches: Str, Uri and Symbol as written, a Ref's id, ISO Dates, canonical
         * Times, Bools as true/false, Numbers with their unit ({@code 75°F}). Other kinds have none.
         */
        static String text(HaystackValue value) {
            if (value instanceof Str x) {
                return x.value();
            }
            if (value instanceof Uri x) {
                return x.value();
            }
            if (value instanceof Ref x) {
                return x.id();
            }
            if (value instanceof Symbol x) {
                return x.name();
            }
            if (value instanceof Date x) {
                return x.text();
            }
            if (value instanceof Time x) {
                return x.text();
            }
            if (value instanceof Bool x) {
                return Boolean.toString(x.value());
            }
            if (value instanceof Num x) {
                return x.text();
            }
            return null;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Matches m && m.path.equals(path) && m.source.equals(source);
        }

        @Override
        public int hashCode() {
            return Objects.hash(path, source);
        }
    }

    /**
     * Haystack 4's {@code ^symbol} term. Without a defs namespace it falls back, as haxall does, to
     * the symbol's terms: {@code ^hot-water} matches records that have both {@code hot} and
     * {@code water}.
     */
    record IsA(Symbol symbol) implements Filter {

        public List<String> terms() {
            return List.of(symbol.name().split("-", -1));
        }

        @Override
        public boolean matches(Dict record, RefResolver resolver) {
            return terms().stream().allMatch(record::has);
        }
    }

    record And(List<Filter> parts) implements Filter {

        public And {
            parts = List.copyOf(parts);
        }

        @Override
        public boolean matches(Dict record, RefResolver resolver) {
            return parts.stream().allMatch(part -> part.matches(record, resolver));
        }
    }

    record Or(List<Filter> parts) implements Filter {

        public Or {
            parts = List.copyOf(parts);
        }

        @Override
        public boolean matches(Dict record, RefResolver resolver) {
            return parts.stream().anyMatch(part -> part.matches(record, resolver));
        }
    }
}
