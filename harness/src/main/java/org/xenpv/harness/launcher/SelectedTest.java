package org.xenpv.harness.launcher;

import java.util.List;
import java.util.Set;

/**
 * A test method the selection (and shard) chose, as discovered: before its seeds are expanded.
 *
 * @param uniqueId    JUnit unique id of the method (the sharding key)
 * @param className   fully qualified test class
 * @param methodName  test method
 * @param displayName the method's display name (the rule in words)
 * @param tags        its tags, with those of its class
 * @param rules       the rules it checks
 */
public record SelectedTest(String uniqueId, String className, String methodName, String displayName,
                           Set<String> tags, List<Rule> rules) {

    /** {@code method:org.x.SomeTest#m}: a valid {@code --select}. */
    public String selector() {
        return "method:" + className + "#" + methodName;
    }
}
