package dev.herald.records;

import dev.herald.models.Attribute;
import dev.herald.models.ForeignKey;
import dev.herald.models.Junction;
import dev.herald.models.Model;
import dev.herald.models.Models;
import dev.herald.models.PrimaryKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.herald.models.Identifiers.quote;

/**
 * The SQL of the record blueprints other than destroy ({@link DestroySql}): reading, creating and
 * updating records, the reads that populate associations, and adding and removing collection members.
 * The text is built from the models, identifiers quoted; what depends on the models alone is built
 * once and reused (the PostgreSQL client caches prepared statements by their text), what depends on
 * the request (the attributes given, the criteria) is built each time. {@code "id"},
 * {@code "createdAt"} and {@code "updatedAt"} are columns of every model's table.
 */
final class RecordSql {
    private final Models models;
    private final Statements statements = new Statements();

    RecordSql(Models models) {
        this.models = models;
    }

    // one record: $1 is its id

    String byId(Model model) {
        return statements.get("by id " + model.identity(), () -> """
                SELECT %s FROM %s WHERE "id" = $1
                """.formatted(Columns.selectList(model, ""), Columns.table(model)));
    }

    /**
     * The record, locked against concurrent updates and destroys but not against the foreign-key checks
     * of other writers linking to it (an update never changes the key).
     */
    String lockForUpdate(Model model) {
        return statements.get("lock " + model.identity(), () -> """
                SELECT %s FROM %s WHERE "id" = $1 FOR NO KEY UPDATE
                """.formatted(Columns.selectList(model, ""), Columns.table(model)));
    }

    String exists(Model model) {
        return statements.get("exists " + model.identity(), () -> """
                SELECT 1 FROM %s WHERE "id" = $1
                """.formatted(Columns.table(model)));
    }

    /**
     * Inserts a record with the {@code given} attributes, returning it. Parameters: the id (unless the
     * database numbers them), the time (both timestamps), then each given attribute's value.
     */
    String insert(Model model, List<Attribute> given) {
        List<String> columns = new ArrayList<>();
        List<String> placeholders = new ArrayList<>();
        int parameters = 0;
        if (model.primaryKey() != PrimaryKey.NUMBER) {
            columns.add(quote(Model.ID));
            placeholders.add("$" + ++parameters);
        }
        String now = "$" + ++parameters;
        columns.add(quote(Model.CREATED_AT));
        columns.add(quote(Model.UPDATED_AT));
        placeholders.add(now);
        placeholders.add(now);
        for (Attribute a : given) {
            columns.add(quote(a.name()));
            placeholders.add(Columns.placeholder(a, ++parameters));
        }
        return """
                INSERT INTO %s (%s) VALUES (%s) RETURNING %s
                """.formatted(Columns.table(model), String.join(", ", columns), String.join(", ", placeholders),
                Columns.selectList(model, ""));
    }

    /** Updates the {@code given} attributes. Parameters: the id, the time, then each given attribute's value. */
    String update(Model model, List<Attribute> given) {
        List<String> sets = new ArrayList<>();
        sets.add(quote(Model.UPDATED_AT) + " = $2");
        for (Attribute a : given) {
            sets.add(quote(a.name()) + " = " + Columns.placeholder(a, sets.size() + 2));
        }
        return """
                UPDATE %s SET %s WHERE "id" = $1
                """.formatted(Columns.table(model), String.join(", ", sets));
    }

    // many records

    /** The ids among {@code $1} that exist. */
    String existing(Model model) {
        return statements.get("existing " + model.identity(), () -> """
                SELECT "id" FROM %s WHERE "id" = ANY($1)
                """.formatted(Columns.table(model)));
    }

    /** A page of records; {@code where} and {@code order} come from {@link Criteria}, with their parameters. */
    String find(Model model, String where, String order, int limit, int skip) {
        return """
                SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT %d OFFSET %d
                """.formatted(Columns.selectList(model, ""), Columns.table(model), where, order, limit, skip);
    }

    // populating associations: $1 is an array of ids

    /** The records whose ids are in {@code $1}. */
    String byIds(Model model) {
        return statements.get("by ids " + model.identity(), () -> """
                SELECT %s FROM %s WHERE "id" = ANY($1)
                """.formatted(Columns.selectList(model, ""), Columns.table(model)));
    }

    /** The targets of the singular association {@code a} of the {@code model} records whose ids are in {@code $1}. */
    String singularOf(Model model, Attribute a) {
        Model target = models.get(a.target());
        return statements.get("singular of " + model.identity() + "." + a.name(), () -> """
                SELECT %s FROM %s WHERE "id" IN (SELECT %s FROM %s WHERE "id" = ANY($1))
                """.formatted(Columns.selectList(target, ""), Columns.table(target), quote(a.name()), Columns.table(model)));
    }

