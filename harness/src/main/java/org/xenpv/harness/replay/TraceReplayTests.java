package org.xenpv.harness.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;
import org.xenpv.xenstore.trace.TraceOptions;

/**
 * JUnit 5 dynamic tests from a directory of xenstore traces: one test per trace file, replayed
 * against a fresh target with the trace's expectations file ({@code <trace>.replay}: domains, initial
 * state, expected deviations). A test fails when anything diverged, with one line per divergence,
 * {@code file:line: ... expected X, got Y}, pointing at the trace line.
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> ourTracesReplayCleanly() {
 *     return TraceReplayTests.forDirectory(Path.of("src/test/resources/traces/replay"));
 * }
 * }</pre>
 */
public final class TraceReplayTests {

    private TraceReplayTests() {
    }

    /** One test per trace ({@code *.log}, {@code *.jsonl}, {@code *.trace}) in {@code dir}, replayed against sim. */
    public static Stream<DynamicTest> forDirectory(Path dir) {
        return forDirectory(dir, TraceReplayTests::simFor);
    }

    /**
     * One test per trace in {@code dir}, each against the target {@code targets} makes for it (closed
     * after the replay).
     */
    public static Stream<DynamicTest> forDirectory(Path dir, Function<Path, ReplayTarget> targets) {
        // no file test-source URI: Surefire's class filters drop dynamic tests whose source is not a class
        return traces(dir).stream().map(t -> DynamicTest.dynamicTest(t.getFileName().toString(),
                () -> assertReplaysCleanly(t, targets.apply(t))));
    }

    /** The trace files of a directory, sorted by name. */
    public static List<Path> traces(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such directory of traces");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(TraceReplayTests::isTrace).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isTrace(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".log") || n.endsWith(".jsonl") || n.endsWith(".trace");
    }

    /** A fresh in-process daemon with the domains the trace's expectations file lists. */
    public static ReplayTarget simFor(Path trace) {
        ReplayExpectations e = ReplayExpectations.forTrace(trace);
        return new SimTarget(e.domains() == null ? ReplayPlatform.allDomains() : ReplayPlatform.only(e.domains()));
    }

    /**
     * Replays {@code trace} against {@code target} (closed afterwards) with its expectations file and
     * fails with every divergence if any.
     *
     * @return the report, for further checks
     */
    public static ReplayReport assertReplaysCleanly(Path trace, ReplayTarget target) {
        ReplayExpectations e = ReplayExpectations.forTrace(trace);
        ReplayOptions o = ReplayOptions.DEFAULT.withExpectations(e);
        if (e.initial() != null) {
            o = o.withInitial(XenstoreDump.parse(e.initial()));
        }
        ReplayReport r;
        try (target) {
            r = TraceReplay.replay(trace, target, o, TraceOptions.DEFAULT);
        } catch (IOException ex) {
            throw new UncheckedIOException(trace + ": " + ex.getMessage(), ex);
        }
        if (!r.clean()) {
            throw failure(r);
        }
        return r;
    }

    /** The assertion error for a report with divergences: one {@code file:line: ...} line each. */
    public static AssertionFailedError failure(ReplayReport r) {
        String lines = r.divergences().stream().map(Divergence::message).collect(Collectors.joining("\n"));
        String head = r.file() + ": " + r.divergenceCount() + " divergence(s) replaying against " + r.target()
                + (r.divergenceCount() > r.divergences().size() ? " (first " + r.divergences().size() + " listed)" : "");
        Divergence first = r.divergences().isEmpty() ? null : r.divergences().get(0);
        return first == null ? new AssertionFailedError(head)
                : new AssertionFailedError(lines + "\n" + head, first.expected(), first.actual());
    }
}
