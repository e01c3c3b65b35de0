package org.xenpv.harness.launcher;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The result of one finished test invocation (or of a container that failed or was skipped as a
 * whole: a class whose {@code @BeforeAll} threw).
 *
 * @param uniqueId          JUnit unique id of the invocation
 * @param className         test class, fully qualified; empty for an engine
 * @param methodName        test method; empty for a container
 * @param methodDisplayName the method's display name (the rule in words); the container's for a container
 * @param displayName       the invocation's own display name ({@code [seed=5]} for a seeded test)
 * @param seed              the invocation's seed, if it is a {@code @XenpvTest} invocation
 * @param status            passed, failed or skipped (aborted by an assumption, or disabled)
 * @param message           why it failed or was skipped; empty when it passed
 * @param throwable         what it failed with, if it failed in this JVM
 * @param reportEntries     entries it published ({@code xenpv.replay}, {@code xenpv.log})
 * @param tags              its tags
 * @param rules             the rules its method checks
 * @param container         whether this is a container's outcome rather than a test's
 */
public record TestOutcome(String uniqueId, String className, String methodName, String methodDisplayName,
                          String displayName, Optional<Long> seed, Status status, String message,
                          Optional<Throwable> throwable, Map<String, String> reportEntries, Set<String> tags,
                          List<Rule> rules, boolean container) {

    public enum Status { PASSED, FAILED, SKIPPED }

    /** {@code org.x.SomeTest#m}, or the class name for a container. */
    public String testId() {
        return methodName.isEmpty() ? className : className + "#" + methodName;
    }

    /** The replay line the extension published, if the invocation failed. */
    public Optional<String> replayLine() {
        return Optional.ofNullable(reportEntries.get(org.xenpv.harness.junit.XenpvExtension.REPLAY_ENTRY));
    }
}
