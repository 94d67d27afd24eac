package dev.herald.models;

import dev.herald.testing.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tier.Unit
class ModelsLoaderTest {

    private static ModelsException refused(String yaml) {
        return assertThrows(ModelsException.class, () -> ModelsLoader.parse(yaml, "models.yaml", false));
    }

    @Test
    void theDemoModelsDeriveOneToManyBothWaysAndASymmetricManyToMany() {
        Models models = ModelsLoader.loadDemo();
        assertEquals(new ForeignKey("user", "pets", "pony", "owner", OnDestroy.SET_NULL), models.singular("pony", "owner"));
        assertEquals(new ForeignKey("pony", "toys", "toy", "owner", OnDestroy.SET_NULL), models.singular("toy", "owner"));
        Junction friends = models.junction("pony", "friends").orElseThrow();
        assertTrue(friends.symmetric());
        assertEquals("pony_friends__pony_friends", friends.table());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown type            | a: { attributes: { x: { type: text } } }                          | model 'a', attribute 'x': unknown type 'text'",
            "unknown option          | a: { attributes: { x: { type: string, size: 3 } } }               | model 'a', attribute 'x': unknown option 'size'",
            "unknown model option    | a: { attributes: {}, schema: true }                               | model 'a': unknown option 'schema'",
            "association to nowhere  | a: { attributes: { x: { model: b } } }                            | model 'a', attribute 'x': association to unknown model 'b'",
            "collection to nowhere   | a: { attributes: { x: { collection: b } } }                       | model 'a', attribute 'x': association to unknown model 'b'",
            "via not pointing back   | a: { attributes: { xs: { collection: b, via: y } } }, b: { attributes: { y: { type: string } } } | model 'a', attribute 'xs': via 'y' does not point back",
            "via to other model      | a: { attributes: { xs: { collection: b, via: y } } }, b: { attributes: { y: { model: b } } }      | model 'a', attribute 'xs': via 'y' does not point back",
            "bad identity            | Pony: { attributes: {} }                                          | model 'Pony': identity must be lower-case",
            "sql in identity         | \"a;drop\": { attributes: {} }                                     | model 'a;drop': identity must be",
            "leading underscore      | _herald: { attributes: {} }                                       | model '_herald': identities starting with '_' are reserved for Herald",
            "underscore model        | _x: { attributes: {} }                                            | model '_x': identities starting with '_' are reserved",
            "reserved identity       | health: { attributes: {} }                                        | model 'health': identity is reserved",
            "metrics is reserved     | metrics: { attributes: {} }                                       | model 'metrics': identity is reserved",
            "bad attribute name      | a: { attributes: { 'x y': { type: string } } }                    | model 'a', attribute 'x y': name must be",
            "reserved attribute      | a: { attributes: { id: { type: string } } }                       | model 'a', attribute 'id': 'id' is defined by Herald",
            "two kinds               | a: { attributes: { x: { type: string, model: a } } }              | model 'a', attribute 'x': needs exactly one of",
            "no kind                 | a: { attributes: { x: { required: true } } }                      | model 'a', attribute 'x': needs exactly one of",
            "bad onDestroy           | a: { attributes: { xs: { collection: b, via: a, onDestroy: nuke } } }, b: { attributes: { a: { model: a } } } | model 'a', attribute 'xs': unknown onDestroy 'nuke'",
            "onDestroy on m2m        | a: { attributes: { bs: { collection: b, via: as, onDestroy: cascade } } }, b: { attributes: { as: { collection: a, via: bs } } } | 'onDestroy' applies to one-to-many",
            "onDestroy without via   | a: { attributes: { bs: { collection: b, onDestroy: cascade } } }, b: { attributes: {} } | 'onDestroy' needs 'via'",
            "via on model            | a: { attributes: { b: { model: b, via: x } } }, b: { attributes: {} } | 'via' belongs on the collection side",
            "private collection      | a: { attributes: { bs: { collection: b, private: true } } }, b: { attributes: {} } | 'private' does not apply to a collection",
            "required not boolean    | a: { attributes: { x: { type: string, required: 'yes' } } }       | 'required' must be true or false",
            "bad default             | a: { attributes: { x: { type: number, defaultsTo: 'ten' } } }     | 'defaultsTo' is not a number",
            "bad primary key         | a: { primaryKey: { type: serial }, attributes: {} }               | model 'a', primaryKey: unknown type 'serial'",
            "attributes missing      | a: { }                                                            | model 'a': 'attributes' must be a mapping",
            "model not a mapping     | a: 5                                                              | model 'a': expected a mapping with 'attributes'",
    })
    void aMistakeIsRefusedNamingTheFileModelAndAttribute(String name, String yaml, String expected) {
        ModelsException e = refused("{ " + yaml + " }");
        assertTrue(e.getMessage().startsWith("models.yaml: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aFileThatIsNotAMappingIsRefused() {
        assertTrue(refused("- a\n- b\n").getMessage().contains("expected a mapping of model identities"));
        assertTrue(refused("").getMessage().contains("expected a mapping of model identities"));
    }

    @Test
    void brokenYamlNamesTheLine() {
        ModelsException e = refused("a:\n  attributes:\n    x: { type: string\n");
        assertTrue(e.getMessage().contains("not valid YAML") && e.getMessage().contains("line"), e.getMessage());
    }

    @Test
    void jsonFilesAreReadAsJson(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("models.json");
        Files.writeString(file, "{\"a\":{\"attributes\":{\"x\":{\"type\":\"string\"}}}}");
        assertEquals("a", ModelsLoader.load(file).get("a").identity());
        Files.writeString(file, "{\"a\":");
        ModelsException e = assertThrows(ModelsException.class, () -> ModelsLoader.load(file));
        assertTrue(e.getMessage().startsWith(file + ": not valid JSON"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        ModelsException e = assertThrows(ModelsException.class, () -> ModelsLoader.load(Path.of("/nonexistent/models.yaml")));
        assertTrue(e.getMessage().contains("/nonexistent/models.yaml: models file not found"));
    }

    @Test
    void longJunctionNamesAreShortenedToPostgresLimitDeterministically() {
        String longA = "a".repeat(40);
        String longB = "b".repeat(40);
        Models models = ModelsLoader.parse("{ " + longA + ": { attributes: { " + longB + "s: { collection: " + longB + ", via: " + longA + "s } } }, "
                + longB + ": { attributes: { " + longA + "s: { collection: " + longA + ", via: " + longB + "s } } } }", "m", false);
        String table = models.junctions().get(0).table();
        assertTrue(table.length() <= 63, table);
        assertEquals(table, Identifiers.fit(longA + "_" + longB + "s__" + longB + "_" + longA + "s"));
    }
}
