package dev.herald.haystack.json;

import dev.herald.haystack.json.Grid.Column;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Na;
import dev.herald.haystack.value.Symbol;
import dev.herald.haystack.value.XStr;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Haystack JSON v3 grids: {@code {"meta":{"ver":..},"cols":[{"name":..}],"rows":[..]}}.
 *
 * <p>Requests may use {@code ver} "2.0" or "3.0". Responses use "2.0" unless the grid holds a
 * value that only exists in 3.0 (List, Dict, NA, XStr, Symbol), as WideSky's clients expect. Rows
 * may omit cells or hold explicit nulls; both mean "no value". A cell without a column is an error.
 */
public final class GridJson {

    private GridJson() {
    }

    public static Grid decode(JsonObject json) {
        JsonObject meta = object(json, "meta");
        Object ver = meta.getValue("ver");
        if (!(ver instanceof String text) || JsonVersion.fromText(text) == null) {
            throw new HaystackFormatException("meta.ver", "must be \"2.0\" or \"3.0\"");
        }
        JsonObject metaTags = meta.copy();
        metaTags.remove("ver");
        return build(HaystackJson.decodeDict(metaTags, "meta"), decodeColumns(json), json);
    }

    private static Grid build(Dict meta, List<Column> columns, JsonObject json) {
        Set<String> names = Set.copyOf(columns.stream().map(Column::name).toList());
        JsonArray rowsJson = array(json, "rows");
        List<Dict> rows = new ArrayList<>(rowsJson.size());
        for (int i = 0; i < rowsJson.size(); i++) {
            String location = "rows[" + i + "]";
            if (!(rowsJson.getValue(i) instanceof JsonObject row)) {
                throw new HaystackFormatException(location, "a row must be a JSON object");
            }
            for (String cell : row.fieldNames()) {
                if (!names.contains(cell)) {
                    throw new HaystackFormatException(location + "." + cell, "no column named '" + cell + "'");
                }
            }
            rows.add(HaystackJson.decodeDict(row, location));
        }
        return new Grid(meta, columns, rows);
    }

    private static List<Column> decodeColumns(JsonObject json) {
        JsonArray cols = array(json, "cols");
        if (cols.isEmpty()) {
            throw new HaystackFormatException("cols", "a grid needs at least one column");
        }
        Map<String, Column> columns = new LinkedHashMap<>();
        for (int i = 0; i < cols.size(); i++) {
            String location = "cols[" + i + "]";
            if (!(cols.getValue(i) instanceof JsonObject col)) {
                throw new HaystackFormatException(location, "a column must be a JSON object");
            }
            if (!(col.getValue("name") instanceof String name) || name.isEmpty()) {
                throw new HaystackFormatException(location + ".name", "a column needs a non-empty name");
            }
            JsonObject colMeta = col.copy();
            colMeta.remove("name");
            Column column = new Column(name, HaystackJson.decodeDict(colMeta, location));
            if (columns.put(name, column) != null) {
                throw new HaystackFormatException(location + ".name", "duplicate column '" + name + "'");
            }
        }
        return List.copyOf(columns.values());
    }

    private static JsonObject object(JsonObject json, String key) {
        if (!(json.getValue(key) instanceof JsonObject object)) {
            throw new HaystackFormatException(key, "missing or not a JSON object");
        }
        return object;
    }

    private static JsonArray array(JsonObject json, String key) {
        if (!(json.getValue(key) instanceof JsonArray array)) {
            throw new HaystackFormatException(key, "missing or not a JSON array");
        }
        return array;
    }

    public static JsonObject encode(Grid grid) {
        JsonVersion version = needsV3(grid) ? JsonVersion.V3 : JsonVersion.V2;
        JsonObject meta = new JsonObject().put("ver", version.text())
                .mergeIn(HaystackJson.encodeDict(grid.meta(), version));
        JsonArray cols = new JsonArray();
        for (Column column : grid.columns()) {
            cols.add(new JsonObject().put("name", column.name())
                    .mergeIn(HaystackJson.encodeDict(column.meta(), version)));
        }
        JsonArray rows = new JsonArray();
        grid.rows().forEach(row -> rows.add(HaystackJson.encodeDict(row, version)));
        return new JsonObject().put("meta", meta).put("cols", cols).put("rows", rows);
    }

    private static boolean needsV3(Grid grid) {
        return Stream.concat(Stream.concat(Stream.of(grid.meta()), grid.columns().stream().map(Column::meta)),
                        grid.rows().stream())
                .flatMap(dict -> dict.tags().values().stream())
                .anyMatch(GridJson::isV3Only);
    }

    /** Whether a value exists only in Haystack JSON 3.0, so a grid holding it says {@code "ver":"3.0"}. */
    public static boolean isV3Only(HaystackValue value) {
        return value instanceof HaystackList || value instanceof Dict || value instanceof Na
                || value instanceof XStr || value instanceof Symbol;
    }
}
