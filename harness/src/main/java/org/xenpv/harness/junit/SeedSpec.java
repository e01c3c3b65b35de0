package org.xenpv.harness.junit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xenpv.core.sim.SplitMix64;

/**
 * The seeds a {@link XenpvTest} runs with, and where they came from (for error messages and
 * reports).
 *
 * <p>Text form, as accepted by {@code -Dxenpv.seeds=...} and {@code xenpv conformance --seeds ...}:
 * <ul>
 *   <li>{@code 1,5,9}: exactly these seeds, in this order;</li>
 *   <li>{@code 3..7}: the seeds 3 to 7 inclusive;</li>
 *   <li>{@code count:20}: 20 seeds derived from base 0 with {@link #derive}, the same ones
 *       {@code @Seeds(count = 20)} gives;</li>
 * </ul>
 * Items may be mixed: {@code 1,3..5,count:2}. Duplicates are dropped, first occurrence wins.
 */
public record SeedSpec(List<Long> seeds, String source) {

    /** Configuration parameter (or system property) that overrides every {@link Seeds}. */
    public static final String PROPERTY = "xenpv.seeds";

    /** Upper bound on the seeds of one spec, so a typo cannot start a billion invocations. */
    public static final int MAX_SEEDS = 100_000;

    public SeedSpec {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException(source + ": no seeds");
        }
        seeds = List.copyOf(seeds);
    }

    /** The default when neither {@link Seeds} nor {@code xenpv.seeds} is given: seed 1. */
    public static SeedSpec defaults() {
        return new SeedSpec(List.of(1L), "default seed");
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException naming the item that is not a seed, a range or a count
     */
    public static SeedSpec parse(String text) {
        String where = "seeds '" + text + "'";
        Set<Long> out = new LinkedHashSet<>();
        for (String raw : text.split(",")) {
            String item = raw.strip();
            if (item.isEmpty()) {
                throw new IllegalArgumentException(where + ": empty item (expected N, A..B or count:N)");
            }
            try {
                if (item.startsWith("count:")) {
                    out.addAll(derive(boundedCount(Integer.parseInt(item.substring(6).strip()), where), 0));
                } else if (item.contains("..")) {
                    int dots = item.indexOf("..");
                    long from = Long.parseLong(item.substring(0, dots).strip());
                    long to = Long.parseLong(item.substring(dots + 2).strip());
                    if (to < from) {
                        throw new IllegalArgumentException(where + ": range " + item + " is empty");
                    }
                    if (to - from >= MAX_SEEDS) {
                        throw new IllegalArgumentException(where + ": range " + item + " has more than " + MAX_SEEDS
                                + " seeds");
                    }
                    for (long s = from; s <= to; s++) {
                        out.add(s);
                    }
                } else {
                    out.add(Long.parseLong(item));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": '" + item + "' is not a seed, a range A..B or count:N");
            }
            if (out.size() > MAX_SEEDS) {
                throw new IllegalArgumentException(where + ": more than " + MAX_SEEDS + " seeds");
            }
        }
        return new SeedSpec(new ArrayList<>(out), "xenpv.seeds=" + text);
    }

    /** The seeds of a {@link Seeds} annotation found on {@code where} (a method or class name). */
    public static SeedSpec of(Seeds seeds, String where) {
        String source = "@Seeds on " + where;
        if (seeds.value().length > 0) {
            if (seeds.count() != 0) {
                throw new IllegalArgumentException(source + ": give either seeds or count, not both");
            }
            Set<Long> out = new LinkedHashSet<>();
            for (long s : seeds.value()) {
                out.add(s);
            }
            return new SeedSpec(new ArrayList<>(out), source);
        }
        if (seeds.count() <= 0) {
            throw new IllegalArgumentException(source + ": give seeds ({1,2,3}) or a positive count");
        }
        return new SeedSpec(derive(boundedCount(seeds.count(), source), seeds.base()), source);
    }

    /**
     * {@code count} distinct seeds in {@code [0, 2^32)}: the high halves of a {@link SplitMix64}
     * stream seeded with {@code base}. The same on every JDK and machine, and short enough to type.
     */
    public static List<Long> derive(int count, long base) {
        Set<Long> out = new LinkedHashSet<>();
        SplitMix64 rng = new SplitMix64(base);
        while (out.size() < count) {
            out.add(rng.nextLong() >>> 32);
        }
        return new ArrayList<>(out);
    }

    private static int boundedCount(int count, String where) {
        if (count <= 0 || count > MAX_SEEDS) {
            throw new IllegalArgumentException(where + ": count must be in 1.." + MAX_SEEDS + ", got " + count);
        }
        return count;
    }
}
