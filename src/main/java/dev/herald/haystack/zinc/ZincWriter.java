package dev.herald.haystack.zinc;

import dev.herald.haystack.json.Grid;
import dev.herald.haystack.json.Grid.Column;
import dev.herald.haystack.value.Bool;
import dev.herald.haystack.value.Coord;
import dev.herald.haystack.value.Date;
import dev.herald.haystack.value.DateTime;
import dev.herald.haystack.value.Dict;
import dev.herald.haystack.value.HaystackList;
import dev.herald.haystack.value.HaystackValue;
import dev.herald.haystack.value.Marker;
import dev.herald.haystack.value.Na;
import dev.herald.haystack.value.Num;
import dev.herald.haystack.value.Ref;
import dev.herald.haystack.value.Remove;
import dev.herald.haystack.value.Str;
import dev.herald.haystack.value.Symbol;
import dev.herald.haystack.value.Time;
import dev.herald.haystack.value.Uri;
import dev.herald.haystack.value.XStr;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes grids and values as Haystack Zinc ({@code ver:"3.0"}), the counterpart of {@link ZincReader}.
 *
 * <p>Values are written as Herald's JSON codec writes them, in Zinc's syntax: a DateTime with the
 * offset it holds and its timezone name ({@code 2015-06-08T15:47:41Z UTC}), a Number as plain
 * decimal text with its unit ({@code 72°F}), a Ref with its display text ({@code @id "Dis"}). Null
 * cells are empty, except that a row whose cells are all null is written {@code N,..} so that it is
 * not a blank line. A Dict shaped as a nested grid ({@code meta} with a {@code ver}, {@code cols},
 * {@code rows}, and nothing else) is written as {@code <<..>>}. Lines end with {@code \n}.
 */
public final class ZincWriter {
    /** Characters after a backslash in a URI that keep the backslash (Fantom's URI escapes). */
    static final String URI_KEPT_ESCAPES = ":/?#[]@\\&=;";

    private final StringBuilder out = new StringBuilder();

    private ZincWriter() {
    }

    public static String write(Grid grid) {
        ZincWriter writer = new ZincWriter();
        writer.grid(grid, "3.0");
        return writer.out.toString();
    }

    public static String writeValue(HaystackValue value) {
        ZincWriter writer = new ZincWriter();
        writer.value(value);
        return writer.out.toString();
    }

    /** The Dict form of a nested grid, as the JSON codec decodes a grid nested in JSON. */
    static Dict gridDict(Grid grid, String ver) {
        Map<String, HaystackValue> meta = new LinkedHashMap<>();
        meta.put("ver", new Str(ver));
        meta.putAll(grid.meta().tags());
        List<HaystackValue> cols = new ArrayList<>();
        for (Column column : grid.columns()) {
            Map<String, HaystackValue> col = new LinkedHashMap<>();
            col.put("name", new Str(column.name()));
            col.putAll(column.meta().tags());
            cols.add(new Dict(col));
        }
        Map<String, HaystackValue> dict = new LinkedHashMap<>();
        dict.put("meta", new Dict(meta));
        dict.put("cols", new HaystackList(cols));
        dict.put("rows", new HaystackList(List.copyOf(grid.rows())));
        return new Dict(dict);
    }

    /** The grid a Dict stands for when it has exactly the shape {@link #gridDict} makes, else null. */
    static Grid asGrid(Dict dict) {
        if (dict.tags().size() != 3 || !(dict.get("meta") instanceof Dict meta)
                || !(dict.get("cols") instanceof HaystackList cols) || !(dict.get("rows") instanceof HaystackList rows)
                || !(meta.get("ver") instanceof Str ver) || !(ver.value().equals("3.0") || ver.value().equals("2.0"))
                || cols.items().isEmpty()) {
            return null;
        }
        List<Column> columns = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (HaystackValue item : cols.items()) {
            if (!(item instanceof Dict col) || !(col.get("name") instanceof Str name)
                    || !Dict.isTagName(name.value()) || !names.add(name.value())) {
                return null;
            }
            Map<String, HaystackValue> colMeta = new LinkedHashMap<>(col.tags());
            colMeta.remove("name");
            columns.add(new Column(name.value(), new Dict(colMeta)));
        }
        List<Dict> gridRows = new ArrayList<>();
        for (HaystackValue item : rows.items()) {
            if (!(item instanceof Dict row) || !names.containsAll(row.tags().keySet())) {
                return null;
            }
            gridRows.add(row);
        }
        Map<String, HaystackValue> gridMeta = new LinkedHashMap<>(meta.tags());
        gridMeta.remove("ver");
        return new Grid(new Dict(gridMeta), columns, gridRows);
    }

