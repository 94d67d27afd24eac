package dev.herald.records;

import dev.herald.models.ForeignKey;
import dev.herald.models.Model;

import static dev.herald.models.Identifiers.quote;

/**
 * Every SQL statement of a destroy: the form for one record ({@link Destroyer}, {@code = $1}) and the
 * form for a batch of one model ({@link BatchDestroyer}, {@code = ANY($1)}) side by side. The text is
 * built from the models, identifiers quoted, once per model, child foreign key or junction column, and
 * reused: the PostgreSQL client caches prepared statements by their text. {@code "id"} and
 * {@code "updatedAt"} are columns of every model's table.
 */
final class DestroySql {
    /** How many blocking children a 409 names per child model. */
    static final int RESTRICT_LISTED = 100;

    private final Statements statements = new Statements();

    // the destroyed records

    /** The record, locked: of concurrent destroys, exactly one finds it. */
    String lock(Model model) {
        return statements.get("lock " + model.identity(), () -> """
                SELECT %s FROM %s WHERE "id" = $1 FOR UPDATE
                """.formatted(Columns.selectList(model, ""), Columns.table(model)));
    }

    /** The records, locked in id order, so that two batches never deadlock on them. */
    String lockBatch(Model model) {
        return statements.get("lock batch " + model.identity(), () -> """
                SELECT %s FROM %s WHERE "id" = ANY($1) ORDER BY "id" FOR UPDATE
                """.formatted(Columns.selectList(model, ""), Columns.table(model)));
    }

    String delete(Model model) {
        return statements.get("delete " + model.identity(), () -> """
                DELETE FROM %s WHERE "id" = $1
                """.formatted(Columns.table(model)));
    }

    String deleteBatch(Model model) {
        return statements.get("delete batch " + model.identity(), () -> """
                DELETE FROM %s WHERE "id" = ANY($1)
                """.formatted(Columns.table(model)));
    }

    // restrict children: %1$s is the child table, %2$s its foreign key

    /** The record's first {@value #RESTRICT_LISTED} children through {@code fk}. */
    String restricting(ForeignKey fk) {
        return statements.get("restrict " + key(fk), () -> """
                SELECT "id" FROM %1$s WHERE %2$s = $1 ORDER BY "id" LIMIT %3$d
                """.formatted(quote(fk.child()), quote(fk.fk()), RESTRICT_LISTED));
    }

    /** Each record's first {@value #RESTRICT_LISTED} children through {@code fk}, with the record's id first. */
    String restrictingBatch(ForeignKey fk) {
        return statements.get("restrict batch " + key(fk), () -> """
                SELECT __parent, "id" FROM (
                    SELECT %2$s AS __parent, "id", row_number() OVER (PARTITION BY %2$s ORDER BY "id") AS __rank
                    FROM %1$s WHERE %2$s = ANY($1)
                ) s WHERE __rank <= %3$d ORDER BY __parent, "id"
                """.formatted(quote(fk.child()), quote(fk.fk()), RESTRICT_LISTED));
    }

    // cascade children (only destroyed one record at a time)

    /** The record's children through {@code fk}, locked in id order before they are read. */
    String lockCascaded(ForeignKey fk) {
        return statements.get("cascade " + key(fk), () -> """
                SELECT "id" FROM %1$s WHERE %2$s = $1 ORDER BY "id" FOR UPDATE
                """.formatted(quote(fk.child()), quote(fk.fk())));
    }

    /** A cycle's back-reference to the record, nulled without a message: its row is deleted later. */
    String unlinkCycle(ForeignKey fk) {
        return statements.get("unlink cycle " + key(fk), () -> """
                UPDATE %1$s SET %2$s = NULL WHERE %2$s = $1
                """.formatted(quote(fk.child()), quote(fk.fk())));
    }

    // setNull children (and one-way references): $2 is the time of the change

    /** Nulls the children's foreign key; returns each child's id. */
    String nullOut(ForeignKey fk) {
        return statements.get("null " + key(fk), () -> """
                UPDATE %1$s SET %2$s = NULL, "updatedAt" = $2 WHERE %2$s = $1 RETURNING "id"
                """.formatted(quote(fk.child()), quote(fk.fk())));
    }

    /** Nulls the children's foreign key (children locked first); returns each child's id with the parent it had. */
    String nullOutBatch(ForeignKey fk) {
        return statements.get("null batch " + key(fk), () -> """
                WITH old AS (SELECT "id", %2$s FROM %1$s WHERE %2$s = ANY($1) FOR UPDATE)
                UPDATE %1$s c SET %2$s = NULL, "updatedAt" = $2 FROM old WHERE c."id" = old."id"
                RETURNING c."id", old.%2$s
                """.formatted(quote(fk.child()), quote(fk.fk())));
    }

    // junction rows: %1$s is the junction table, %2$s the destroyed record's column, %3$s the other one

    /**
     * Removes the record's junction rows; returns the other end of each (for a symmetric junction,
     * both columns of each row, matched on either).
     */
    String unlink(JunctionSide side) {
        return statements.get("unlink " + key(side), () -> (side.junction().symmetric() ? """
                DELETE FROM %1$s WHERE %2$s = $1 OR %3$s = $1 RETURNING %2$s, %3$s
                """ : """
                DELETE FROM %1$s WHERE %2$s = $1 RETURNING %3$s
                """).formatted(quote(side.junction().table()), quote(side.mine()), quote(side.other())));
    }

    /** Removes the records' junction rows (for a symmetric junction, matched on either column); returns both columns. */
    String unlinkBatch(JunctionSide side) {
        return statements.get("unlink batch " + key(side), () -> (side.junction().symmetric() ? """
                DELETE FROM %1$s WHERE %2$s = ANY($1) OR %3$s = ANY($1) RETURNING %2$s, %3$s
                """ : """
                DELETE FROM %1$s WHERE %2$s = ANY($1) RETURNING %2$s, %3$s
                """).formatted(quote(side.junction().table()), quote(side.mine()), quote(side.other())));
    }

    private static String key(ForeignKey fk) {
        return fk.child() + "." + fk.fk();
    }

    private static String key(JunctionSide side) {
        return side.junction().table() + "." + side.mine();
    }
}
