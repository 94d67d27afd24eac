package dev.herald.records;

import dev.herald.records.DestroyScenario.Destroy;
import dev.herald.records.DestroyScenario.Link;
import dev.herald.records.DestroyScenario.Resurrect;
import dev.herald.records.DestroyScenario.Row;
import dev.herald.records.DestroyScenario.Step;
import dev.herald.records.DestroyScenario.Subscribe;
import dev.herald.records.DestroyScenario.Subscription;
import dev.herald.records.DestroyScenario.Together;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Random {@link DestroyScenario}s for {@link DestroyModelProperties}. jqwik generates independent lists of
 * small numbers ("genes") which are read into a scenario, so that shrinking them gives fewer models,
 * associations, records, links and steps, and simpler ones (gene 0: a one-to-many association of a model
 * with itself, a null foreign key, a single destroy).
 */
final class DestroyScenarios {
    private static final List<String> NAMES = List.of("ant", "bee", "cat", "dog", "eel");

    private DestroyScenarios() {
    }

    /** Every kind of association. */
    static Arbitrary<DestroyScenario> any() {
        return genomes().map(g -> read(g, false));
    }

    /** Only one-to-many cascade and restrict associations: trees of records to refuse or destroy. */
    static Arbitrary<DestroyScenario> trees() {
        return genomes().map(g -> read(g, true));
    }

    private record Genome(int models, List<List<Integer>> relations, List<Integer> counts, List<Integer> scalars,
                          List<Integer> fks, List<List<Integer>> links, List<Integer> subscriptions, List<List<Integer>> steps) {
    }

    private static Arbitrary<Genome> genomes() {
        Arbitrary<List<Integer>> relation = Combinators.combine(ints(0, 7), ints(0, 4), ints(0, 4), ints(0, 5)).as(List::of);
        Arbitrary<List<Integer>> link = Combinators.combine(ints(0, 9), ints(0, 9), ints(0, 9)).as(List::of);
        Arbitrary<List<Integer>> step = Combinators.combine(ints(0, 9), ints(0, 4), ints(0, 9).list().ofMinSize(1).ofMaxSize(5))
                .as((kind, model, ids) -> {
                    List<Integer> gene = new ArrayList<>(List.of(kind, model));
                    gene.addAll(ids);
                    return gene;
                });
        return Combinators.combine(ints(1, 4), relation.list().ofMinSize(2).ofMaxSize(8), ints(0, 8).list().ofSize(5),
                        ints(0, 15).list().ofSize(5), ints(0, 9).list().ofSize(60), link.list().ofMaxSize(24),
                        ints(0, 7).list().ofMaxSize(30), step.list().ofMinSize(3).ofMaxSize(12))
                .as(Genome::new);
    }

    private static Arbitrary<Integer> ints(int min, int max) {
        return Arbitraries.integers().between(min, max);
    }

