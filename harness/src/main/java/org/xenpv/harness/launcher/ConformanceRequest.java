package org.xenpv.harness.launcher;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ConformanceLauncher} runs.
 *
 * @param selections  union of selections; empty: every test under {@link ConformanceLauncher#ROOT_PACKAGE}
 * @param seeds       seed spec for every {@code @XenpvTest} ({@code 1,2}, {@code count:20}), or null for the tests' own
 * @param shard       the shard to run, or null for all
 * @param reportsDir  where JUnit XML and Open Test Reporting XML go, or null for no reports
 * @param failuresDir where failing invocations leave their logs, or null for the default
 * @param config      further JUnit configuration parameters
 */
public record ConformanceRequest(List<Selection> selections, String seeds, Shard shard, Path reportsDir,
                                 Path failuresDir, Map<String, String> config) {

    public ConformanceRequest {
        selections = List.copyOf(selections);
        config = Map.copyOf(config);
    }

    /** Every test of the conformance suite, with the tests' own seeds, no reports. */
    public static ConformanceRequest all() {
        return new ConformanceRequest(List.of(), null, null, null, null, Map.of());
    }

    public static ConformanceRequest of(Selection... selections) {
        return new ConformanceRequest(List.of(selections), null, null, null, null, Map.of());
    }

    public ConformanceRequest withSelections(List<Selection> s) {
        return new ConformanceRequest(s, seeds, shard, reportsDir, failuresDir, config);
    }

    public ConformanceRequest withSeeds(String s) {
        return new ConformanceRequest(selections, s, shard, reportsDir, failuresDir, config);
    }

    public ConformanceRequest withShard(Shard s) {
        return new ConformanceRequest(selections, seeds, s, reportsDir, failuresDir, config);
    }

    public ConformanceRequest withReportsDir(Path dir) {
        return new ConformanceRequest(selections, seeds, shard, dir, failuresDir, config);
    }

    public ConformanceRequest withFailuresDir(Path dir) {
        return new ConformanceRequest(selections, seeds, shard, reportsDir, dir, config);
    }

    public ConformanceRequest withConfig(String key, String value) {
        Map<String, String> c = new LinkedHashMap<>(config);
        c.put(key, value);
        return new ConformanceRequest(selections, seeds, shard, reportsDir, failuresDir, c);
    }
}
