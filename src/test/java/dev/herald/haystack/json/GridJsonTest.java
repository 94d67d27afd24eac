package dev.herald.haystack.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.haystack.json.Grid.Column;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.Marker;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Remove;
import dev.herald.haystack.value.Str;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tier.Unit
class GridJsonTest {

    @Test
    void decodesWideSkyDeleteResponse() {
        Grid grid = GridJson.decode(new JsonObject("""
                {"meta":{"ver":"2.0"},
                  "cols":[{"name":"id"},{"name":"name","dis":"s:Name"},{"name":"site"},{"name":"curErr"}],
                  "rows":[{"id":"r:192c29f7-c314-4cf6-a1e6-6361f6f666eb site","name":"s:site","site":"m:","curErr":null}]}"""));
        assertEquals(Dict.EMPTY, grid.meta());
        assertEquals(List.of("id", "name", "site", "curErr"), grid.columns().stream().map(Column::name).toList());
        assertEquals(new Dict(Map.of("dis", new Str("Name"))), grid.column("name").meta());
        assertEquals(new Dict(Map.of("id", Ref.of("192c29f7-c314-4cf6-a1e6-6361f6f666eb"),
                "name", new Str("site"), "site", Marker.VALUE)), grid.rows().get(0));
    }

    @Test
    void version3RequestWithRemoveDecodes() {
        Grid grid = GridJson.decode(new JsonObject("""
                {"meta":{"ver":"3.0","dis":"s:x"},"cols":[{"name":"id"},{"name":"old"}],
                  "rows":[{"id":"r:a","old":"-:"}]}"""));
        assertEquals(Remove.VALUE, grid.rows().get(0).get("old"));
        assertEquals(new Dict(Map.of("dis", new Str("x"))), grid.meta());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{}                                                                 | meta",
            "{\"meta\":{},\"cols\":[{\"name\":\"a\"}],\"rows\":[]}               | meta.ver",
            "{\"meta\":{\"ver\":\"4.0\"},\"cols\":[{\"name\":\"a\"}],\"rows\":[]} | meta.ver",
            "{\"meta\":{\"ver\":\"2.0\"},\"cols\":[],\"rows\":[]}                | cols",
            "{\"meta\":{\"ver\":\"2.0\"},\"cols\":[{\"dis\":\"s:x\"}],\"rows\":[]} | cols[0].name",
            "{\"meta\":{\"ver\":\"2.0\"},\"cols\":[{\"name\":\"a\"},{\"name\":\"a\"}],\"rows\":[]} | cols[1].name",
            "{\"meta\":{\"ver\":\"2.0\"},\"cols\":[\"a\"],\"rows\":[]}           | cols[0]",
            "{\"meta\":{\"ver\":\"2.0\"},\"cols\":[{\"name\":\"a\"}]}              | rows",
            "{\"meta\":{\"ver\":\"2.0\"},\"cols\":[{\"name\":\"a\"}],\"rows\":[1]} | rows[0]",
            "{\"meta\":{\"ver\":\"2.0\"},\"cols\":[{\"name\":\"a\"}],\"rows\":[{\"a\":\"m:\"},{\"b\":\"m:\"}]} | rows[1].b",
            "{\"meta\":{\"ver\":\"2.0\"},\"cols\":[{\"name\":\"a\"}],\"rows\":[{},{\"a\":\"n:x\"}]} | rows[1].a",
            "{\"meta\":{\"ver\":\"2.0\",\"dis\":\"d:2020\"},\"cols\":[{\"name\":\"a\"}],\"rows\":[]} | meta.dis"})
    void malformedGridIsRejectedWithItsLocation(String json, String location) {
        HaystackFormatException e = assertThrows(HaystackFormatException.class,
                () -> GridJson.decode(new JsonObject(json)));
        assertEquals(location, e.location());
    }

    @Test
    void responseUsesVersion2AndOmitsAbsentCells() {
        Grid grid = new Grid(Dict.EMPTY, List.of(Column.named("id"), Column.named("curErr")),
                List.of(new Dict(Map.of("id", new Ref("a", "Site A")))));
        assertEquals(new JsonObject("""
                {"meta":{"ver":"2.0"},"cols":[{"name":"id"},{"name":"curErr"}],"rows":[{"id":"r:a Site A"}]}"""),
                GridJson.encode(grid));
    }

    @Test
    void responseUpgradesToVersion3ForAList() {
        Grid grid = new Grid(Dict.EMPTY, List.of(Column.named("refs")),
                List.of(new Dict(Map.of("refs", HaystackList.of(Ref.of("a"))))));
        assertEquals("3.0", GridJson.encode(grid).getJsonObject("meta").getString("ver"));
    }

    @Test
    void emptyGridHasTheEmptyColumn() {
        assertEquals(new JsonObject("""
                {"meta":{"ver":"2.0"},"cols":[{"name":"empty"}],"rows":[]}"""), GridJson.encode(Grid.empty(Dict.EMPTY)));
    }

    @Test
    void gridRoundTrips() {
        Grid grid = new Grid(new Dict(Map.of("err", Marker.VALUE, "dis", new Str("HBadRequestError: x"))),
                List.of(new Column("n", new Dict(Map.of("unit", new Str("kW")))), Column.named("m")),
                List.of(new Dict(Map.of("n", new Num(1.5, "kW"))), new Dict(Map.of("m", Marker.VALUE))));
        assertEquals(grid, GridJson.decode(GridJson.encode(grid)));
    }
}
