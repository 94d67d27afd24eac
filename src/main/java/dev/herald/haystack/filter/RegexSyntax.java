package dev.herald.haystack.filter;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks that a {@code =~} pattern means the same in Java and in PostgreSQL's regex engine, and
 * gives its Java form.
 *
 * <p>Patterns are JavaScript-style, as WideSky documents, restricted to the common ground of the two
 * engines. Refused, because one engine reads them differently or not at all: escapes of letters or
 * digits other than {@code \d \D \s \S \w \W \t \n \r \f}, {@code \1}-{@code \9} and
 * {@code \}{@code uXXXX} (so no {@code \b}, which is a word boundary in Java but a backspace in
 * PostgreSQL, and no {@code \x}, {@code \A}, {@code \Z}); groups other than {@code (?:},
 * {@code (?=}, {@code (?!}, {@code (?<=} and {@code (?<!} (no named groups or inline flags);
 * possessive quantifiers; and, inside brackets, an unescaped {@code [} (POSIX classes, Java unions)
 * or {@code &&}. {@code $} matches only at the very end of the text, as in PostgreSQL. Both engines
 * see text with the "C" collation, so {@code \w}, {@code \d} and {@code \s} are ASCII classes, and
 * {@code .} matches newlines. A pattern PostgreSQL still rejects fails its query with SQLSTATE 2201B.
 */
final class RegexSyntax {

    private RegexSyntax() {
    }

    /** Returns the Java pattern; errors carry an offset relative to the start of {@code source}. */
    static Pattern compile(String source) {
        StringBuilder java = new StringBuilder(source.length() + 8);
        boolean inBrackets = false;
        for (int i = 0; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '\\') {
                i = escape(source, i, java);
                continue;
            }
            if (inBrackets) {
                if (c == '[' || (c == '&' && i + 1 < source.length() && source.charAt(i + 1) == '&')) {
                    throw new FilterSyntaxException("'" + c + "' inside [...] must be escaped in a regex", i);
                }
                if (c == ']') {
                    inBrackets = false;
                }
                java.append(c);
                continue;
            }
            switch (c) {
                case '[' -> {
                    inBrackets = true;
                    java.append(c);
                    if (i + 1 < source.length() && source.charAt(i + 1) == '^') {
                        java.append('^');
                        i++;
                    }
                    if (i + 1 < source.length() && source.charAt(i + 1) == ']') {
                        throw new FilterSyntaxException("a ']' right after '[' must be escaped in a regex", i + 1);
                    }
                }
                case '(' -> {
                    checkGroup(source, i);
                    java.append(c);
                }
                case '*', '+', '?', '}' -> {
                    boolean quantifier = c != '?' || (i > 0 && source.charAt(i - 1) != '(');
                    if (quantifier && i + 1 < source.length() && source.charAt(i + 1) == '+') {
                        throw new FilterSyntaxException("possessive quantifiers are not supported in a regex", i + 1);
                    }
                    java.append(c);
                }
                case '$' -> java.append("\\z");
                default -> java.append(c);
            }
        }
        try {
            return Pattern.compile(java.toString(), Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new FilterSyntaxException("invalid regex: " + e.getDescription(), 0);
        }
    }

    private static int escape(String source, int at, StringBuilder java) {
        if (at + 1 >= source.length()) {
            throw new FilterSyntaxException("a regex cannot end with '\\'", at);
        }
        char c = source.charAt(at + 1);
        if (!Character.isLetterOrDigit(c)) {
            java.append('\\').append(c);
            return at + 1;
        }
        if ("dDsSwWtnrf123456789".indexOf(c) >= 0) {
            java.append('\\').append(c);
            return at + 1;
        }
        if (c == 'u' && at + 6 <= source.length() && source.substring(at + 2, at + 6).matches("[0-9a-fA-F]{4}")) {
            java.append(source, at, at + 6);
            return at + 5;
        }
        throw new FilterSyntaxException("regex escape '\\" + c + "' is not supported", at);
    }

    private static void checkGroup(String source, int at) {
        if (at + 1 >= source.length() || source.charAt(at + 1) != '?') {
            return;
        }
        String rest = source.substring(at + 1, Math.min(at + 4, source.length()));
        if (!(rest.startsWith("?:") || rest.startsWith("?=") || rest.startsWith("?!")
                || rest.startsWith("?<=") || rest.startsWith("?<!"))) {
            throw new FilterSyntaxException("only (?:, (?=, (?!, (?<= and (?<! groups are supported in a regex", at);
        }
    }
}
