package dev.herald.records;

import dev.herald.models.Junction;

/**
 * A junction table seen from one of its ends: the column that holds this end's record ({@code mine}),
 * the column across ({@code other}), and the model and attribute by which the other end lists the
 * link ({@code otherAttr} is null for a one-way collection).
 */
record JunctionSide(Junction junction, String mine, String other, String otherModel, String otherAttr) {

    static JunctionSide ofA(Junction j) {
        return new JunctionSide(j, j.columnA(), j.columnB(), j.modelB(), j.attrB());
    }

    static JunctionSide ofB(Junction j) {
        return new JunctionSide(j, j.columnB(), j.columnA(), j.modelA(), j.attrA());
    }
}
