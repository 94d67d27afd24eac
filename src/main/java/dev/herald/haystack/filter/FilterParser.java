package dev.herald.haystack.filter;

import dev.herald.haystack.filter.Filter.And;
import dev.herald.haystack.filter.Filter.Compare;
import dev.herald.haystack.filter.Filter.Has;
import dev.herald.haystack.filter.Filter.IsA;
import dev.herald.haystack.filter.Filter.Matches;
import dev.herald.haystack.filter.Filter.Missing;
import dev.herald.haystack.filter.Filter.Op;
import dev.herald.haystack.filter.Filter.Or;
import dev.herald.haystack.filter.Filter.Path;
import dev.herald.haystack.filter.FilterLexer.Kind;
import dev.herald.haystack.filter.FilterLexer.Token;
import dev.herald.haystack.value.Bool;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Symbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the Haystack filter language (spec section 5.1) plus WideSky's {@code path =~ /regex/} and
 * Haystack 4's {@code ^symbol} term.
 *
 * <pre>
 * filter  := condAnd ("or" condAnd)*
 * condAnd := term ("and" term)*
 * term    := "(" filter ")" | "not" path | "^"symbol | path [cmpOp value | "=~" "/"regex"/"]
 * path    := name ("->" name)*
 * value   := true | false | Ref | Str | Uri | Number | Date | Time | ^Symbol
 * </pre>
 *
 * Policy: {@code and}, {@code or}, {@code not}, {@code true} and {@code false} are reserved and are
 * not tag names; Zinc-only literals ({@code T}, {@code F}, {@code M}, {@code N}), DateTime literals,
 * Xeto spec names and comments are refused. Inputs are bounded: {@value #MAX_LENGTH} characters,
 * {@value #MAX_DEPTH} levels of parentheses, {@value #MAX_PATH_LENGTH} names in a path, {@value #MAX_PATH_STEPS}
 * {@code ->} in the whole filter.
 */
public final class FilterParser {

    public static final int MAX_LENGTH = 8192;
    public static final int MAX_DEPTH = 64;
    public static final int MAX_PATH_LENGTH = 32;
    /** Each {@code ->} is a lookup per candidate entity in SQL: a filter follows at most this many in all. */
    public static final int MAX_PATH_STEPS = 64;

    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "true", "false");
    private static final Map<Kind, Op> OPERATORS = Map.of(Kind.EQ, Op.EQ, Kind.NE, Op.NE,
            Kind.LT, Op.LT, Kind.LE, Op.LE, Kind.GT, Op.GT, Kind.GE, Op.GE);

    private final FilterLexer lexer;
    private Token current;
    private int pathSteps;

    private FilterParser(String text) {
        this.lexer = new FilterLexer(text);
        this.current = lexer.next();
    }

    /** @throws FilterSyntaxException with the 0-based position of the first problem */
    public static Filter parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new FilterSyntaxException("filter is longer than " + MAX_LENGTH + " characters", MAX_LENGTH);
        }
        FilterParser parser = new FilterParser(text);
        if (parser.current.kind() == Kind.EOF) {
            throw new FilterSyntaxException("empty filter", 0);
        }
        Filter filter = parser.condOr(0);
        if (parser.current.kind() != Kind.EOF) {
            throw parser.error("expected 'and', 'or' or end of filter, not " + parser.current.describe());
        }
        return filter;
    }

    private Filter condOr(int depth) {
        List<Filter> parts = new ArrayList<>(List.of(condAnd(depth)));
        while (isKeyword("or")) {
            advance();
            parts.add(condAnd(depth));
        }
        return parts.size() == 1 ? parts.get(0) : new Or(parts);
    }

    private Filter condAnd(int depth) {
        List<Filter> parts = new ArrayList<>(List.of(term(depth)));
        while (isKeyword("and")) {
            advance();
            parts.add(term(depth));
        }
        return parts.size() == 1 ? parts.get(0) : new And(parts);
    }

    private Filter term(int depth) {
        if (current.kind() == Kind.LPAREN) {
            if (depth == MAX_DEPTH) {
                throw error("parentheses nested deeper than " + MAX_DEPTH + " levels");
            }
            advance();
            Filter inner = condOr(depth + 1);
            expect(Kind.RPAREN, "expected ')'");
            return inner;
        }
        if (isKeyword("not")) {
            advance();
            if (current.kind() != Kind.NAME) {
                throw error("expected a tag name after 'not', not " + current.describe());
            }
            return new Missing(path());
        }
        if (current.kind() == Kind.SYMBOL) {
            Symbol symbol = (Symbol) current.value();
            advance();
            return new IsA(symbol);
        }
        if (current.kind() != Kind.NAME) {
            throw error("expected a tag name, '(', 'not' or a ^symbol, not " + current.describe());
        }
        Path path = path();
        Op op = OPERATORS.get(current.kind());
        if (op != null) {
            advance();
            return new Compare(path, op, value());
        }
        if (current.kind() == Kind.MATCH) {
            return regex(path);
        }
        return new Has(path);
    }

    private Path path() {
        List<String> names = new ArrayList<>();
        names.add(name());
        while (current.kind() == Kind.ARROW) {
            if (names.size() == MAX_PATH_LENGTH) {
                throw error("path longer than " + MAX_PATH_LENGTH + " tag names");
            }
            if (++pathSteps > MAX_PATH_STEPS) {
                throw error("filter follows more than " + MAX_PATH_STEPS + " '->' in all");
            }
            advance();
            names.add(name());
        }
        return new Path(names);
    }

    private String name() {
        String text = current.text();
        if (current.kind() != Kind.NAME) {
            throw error("expected a tag name, not " + current.describe());
        }
        if (KEYWORDS.contains(text)) {
            throw error("'" + text + "' is a keyword, not a tag name");
        }
        if (Character.isUpperCase(text.charAt(0))) {
            throw error("tag names start with a lower-case letter; spec names like '" + text + "' are not supported");
        }
        advance();
        return text;
    }

    private HaystackValue value() {
        Token token = current;
        if (token.kind() == Kind.LITERAL || token.kind() == Kind.SYMBOL) {
            advance();
            return token.value();
        }
        if (isKeyword("true") || isKeyword("false")) {
            advance();
            return Bool.of(token.text().equals("true"));
        }
        if (token.kind() == Kind.NAME && (token.text().equals("T") || token.text().equals("F"))) {
            throw error("Zinc's '" + token.text() + "' is not a filter value; use true or false");
        }
        throw error("expected a value, not " + token.describe());
    }

    private Matches regex(Path path) {
        Token regex = lexer.regex();
        Pattern pattern;
        try {
            pattern = RegexSyntax.compile(regex.text());
        } catch (FilterSyntaxException e) {
            throw new FilterSyntaxException(e.reason(), regex.start() + e.position());
        }
        advance();
        return new Matches(path, regex.text(), pattern);
    }

    private boolean isKeyword(String keyword) {
        return current.kind() == Kind.NAME && current.text().equals(keyword);
    }

    private void expect(Kind kind, String message) {
        if (current.kind() != kind) {
            throw error(message + ", not " + current.describe());
        }
        advance();
    }

    private void advance() {
        current = lexer.next();
    }

    private FilterSyntaxException error(String reason) {
        return new FilterSyntaxException(reason, current.start());
    }
}