    private void grid(Grid grid, String ver) {
        out.append("ver:");
        string(ver);
        meta(grid.meta());
        out.append('\n');
        for (int i = 0; i < grid.columns().size(); i++) {
            Column column = grid.columns().get(i);
            if (i > 0) {
                out.append(',');
            }
            name(column.name());
            meta(column.meta());
        }
        out.append('\n');
        for (Dict row : grid.rows()) {
            boolean empty = row.tags().isEmpty();
            for (int i = 0; i < grid.columns().size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                HaystackValue cell = row.get(grid.columns().get(i).name());
                if (cell != null) {
                    value(cell);
                } else if (empty) {
                    out.append('N');
                }
            }
            out.append('\n');
        }
    }

    private void meta(Dict meta) {
        meta.tags().forEach((name, value) -> {
            out.append(' ');
            item(name, value);
        });
    }

    private void item(String name, HaystackValue value) {
        name(name);
        if (!(value instanceof Marker)) {
            out.append(':');
            value(value);
        }
    }

    private void name(String name) {
        if (!Dict.isTagName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a tag name and cannot be written in Zinc");
        }
        out.append(name);
    }

    private void value(HaystackValue value) {
        if (value instanceof Marker) {
            out.append('M');
        } else if (value instanceof Na) {
            out.append("NA");
        } else if (value instanceof Remove) {
            out.append('R');
        } else if (value instanceof Bool bool) {
            out.append(bool.value() ? 'T' : 'F');
        } else if (value instanceof Num num) {
            out.append(num.text());
        } else if (value instanceof Str str) {
            string(str.value());
        } else if (value instanceof Uri uri) {
            uri(uri.value());
        } else if (value instanceof Ref ref) {
            out.append('@').append(ref.id());
            if (ref.dis() != null) {
                out.append(' ');
                string(ref.dis());
            }
        } else if (value instanceof Symbol symbol) {
            out.append('^').append(symbol.name());
        } else if (value instanceof Date date) {
            out.append(date.text());
        } else if (value instanceof Time time) {
            out.append(time.text());
        } else if (value instanceof DateTime dateTime) {
            out.append(dateTime.isoText()).append(' ').append(dateTime.tz());
        } else if (value instanceof Coord coord) {
            out.append("C(").append(Num.of(coord.lat()).valueText()).append(',')
                    .append(Num.of(coord.lng()).valueText()).append(')');
        } else if (value instanceof XStr xstr) {
            out.append(xstr.type()).append('(');
            string(xstr.value());
            out.append(')');
        } else if (value instanceof HaystackList list) {
            out.append('[');
            for (int i = 0; i < list.items().size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                value(list.items().get(i));
            }
            out.append(']');
        } else {
            dict((Dict) value);
        }
    }

    private void dict(Dict dict) {
        Grid grid = asGrid(dict);
        if (grid != null) {
            out.append("<<");
            grid(grid, ((Str) ((Dict) dict.get("meta")).get("ver")).value());
            out.append(">>");
            return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, HaystackValue> tag : dict.tags().entrySet()) {
            if (!first) {
                out.append(' ');
            }
            first = false;
            item(tag.getKey(), tag.getValue());
        }
        out.append('}');
    }

    private void string(String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                out.append("\\\"");
            } else if (c == '\\') {
                out.append("\\\\");
            } else {
                escapeControl(c);
            }
        }
        out.append('"');
    }

    private void uri(String value) {
        out.append('`');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '`') {
                out.append("\\`");
            } else if (c == '\\') {
                char next = i + 1 < value.length() ? value.charAt(i + 1) : 0;
                if (next != '\\' && next != 0 && URI_KEPT_ESCAPES.indexOf(next) >= 0) {
                    out.append(c).append(next);
                    i++;
                } else {
                    out.append("\\u005c");
                }
            } else {
                escapeControl(c);
            }
        }
        out.append('`');
    }

    private void escapeControl(char c) {
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            default -> {
                if (c < ' ' || c == 0x7f) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
    }
}
