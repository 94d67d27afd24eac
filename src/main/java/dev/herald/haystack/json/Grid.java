package dev.herald.haystack.json;

import dev.herald.haystack.value.Dict;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Haystack grid: meta, ordered columns and rows. The encoding version is not part of the meta;
 * {@link GridJson} chooses it. Every tag of every row has a column.
 */
public record Grid(Dict meta, List<Column> columns, List<Dict> rows) {

    public record Column(String name, Dict meta) {

        public Column {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a column needs a name");
            }
        }

        public static Column named(String name) {
            return new Column(name, Dict.EMPTY);
        }
    }

    public Grid {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        if (meta.has("ver")) {
            throw new IllegalArgumentException("the encoding version is not part of the grid meta");
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a grid needs at least one column");
        }
        Set<String> names = new HashSet<>();
        for (Column column : columns) {
            if (!names.add(column.name())) {
                throw new IllegalArgumentException("duplicate column '" + column.name() + "'");
            }
        }
        for (Dict row : rows) {
            for (String tag : row.tags().keySet()) {
                if (!names.contains(tag)) {
                    throw new IllegalArgumentException("row tag '" + tag + "' has no column");
                }
            }
        }
    }

    /** The grid Haystack uses for "no rows": a single {@code empty} column. */
    public static Grid empty(Dict meta) {
        return new Grid(meta, List.of(Column.named("empty")), List.of());
    }

    public Column column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }
}
