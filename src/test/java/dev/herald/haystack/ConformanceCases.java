package dev.herald.haystack;

import dev.herald.haystack.json.HaystackJson;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.Ref;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

/**
 * The public conformance cases {@code haystack-filter-cases.json}, a copy kept in the test resources
 * ({@value #RESOURCE}). A missing file fails the build rather than skipping tests.
 */
public final class ConformanceCases {

    public static final String RESOURCE = "/haystack/haystack-filter-cases.json";

    /** One match case: the records are decoded from JSON v3; ids are the Ref ids without {@code r:}. */
    public record MatchCase(String id, String filter, List<Dict> records, List<String> expectedIds,
            List<String> subjectIds, boolean resolveRefs, String category) {

        public boolean isSubject(Dict record) {
            return isSubjectId(idOf(record));
        }

        public boolean isSubjectId(String id) {
            return subjectIds == null || subjectIds.contains(id);
        }

        @Override
        public String toString() {
            return id + " [" + category + "] " + filter;
        }
    }

    private static final JsonObject ROOT = load();

    private ConformanceCases() {
    }

    public static String idOf(Dict record) {
        return ((Ref) record.get("id")).id();
    }

    public static Stream<MatchCase> matchCases() {
        return objects(ROOT.getJsonArray("cases")).map(ConformanceCases::matchCase);
    }

    public static Stream<String> parseOkFilters() {
        return objects(ROOT.getJsonArray("parseOkCases")).map(c -> c.getString("filter"));
    }

    public static Stream<String> parseErrorFilters() {
        return objects(ROOT.getJsonArray("parseErrorCases")).map(c -> c.getString("filter"));
    }

    private static MatchCase matchCase(JsonObject json) {
        String id = json.getString("id");
        List<Dict> records = objects(json.getJsonArray("records"))
                .map(record -> HaystackJson.decodeDict(record, id + ".records"))
                .toList();
        JsonArray subjects = json.getJsonArray("subjectIds");
        return new MatchCase(id, json.getString("filter"), records, strings(json.getJsonArray("expectedIds")),
                subjects == null ? null : strings(subjects), json.getBoolean("resolveRefs", true),
                json.getString("category"));
    }

    private static Stream<JsonObject> objects(JsonArray array) {
        return array.stream().map(JsonObject.class::cast);
    }

    private static List<String> strings(JsonArray array) {
        return array.stream().map(String.class::cast).toList();
    }

    private static JsonObject load() {
        try (InputStream in = ConformanceCases.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("conformance cases not found on the test class path at " + RESOURCE);
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }
}
