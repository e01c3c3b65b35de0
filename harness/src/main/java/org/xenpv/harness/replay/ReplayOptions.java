package org.xenpv.harness.replay;

import java.util.List;

/**
 * How to replay.
 *
 * @param expectations      expected deviations (and the trace's assumptions) or {@link ReplayExpectations#NONE}
 * @param initial           nodes to create before the replay (an initial-state dump), empty for none
 * @param limit             how many entries each report list keeps (counts stay exact)
 * @param compareGenerations whether DIRECTORY_PART's generation count is compared; off when the target
 *                          did not start from the trace's history (a seeded state), where it cannot match
 */
public record ReplayOptions(ReplayExpectations expectations, List<DumpEntry> initial, int limit,
                            boolean compareGenerations) {

    public static final int DEFAULT_LIMIT = 1000;

    public static final ReplayOptions DEFAULT = new ReplayOptions(ReplayExpectations.NONE, List.of(), DEFAULT_LIMIT,
            true);

    public ReplayOptions {
        expectations = expectations == null ? ReplayExpectations.NONE : expectations;
        initial = initial == null ? List.of() : List.copyOf(initial);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
    }

    public ReplayOptions withExpectations(ReplayExpectations e) {
        return new ReplayOptions(e, initial, limit, compareGenerations);
    }

    /** Starts from these nodes; generation counts are then not compared. */
    public ReplayOptions withInitial(List<DumpEntry> nodes) {
        return new ReplayOptions(expectations, nodes, limit, compareGenerations && nodes.isEmpty());
    }

    public ReplayOptions withLimit(int l) {
        return new ReplayOptions(expectations, initial, l, compareGenerations);
    }
}
