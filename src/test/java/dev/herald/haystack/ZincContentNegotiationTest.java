package dev.herald.haystack;

import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@Tier.Unit
class ZincContentNegotiationTest {

    @ParameterizedTest(name = "Accept: {0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "NULL                                   | JSON",
            "''                                     | JSON",
            "*/*                                    | JSON",
            "application/json                       | JSON",
            "application/json, */*;q=0.8            | JSON",
            "text/zinc                              | ZINC",
            "TEXT/Zinc; charset=utf-8               | ZINC",
            "text/zinc, */*                         | ZINC",
            "text/*                                 | ZINC",
            "text/zinc;q=0.9, application/json      | JSON",
            "application/json;q=0.5, text/zinc      | ZINC",
            "application/json;q=0.5, text/*;q=0.6   | ZINC",
            "text/zinc, application/json            | ZINC",
            "application/json, text/zinc            | JSON",
            "text/zinc;q=0, */*                     | JSON",
            "text/zinc;q=0                          | JSON",
            "application/json;q=0, text/zinc;q=0.1  | ZINC",
            "application/json;q=0, */*              | ZINC",
            "*/*;q=0.1, text/zinc;q=0.2, application/json;q=0.1 | ZINC",
            "text/zinc;q=2, application/json        | JSON",
            "text/zinc;q=abc                        | JSON",
            "text/html                              | JSON",
            "text/csv, text/*;q=0.3                 | ZINC",
            "text/*;q=0.3, text/zinc;q=0            | JSON"})
    void acceptChoosesTheAnswerFormat(String accept, GridFormat expected) {
        assertEquals(expected, GridFormat.forAccept(accept));
    }

    @ParameterizedTest(name = "Content-Type: {0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "NULL                          | JSON",
            "application/json              | JSON",
            "text/plain                    | JSON",
            "text/zinc                     | ZINC",
            "text/zinc; charset=utf-8      | ZINC",
            "Text/ZINC;charset=\"UTF-8\"   | ZINC",
            "text/zinc-extra               | JSON"})
    void contentTypeChoosesTheRequestFormat(String contentType, GridFormat expected) {
        assertEquals(expected, GridFormat.ofContentType(contentType));
    }

    @Test
    void charsetParameter() {
        assertEquals("utf-8", GridFormat.charset("text/zinc; charset=UTF-8"));
        assertEquals("utf-8", GridFormat.charset("text/zinc;foo=bar; Charset=\"utf-8\""));
        assertEquals("iso-8859-1", GridFormat.charset("text/zinc; charset=ISO-8859-1"));
        assertNull(GridFormat.charset("text/zinc"));
        assertEquals("text/zinc; charset=utf-8", GridFormat.ZINC.contentType());
    }
}