    /**
     * The members of the collection {@code a} of the {@code model} records whose ids are in {@code $1},
     * at most {@value Populator#COLLECTION_LIMIT} per record, each with its record's id as {@code __parent}.
     */
    String collection(Model model, Attribute a) {
        return statements.get("collection " + model.identity() + "." + a.name(), () -> {
            Model target = models.get(a.target());
            String parentColumn;
            String from;
            Optional<ForeignKey> oneToMany = models.oneToMany(model.identity(), a.name());
            if (oneToMany.isPresent()) {
                parentColumn = "t." + quote(oneToMany.get().fk());
                from = Columns.table(target) + " t";
            } else {
                Junction j = models.junction(model.identity(), a.name()).orElseThrow();
                boolean mineIsA = j.modelA().equals(model.identity()) && j.attrA().equals(a.name());
                String mine = quote(mineIsA ? j.columnA() : j.columnB());
                String other = quote(mineIsA ? j.columnB() : j.columnA());
                parentColumn = "j." + mine;
                from = quote(j.table()) + " j JOIN " + Columns.table(target) + " t ON t." + quote(Model.ID) + " = j." + other;
            }
            return """
                    SELECT * FROM (
                        SELECT %1$s AS __parent, %2$s, row_number() OVER (PARTITION BY %1$s ORDER BY t."id") AS __rank
                        FROM %3$s WHERE %1$s = ANY($1)
                    ) s WHERE __rank <= %4$d ORDER BY __parent, __rank
                    """.formatted(parentColumn, Columns.selectList(target, "t"), from, Populator.COLLECTION_LIMIT);
        });
    }

    // collection members

    /**
     * Nulls the foreign key of the parent's children among {@code $2} (all but them, for {@code allBut});
     * returns each child's id. Parameters: the parent's id, the children's ids, the time.
     */
    String removeChildren(ForeignKey fk, boolean allBut) {
        return statements.get("remove children " + fk.child() + "." + fk.fk() + " " + allBut, () -> """
                UPDATE %1$s SET %2$s = NULL, "updatedAt" = $3 WHERE %2$s = $1 AND %3$s RETURNING "id"
                """.formatted(quote(fk.child()), quote(fk.fk()), among(quote(Model.ID), allBut)));
    }

    /**
     * Deletes the junction rows from the parent ({@code $1}) to the members among {@code $2} (all but
     * them, for {@code allBut}); returns each member's id.
     */
    String unlinkMembers(JunctionSide side, boolean allBut) {
        return statements.get("unlink members " + side.junction().table() + "." + side.mine() + " " + allBut, () -> """
                DELETE FROM %1$s WHERE %2$s = $1 AND %3$s RETURNING %4$s
                """.formatted(quote(side.junction().table()), quote(side.mine()), among(quote(side.other()), allBut),
                quote(side.other())));
    }

    /** The mirror rows of {@link #unlinkMembers} in a symmetric junction. */
    String unlinkMirrors(JunctionSide side, boolean allBut) {
        return statements.get("unlink mirrors " + side.junction().table() + "." + side.mine() + " " + allBut, () -> """
                DELETE FROM %1$s WHERE %2$s = $1 AND %3$s
                """.formatted(quote(side.junction().table()), quote(side.other()), among(quote(side.mine()), allBut)));
    }

    /** The children among {@code $1}, with their current parent, locked in id order. */
    String lockChildren(ForeignKey fk) {
        return statements.get("lock children " + fk.child() + "." + fk.fk(), () -> """
                SELECT "id", %2$s FROM %1$s WHERE "id" = ANY($1) ORDER BY "id" FOR NO KEY UPDATE
                """.formatted(quote(fk.child()), quote(fk.fk())));
    }

    /** Moves the children among {@code $2} to the parent {@code $1}; {@code $3} is the time. */
    String moveChildren(ForeignKey fk) {
        return statements.get("move children " + fk.child() + "." + fk.fk(), () -> """
                UPDATE %1$s SET %2$s = $1, "updatedAt" = $3 WHERE "id" = ANY($2)
                """.formatted(quote(fk.child()), quote(fk.fk())));
    }

    /** The records among {@code $1}, locked against a concurrent destroy while they are linked. */
    String lockLinked(Model target) {
        return statements.get("lock linked " + target.identity(), () -> """
                SELECT "id" FROM %s WHERE "id" = ANY($1) FOR KEY SHARE
                """.formatted(Columns.table(target)));
    }

    /** Links the parent {@code $1} to the members in {@code $2}; returns each member newly linked. */
    String link(JunctionSide side, Model target) {
        return statements.get("link " + side.junction().table() + "." + side.mine(), () -> """
                INSERT INTO %1$s (%2$s, %3$s) SELECT $1, x FROM unnest($2::%4$s[]) AS x ON CONFLICT DO NOTHING RETURNING %3$s
                """.formatted(quote(side.junction().table()), quote(side.mine()), quote(side.other()),
                target.primaryKey().sqlType()));
    }

    /** The mirror rows of {@link #link} in a symmetric junction. */
    String linkMirrors(JunctionSide side, Model target) {
        return statements.get("link mirrors " + side.junction().table() + "." + side.mine(), () -> """
                INSERT INTO %1$s (%3$s, %2$s) SELECT $1, x FROM unnest($2::%4$s[]) AS x ON CONFLICT DO NOTHING
                """.formatted(quote(side.junction().table()), quote(side.mine()), quote(side.other()),
                target.primaryKey().sqlType()));
    }

    /** {@code column = ANY($2)}, or its negation. */
    private static String among(String column, boolean allBut) {
        return allBut ? "NOT (" + column + " = ANY($2))" : column + " = ANY($2)";
    }
}