    private static DestroyScenario read(Genome g, boolean trees) {
        List<String> names = NAMES.subList(0, g.models());
        List<List<String>> attributes = new ArrayList<>();
        names.forEach(n -> attributes.add(new ArrayList<>(List.of("label: { type: string }"))));
        List<String[]> singulars = new ArrayList<>();
        List<String[]> junctions = new ArrayList<>();
        int k = 0;
        for (List<Integer> r : g.relations()) {
            k++;
            int from = r.get(1) % names.size();
            int to = r.get(2) % names.size();
            String a = names.get(from);
            String b = names.get(to);
            switch (trees ? 0 : r.get(0)) {
                case 4 -> {
                    attributes.get(from).add("x" + k + ": { collection: " + b + ", via: y" + k + " }");
                    attributes.get(to).add("y" + k + ": { collection: " + a + ", via: x" + k + " }");
                    junctions.add(new String[]{a, "x" + k, b});
                }
                case 5 -> {
                    attributes.get(from).add("sym" + k + ": { collection: " + a + ", via: sym" + k + " }");
                    junctions.add(new String[]{a, "sym" + k, a});
                }
                case 6 -> {
                    attributes.get(from).add("ref" + k + ": { model: " + b + " }");
                    singulars.add(new String[]{a, "ref" + k, b});
                }
                case 7 -> {
                    attributes.get(from).add("bag" + k + ": { collection: " + b + " }");
                    junctions.add(new String[]{a, "bag" + k, b});
                }
                default -> {
                    String policy = trees ? (r.get(3) % 2 == 0 ? ", onDestroy: cascade" : ", onDestroy: restrict")
                            : List.of("", ", onDestroy: cascade", ", onDestroy: restrict", ", onDestroy: setNull",
                            ", onDestroy: cascade", ", onDestroy: restrict").get(r.get(3));
                    attributes.get(from).add("kids" + k + ": { collection: " + b + ", via: up" + k + policy + " }");
                    attributes.get(to).add("up" + k + ": { model: " + a + " }");
                    singulars.add(new String[]{b, "up" + k, a});
                }
            }
        }
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            int s = g.scalars().get(i);
            if ((s & 1) != 0) {
                attributes.get(i).add("secret: { type: string, private: true }");
            }
            int extra = (s >> 1) & 3;
            if (extra != 0) {
                attributes.get(i).add(List.of("", "rank: { type: number", "flag: { type: boolean", "meta: { type: json").get(extra)
                        + ((s & 8) != 0 ? ", private: true }" : " }"));
            }
            yaml.append(names.get(i)).append(":\n  attributes:\n");
            attributes.get(i).forEach(line -> yaml.append("    ").append(line).append('\n'));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            counts.put(names.get(i), g.counts().get(i));
        }
        return new DestroyScenario(yaml.toString(), records(names, counts, singulars, g.fks().iterator()),
                links(counts, junctions, g.links()), subscriptions(names, counts, g.subscriptions().iterator()),
                steps(names, counts, g.steps()));
    }

    private static int next(Iterator<Integer> genes, int otherwise) {
        return genes.hasNext() ? genes.next() : otherwise;
    }

    /** Each foreign key: null for genes 0-2, else a record of the target model. */
    private static List<Row> records(List<String> names, Map<String, Integer> counts, List<String[]> singulars, Iterator<Integer> fks) {
        List<Row> rows = new ArrayList<>();
        for (String model : names) {
            for (long id = 1; id <= counts.get(model); id++) {
                Map<String, Long> values = new LinkedHashMap<>();
                for (String[] s : singulars) {
                    int gene = s[0].equals(model) ? next(fks, 0) : -1;
                    if (gene >= 3 && counts.get(s[2]) > 0) {
                        values.put(s[1], (long) ((gene - 3) % counts.get(s[2]) + 1));
                    }
                }
                rows.add(new Row(model, id, values));
            }
        }
        return rows;
    }

    private static List<Link> links(Map<String, Integer> counts, List<String[]> junctions, List<List<Integer>> genes) {
        LinkedHashSet<Link> links = new LinkedHashSet<>();
        for (List<Integer> gene : genes) {
            if (junctions.isEmpty()) {
                break;
            }
            String[] j = junctions.get(gene.get(0) % junctions.size());
            int from = counts.get(j[0]);
            int to = counts.get(j[2]);
            if (from > 0 && to > 0) {
                links.add(new Link(j[0], gene.get(1) % from + 1, j[1], gene.get(2) % to + 1));
            }
        }
        return new ArrayList<>(links);
    }

    /** A gene per record says which sockets subscribe to it (a bit each); every socket also asks for an id that does not exist. */
    private static List<Subscription> subscriptions(List<String> names, Map<String, Integer> counts, Iterator<Integer> genes) {
        Map<String, List<Long>> bySocketAndModel = new LinkedHashMap<>();
        for (String model : names) {
            for (long id = 1; id <= counts.get(model); id++) {
                int gene = next(genes, 1);
                for (int socket = 0; socket < DestroyScenario.SOCKETS; socket++) {
                    if ((gene & (1 << socket)) != 0) {
                        bySocketAndModel.computeIfAbsent(socket + " " + model, x -> new ArrayList<>()).add(id);
                    }
                }
            }
        }
        for (int socket = 0; socket < DestroyScenario.SOCKETS; socket++) {
            String model = names.get(socket % names.size());
            bySocketAndModel.computeIfAbsent(socket + " " + model, x -> new ArrayList<>()).add(counts.get(model) + 1L);
        }
        List<Subscription> subscriptions = new ArrayList<>();
        bySocketAndModel.forEach((key, ids) -> subscriptions.add(new Subscription(Integer.parseInt(key.split(" ")[0]),
                key.split(" ")[1], ids)));
        subscriptions.sort((x, y) -> Integer.compare(x.socket(), y.socket()));
        return subscriptions;
    }

    /** Kinds 0-5 destroy one record, 6-7 several at once, 8 inserts a record again, 9 subscribes; ids run to one past the last. */
    private static List<Step> steps(List<String> names, Map<String, Integer> counts, List<List<Integer>> genes) {
        List<Step> steps = new ArrayList<>();
        for (List<Integer> gene : genes) {
            String model = names.get(gene.get(1) % names.size());
            List<Long> ids = gene.subList(2, gene.size()).stream().map(v -> (long) (v % (counts.get(model) + 1) + 1)).toList();
            int kind = gene.get(0);
            if (kind <= 5) {
                steps.add(new Destroy(model, ids.get(0)));
            } else if (kind <= 7) {
                steps.add(new Together(model, ids));
            } else if (kind == 8) {
                steps.add(new Resurrect(model, ids.get(0)));
            } else {
                List<Long> distinct = new ArrayList<>(new LinkedHashSet<>(ids.size() > 1 ? ids.subList(1, ids.size()) : ids));
                steps.add(new Subscribe(gene.get(2) % DestroyScenario.SOCKETS, model, distinct));
            }
        }
        return steps;
    }
}
