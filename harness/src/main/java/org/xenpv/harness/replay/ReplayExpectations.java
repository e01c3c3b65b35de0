package org.xenpv.harness.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a replay of one trace should assume and which divergences are known and explained
 * ({@code docs/traces.md}, "Replay"). Kept next to the trace as {@code <trace>.replay}:
 * <pre>
 * # comments and blank lines are ignored
 * domains 0 5                   # domains the hypervisor has (default: every domain exists)
 * initial state.dump            # start from this xenstore-ls -f -p dump (relative to this file)
 * expect 66 the 4.17 trace does not record tx_id: the READ was sent with the unknown tx 12345
 * </pre>
 * An {@code expect LINE reason} entry turns every divergence found at trace line {@code LINE} (the
 * recorded reply or event, or the request) into an expected deviation; an entry that matches nothing
 * is itself reported as a divergence, so the list cannot go stale unnoticed.
 */
public final class ReplayExpectations {

    /** The file name suffix of an expectations file next to its trace. */
    public static final String SUFFIX = ".replay";

    public static final ReplayExpectations NONE = new ReplayExpectations(null, null, Map.of());

    private final Set<Integer> domains;
    private final Path initial;
    private final Map<Long, String> expected;

    public ReplayExpectations(Set<Integer> domains, Path initial, Map<Long, String> expected) {
        this.domains = domains == null ? null : Collections.unmodifiableSet(new TreeSet<>(domains));
        this.initial = initial;
        this.expected = Collections.unmodifiableMap(new LinkedHashMap<>(expected));
    }

    /** The expectations file of {@code trace} ({@code <trace>.replay}) if there is one, else {@link #NONE}. */
    public static ReplayExpectations forTrace(Path trace) {
        Path f = trace.resolveSibling(trace.getFileName() + SUFFIX);
        return Files.isRegularFile(f) ? parse(f) : NONE;
    }

    /** Parses an expectations file; errors are {@code file:line: ...}. */
    public static ReplayExpectations parse(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ReplayInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        Set<Integer> domains = null;
        Path initial = null;
        Map<Long, String> expected = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            int hash = raw.indexOf('#');
            String s = (raw.startsWith("expect ") || hash < 0 ? raw : raw.substring(0, hash)).strip();
            if (s.isEmpty()) {
                continue;
            }
            String[] w = s.split("\\s+", 3);
            long n = i + 1;
            switch (w[0]) {
                case "domains" -> {
                    domains = new TreeSet<>();
                    for (String d : s.substring("domains".length()).strip().split("[\\s,]+")) {
                        try {
                            domains.add(Integer.parseUnsignedInt(d));
                        } catch (NumberFormatException e) {
                            throw ReplayInputException.at(file.toString(), n, "domains: '" + d + "' is no domid", raw);
                        }
                    }
                }
                case "initial" -> {
                    if (w.length < 2) {
                        throw ReplayInputException.at(file.toString(), n, "initial: missing dump file name", raw);
                    }
                    initial = file.resolveSibling(s.substring("initial".length()).strip());
                }
                case "expect" -> {
                    if (w.length < 3) {
                        throw ReplayInputException.at(file.toString(), n, "expect: want 'expect LINE reason'", raw);
                    }
                    long line;
                    try {
                        line = Long.parseLong(w[1]);
                    } catch (NumberFormatException e) {
                        throw ReplayInputException.at(file.toString(), n, "expect: '" + w[1] + "' is no line number",
                                raw);
                    }
                    if (line < 1 || expected.put(line, w[2].strip()) != null) {
                        throw ReplayInputException.at(file.toString(), n, line < 1 ? "expect: line numbers start at 1"
                                : "expect: line " + line + " listed twice", raw);
                    }
                }
                default -> throw ReplayInputException.at(file.toString(), n,
                        "unknown directive '" + w[0] + "' (expected domains, initial or expect)", raw);
            }
        }
        return new ReplayExpectations(domains, initial, expected);
    }

    /** The domains that exist, or {@code null} for "every domain". */
    public Set<Integer> domains() {
        return domains;
    }

    /** The initial-state dump, or {@code null} for a fresh daemon. */
    public Path initial() {
        return initial;
    }

    /** Expected deviations: trace line to reason. */
    public Map<Long, String> expected() {
        return expected;
    }

    public boolean isEmpty() {
        return domains == null && initial == null && expected.isEmpty();
    }
}
