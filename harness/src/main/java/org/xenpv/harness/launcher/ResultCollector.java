package org.xenpv.harness.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.TestTag;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.xenpv.harness.junit.XenpvExtension;

/** Turns the launcher's events into {@link TestOutcome}s. */
final class ResultCollector implements TestExecutionListener {

    private final List<TestOutcome> outcomes = new ArrayList<>();
    private final Map<String, Map<String, String>> entries = new ConcurrentHashMap<>();
    private volatile TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
    }

    @Override
    public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
        entries.computeIfAbsent(id.getUniqueId(), k -> new LinkedHashMap<>()).putAll(entry.getKeyValuePairs());
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest() || id.getSource().isPresent()) {
            add(id, TestOutcome.Status.SKIPPED, reason == null ? "" : reason, null);
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        TestOutcome.Status status = switch (result.getStatus()) {
            case SUCCESSFUL -> TestOutcome.Status.PASSED;
            case FAILED -> TestOutcome.Status.FAILED;
            case ABORTED -> TestOutcome.Status.SKIPPED;
        };
        if (!id.isTest() && status == TestOutcome.Status.PASSED) {
            return; // a container that passed says nothing its tests do not
        }
        Throwable t = result.getThrowable().orElse(null);
        add(id, status, t == null ? "" : String.valueOf(t), t);
    }

    private synchronized void add(TestIdentifier id, TestOutcome.Status status, String message, Throwable t) {
        TestSource source = id.getSource().orElse(null);
        String className = "";
        String methodName = "";
        List<Rule> rules = List.of();
        if (source instanceof MethodSource ms) {
            className = ms.getClassName();
            methodName = ms.getMethodName();
            try {
                rules = Rule.of(ms.getJavaMethod());
            } catch (RuntimeException e) {
                rules = List.of();
            }
        } else if (source instanceof ClassSource cs) {
            className = cs.getClassName();
        }
        String methodDisplayName = id.getDisplayName();
        TestPlan p = plan;
        if (p != null && source instanceof MethodSource) {
            Optional<TestIdentifier> parent = p.getParent(id);
            if (parent.isPresent() && source.equals(parent.get().getSource().orElse(null))) {
                methodDisplayName = parent.get().getDisplayName();
            }
        }
        Set<String> tags = new TreeSet<>();
        for (TestTag tag : id.getTags()) {
            tags.add(tag.getName());
        }
        boolean container = !id.isTest();
        outcomes.add(new TestOutcome(id.getUniqueId(), className, methodName, methodDisplayName,
                id.getDisplayName(), container ? Optional.empty() : XenpvExtension.seedOf(id.getDisplayName()), status,
                message, Optional.ofNullable(t), Map.copyOf(entries.getOrDefault(id.getUniqueId(), Map.of())), tags,
                rules, container));
    }

    synchronized List<TestOutcome> outcomes() {
        return List.copyOf(outcomes);
    }
}
