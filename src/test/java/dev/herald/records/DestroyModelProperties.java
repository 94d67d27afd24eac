package dev.herald.records;

import dev.herald.testing.Tier;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * Model-based properties of destroy: random models files, random records and links, sockets subscribed
 * to random records, and random steps (single destroys, destroys sent at once with missing, repeated and
 * restricted ids, records inserted again under a destroyed id, new subscriptions). After every step the
 * answers, every socket's notifications and every table must be what {@link DestroyReference} derives
 * from the contract ({@link DestroyRun}). The scenarios come from {@link DestroyScenarios}.
 * <ul>
 *   <li>{@link #everyDestroyDoesWhatTheContractSays}: every kind of association (one-to-many with each
 *   onDestroy policy, many-to-many, symmetric and one-way collections, one-way references, self
 *   references, cascade cycles) and private attributes;</li>
 *   <li>{@link #everyTreeIsDestroyedOrRefusedWhole}: cascade and restrict associations only, so that
 *   refusals deep in cascade trees and cycles come up often (in the first property, other mismatches
 *   usually fail a try before a refusal does).</li>
 * </ul>
 *
 * <p>Each try starts a node (about 0.2 s) and runs 3 to 12 steps: about half a second. Shrinking is
 * bounded (jqwik's default 10 s) because every shrinking step starts a node and runs a scenario too;
 * a failing sample is replayed first on the next run. The examples below are what the properties
 * found, shrunk by hand, kept so that they run every time.
 */
@Tier.Component
class DestroyModelProperties {
    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED, afterFailure = AfterFailureMode.SAMPLE_FIRST)
    void everyDestroyDoesWhatTheContractSays(@ForAll("scenarios") DestroyScenario scenario) {
        DestroyRun.run(scenario);
    }

    @Property(tries = 40, shrinking = ShrinkingMode.BOUNDED, afterFailure = AfterFailureMode.SAMPLE_FIRST)
    void everyTreeIsDestroyedOrRefusedWhole(@ForAll("trees") DestroyScenario scenario) {
        DestroyRun.run(scenario);
    }

    @Provide
    Arbitrary<DestroyScenario> scenarios() {
        return DestroyScenarios.any();
    }

    @Provide
    Arbitrary<DestroyScenario> trees() {
        return DestroyScenarios.trees();
    }

    // ---- the known bug: a destroy refused with 409 E_HAS_CHILDREN still deletes cascade children (statements
    // still sent on the connection after its transaction was rolled back). It is a race, so each example
    // repeats its shape on several records: one of them shows it (they all did in every run so far).

    /**
     * Found by {@code everyDestroyDoesWhatTheContractSays} in a fresh clone: two cats destroyed in one
     * batch, each showing (as its singular {@code up1}) an ant that the other's destroy nulls; no serial
     * order explains both {@code previous}. Such a batch now runs one destroy at a time.
     */
    @Example
    void aBatchWhoseRecordsShowRowsTheOthersNullIsNotBatched() {
        // four pairs, each sent at once behind a missing id, so that the pair shares a batch
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  ant:
                    attributes:
                      label: { type: string }
                      kids1: { collection: cat, via: up1 }
                      up2: { model: cat }
                  cat:
                    attributes:
                      label: { type: string }
                      up1: { model: ant }
                      kids2: { collection: ant, via: up2 }
                records:
                  ant 1 up2=1
                  ant 2 up2=2
                  ant 11 up2=3
                  ant 12 up2=4
                  ant 21 up2=5
                  ant 22 up2=6
                  ant 31 up2=7
                  ant 32 up2=8
                  cat 1 up1=2
                  cat 2 up1=1
                  cat 3 up1=12
                  cat 4 up1=11
                  cat 5 up1=22
                  cat 6 up1=21
                  cat 7 up1=32
                  cat 8 up1=31
                links:
                subscriptions:
                  0: ant 1 2 11 12 21 22 31 32
                  1: cat 1 2 3 4 5 6 7 8
                  2: ant 2 12, cat 1 3
                steps:
                  together cat 99 2 1 99
                  together cat 99 4 3 99
                  together cat 99 6 5 99
                  together cat 99 8 7 99
                """));
    }

    /**
     * Found by {@code everyTreeIsDestroyedOrRefusedWhole} once destroys were planned before applied: a
     * child reached through two cascades of one parent was planned twice, and its other parent heard
     * {@code removedFrom} twice.
     */
    @Example
    void aChildReachedThroughTwoCascadesIsDestroyedOnce() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  ant:
                    attributes:
                      label: { type: string }
                      kids1: { collection: ant, via: up1, onDestroy: cascade }
                      up1: { model: ant }
                      kids2: { collection: ant, via: up2, onDestroy: cascade }
                      up2: { model: ant }
                      kids3: { collection: ant, via: up3, onDestroy: cascade }
                      up3: { model: ant }
                records:
                  ant 1
                  ant 2
                  ant 3
                  ant 6 up1=1 up2=1 up3=3
                links:
                subscriptions:
                  0: ant 2 3 6
                  1: ant 1 2 6
                  2: ant 3
                steps:
                  destroy ant 1
                  destroy ant 3
                """));
    }

    @Example
    void refusedAtTheTop_cascadeSiblingsStay_storeCouponsRegisters() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  store:
                    attributes:
                      name:      { type: string }
                      coupons:   { collection: coupon, via: store, onDestroy: cascade }
                      registers: { collection: register, via: store, onDestroy: restrict }
                  coupon:
                    attributes:
                      code:  { type: string }
                      store: { model: store }
                  register:
                    attributes:
                      store: { model: store }
                records:
                  store 1
                  store 2
                  store 3
                  coupon 1 store=1
                  coupon 2 store=1
                  coupon 3 store=2
                  coupon 4 store=3
                  register 1 store=1
                  register 2 store=2
                  register 3 store=3
                subscriptions:
                  0: store 1 2 3, coupon 1 2 3 4
                steps:
                  destroy store 1
                  destroy store 2
                  destroy store 3
                """));
    }

    @Example
    void refusedByARestrictedGrandchild_theCascadedChildsOwnChildrenStay() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  author:
                    attributes:
                      name:  { type: string }
                      books: { collection: book, via: author, onDestroy: cascade }
                  book:
                    attributes:
                      title:  { type: string }
                      author: { model: author }
                      pages:  { collection: page, via: book, onDestroy: cascade }
                      loans:  { collection: loan, via: book, onDestroy: restrict }
                  page:
                    attributes:
                      book: { model: book }
                  loan:
                    attributes:
                      book: { model: book }
                records:
                  author 1
                  author 2
                  author 3
                  book 1 author=1
                  book 2 author=2
                  book 3 author=3
                  page 1 book=1
                  page 2 book=1
                  page 3 book=2
                  page 4 book=3
                  loan 1 book=1
                  loan 2 book=2
                  loan 3 book=3
                subscriptions:
                  0: author 1 2 3, book 1 2 3, page 1 2 3 4
                steps:
                  destroy author 1
                  destroy author 2
                  destroy author 3
                """));
    }

    @Example
    void refusedAtTheTopOfAThreeLevelTree_theWholeCascadeStays() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  root:
                    attributes:
                      mids:  { collection: mid, via: root, onDestroy: cascade }
                      locks: { collection: lock, via: root, onDestroy: restrict }
                  mid:
                    attributes:
                      root:   { model: root }
                      leaves: { collection: leaf, via: mid, onDestroy: cascade }
                  leaf:
                    attributes:
                      mid: { model: mid }
                  lock:
                    attributes:
                      root: { model: root }
                records:
                  root 1
                  root 2
                  root 3
                  mid 1 root=1
                  mid 2 root=2
                  mid 3 root=3
                  leaf 1 mid=1
                  leaf 2 mid=2
                  leaf 3 mid=3
                  lock 1 root=1
                  lock 2 root=2
                  lock 3 root=3
                subscriptions:
                  0: root 1 2 3, mid 1 2 3, leaf 1 2 3
                steps:
                  destroy root 1
                  destroy root 2
                  destroy root 3
                """));
    }

    @Example
    void refusedInsideACascadeCycleBetweenTwoModels_theCycleStays() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  ant:
                    attributes:
                      bees: { collection: bee, via: ant, onDestroy: cascade }
                      bee:  { model: bee }
                      pins: { collection: pin, via: ant, onDestroy: restrict }
                  bee:
                    attributes:
                      ant:  { model: ant }
                      ants: { collection: ant, via: bee, onDestroy: cascade }
                  pin:
                    attributes:
                      ant: { model: ant }
                records:
                  ant 1 bee=1
                  ant 2 bee=1
                  ant 3 bee=2
                  ant 4 bee=2
                  ant 5 bee=3
                  ant 6 bee=3
                  bee 1 ant=1
                  bee 2 ant=3
                  bee 3 ant=5
                  pin 1 ant=1
                  pin 2 ant=3
                  pin 3 ant=5
                subscriptions:
                  0: ant 1 2 3 4 5 6, bee 1 2 3
                steps:
                  destroy ant 1
                  destroy ant 3
                  destroy ant 5
                """));
    }

    @Example
    void refusedInsideACascadeCycleOfAModelWithItself_theCycleStays() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  node:
                    attributes:
                      label:    { type: string }
                      parent:   { model: node }
                      children: { collection: node, via: parent, onDestroy: cascade }
                      locks:    { collection: lock, via: node, onDestroy: restrict }
                  lock:
                    attributes:
                      node: { model: node }
                records:
                  node 1 parent=2
                  node 2 parent=1
                  node 3 parent=4
                  node 4 parent=3
                  node 5 parent=6
                  node 6 parent=5
                  lock 1 node=1
                  lock 2 node=3
                  lock 3 node=5
                subscriptions:
                  0: node 1 2 3 4 5 6
                steps:
                  destroy node 1
                  destroy node 3
                  destroy node 5
                """));
    }

    /**
     * Shrunk by the property ({@link #everyTreeIsDestroyedOrRefusedWhole}): a record that is its own cascade child and its
     * own restrict child. Refusing it or not are both read into the contract; either way the reference it has to
     * itself must stay (it was nulled after the rollback, as a cascade cycle is).
     */
    @Example
    void refusedRecordThatCascadesToItself_keepsItsReferenceToItself() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  ant:
                    attributes:
                      label: { type: string }
                      kids1: { collection: ant, via: up1, onDestroy: cascade }
                      up1: { model: ant }
                      kids2: { collection: ant, via: up2, onDestroy: restrict }
                      up2: { model: ant }
                records:
                  ant 1 up1=1 up2=1
                  ant 2 up1=2 up2=2
                  ant 3 up1=3 up2=3
                subscriptions:
                  0: ant 1 2
                  1: ant 3
                steps:
                  destroy ant 1
                  destroy ant 2
                  destroy ant 3
                """));
    }

    // ---- other mismatches with the contract that the property found

    /** A cascaded child's {@code previous} must be the record as it was, not with the foreign keys this request nulled. */
    @Example
    void aCascadedChildsPreviousIsTheRecordAsItWasBeforeTheDestroy() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  author:
                    attributes:
                      name:     { type: string }
                      books:    { collection: book, via: author, onDestroy: cascade }
                      featured: { collection: book, via: featuredBy }
                  book:
                    attributes:
                      title:      { type: string }
                      author:     { model: author }
                      featuredBy: { model: author }
                records:
                  author 1
                  book 1 author=1 featuredBy=1
                subscriptions:
                  0: author 1, book 1
                steps:
                  destroy author 1
                """));
    }

    /** Concurrent destroys of records in one cascade cycle: one destroys both, the other finds nothing (404), in some order. */
    @Example
    void concurrentDestroysInsideACascadeCycleBehaveAsInSomeOrder() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  node:
                    attributes:
                      label:    { type: string }
                      parent:   { model: node }
                      children: { collection: node, via: parent, onDestroy: cascade }
                records:
                  node 1 parent=2
                  node 2 parent=1
                  node 3 parent=4
                  node 4 parent=3
                  node 5 parent=6
                  node 6 parent=5
                  node 7 parent=8
                  node 8 parent=7
                  node 9 parent=10
                  node 10 parent=9
                  node 11 parent=12
                  node 12 parent=11
                  node 13 parent=14
                  node 14 parent=13
                  node 15 parent=16
                  node 16 parent=15
                subscriptions:
                  0: node 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16
                steps:
                  together node 1 2 3 4
                  together node 5 6 7 8
                  together node 9 10 11 12
                  together node 13 14 15 16
                """));
    }

    /** A destroy that finds its cascade child already destroyed by a concurrent request must not list it in its previous. */
    @Example
    void concurrentDestroysOfAParentAndItsCascadeChildBehaveAsInSomeOrder() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  node:
                    attributes:
                      label:    { type: string }
                      parent:   { model: node }
                      children: { collection: node, via: parent, onDestroy: cascade }
                records:
                  node 1
                  node 2 parent=1
                  node 3
                  node 4 parent=3
                  node 5
                  node 6 parent=5
                  node 7
                  node 8 parent=7
                  node 9
                  node 10 parent=9
                  node 11
                  node 12 parent=11
                  node 13
                  node 14 parent=13
                  node 15
                  node 16 parent=15
                  node 17
                  node 18 parent=17
                  node 19
                  node 20 parent=19
                  node 21
                  node 22 parent=21
                  node 23
                  node 24 parent=23
                subscriptions:
                  0: node 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24
                steps:
                  together node 1 2 3 4
                  together node 5 6 7 8
                  together node 9 10 11 12
                  together node 13 14 15 16
                  together node 17 18 19 20
                  together node 21 22 23 24
                """));
    }

    /** {@code details.children} lists each blocking child once, even when it refers to the record through two restrict associations. */
    @Example
    void aRefusalListsEachBlockingChildOnce() {
        DestroyRun.run(DestroyScenario.parse("""
                models:
                  author:
                    attributes:
                      name:    { type: string }
                      written: { collection: note, via: writer, onDestroy: restrict }
                      signed:  { collection: note, via: signer, onDestroy: restrict }
                  note:
                    attributes:
                      writer: { model: author }
                      signer: { model: author }
                records:
                  author 1
                  note 1 writer=1 signer=1
                  note 2 writer=1
                subscriptions:
                  0: author 1, note 1 2
                steps:
                  destroy author 1
                  together author 1 1
                """));
    }
}
