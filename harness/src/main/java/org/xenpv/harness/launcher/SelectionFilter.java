package org.xenpv.harness.launcher;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * Keeps the discovered tests (the launcher applies post-discovery filters to the leaves of the
 * discovered tree: test methods, and test templates before their invocations exist) that match
 * any selection and fall in the shard. Remembers which selections matched something.
 */
final class SelectionFilter implements PostDiscoveryFilter {

    private final List<Selection> selections;
    private final Shard shard;
    private final Set<Selection> matched = new LinkedHashSet<>();

    SelectionFilter(List<Selection> selections, Shard shard) {
        this.selections = selections;
        this.shard = shard;
    }

    @Override
    public FilterResult apply(TestDescriptor test) {
        if (!test.getChildren().isEmpty()) {
            return FilterResult.included("container: kept while it has selected children");
        }
        boolean selected = selections.isEmpty();
        for (Selection s : selections) {
            if (s.matches(test)) {
                matched.add(s);
                selected = true;
            }
        }
        if (!selected) {
            return FilterResult.excluded("matches no --select");
        }
        if (shard != null && !shard.includes(test.getUniqueId())) {
            return FilterResult.excluded("in shard " + Shard.shardOf(test.getUniqueId().toString(), shard.count())
                    + "/" + shard.count() + ", not " + shard);
        }
        return FilterResult.included("selected");
    }

    /** Selections that matched no discovered test (before sharding). */
    List<Selection> unmatched() {
        return selections.stream().filter(s -> !matched.contains(s)).toList();
    }
}
