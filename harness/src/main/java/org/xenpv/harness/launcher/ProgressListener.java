package org.xenpv.harness.launcher;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * One line per finished test invocation:
 * {@code [  12] PASS KernelConformanceTest > A 120 s virtual timeout ... > [seed=2]}, and for a
 * failure the first line of its message.
 */
public final class ProgressListener implements TestExecutionListener {

    private final PrintWriter out;
    private final AtomicInteger finished = new AtomicInteger();
    private volatile TestPlan plan;

    public ProgressListener(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest()) {
            print("SKIP", id, reason);
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
            return;
        }
        String word = switch (result.getStatus()) {
            case SUCCESSFUL -> "PASS";
            case FAILED -> "FAIL";
            case ABORTED -> "SKIP";
        };
        print(word, id, result.getThrowable().map(String::valueOf).orElse(null));
    }

    private void print(String word, TestIdentifier id, String why) {
        StringBuilder sb = new StringBuilder(String.format("[%4d] %s %s", finished.incrementAndGet(), word, path(id)));
        if (why != null && !why.isBlank() && !word.equals("PASS")) {
            String first = why.lines().findFirst().orElse("");
            sb.append(" -- ").append(first.length() > 200 ? first.substring(0, 200) + "..." : first);
        }
        synchronized (out) {
            out.println(sb);
            out.flush();
        }
    }

    /** Display names from the class down: {@code KernelConformanceTest > rule > [seed=1]}. */
    private String path(TestIdentifier id) {
        TestPlan p = plan;
        if (p == null) {
            return id.getDisplayName();
        }
        StringBuilder sb = new StringBuilder(id.getDisplayName());
        for (TestIdentifier cur = p.getParent(id).orElse(null); cur != null && cur.getParentId().isPresent();
             cur = p.getParent(cur).orElse(null)) {
            sb.insert(0, cur.getDisplayName() + " > ");
        }
        return sb.toString();
    }
}
