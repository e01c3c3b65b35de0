package org.xenpv.harness.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.xenpv.xenstore.trace.TraceOptions;
import org.xenpv.xenstore.trace.TraceReader;

/** Entry point: replay one trace file against a target ({@code docs/traces.md}, "Replay"). */
public final class TraceReplay {

    private TraceReplay() {
    }

    /**
     * Replays {@code trace} against {@code target} (which the caller closes).
     *
     * @throws org.xenpv.xenstore.trace.TraceSyntaxException for malformed trace input ({@code file:line: ...})
     * @throws ReplayInputException for a bad initial state
     * @throws IOException if the trace cannot be read or the target not reached
     */
    public static ReplayReport replay(Path trace, ReplayTarget target, ReplayOptions options, TraceOptions read)
            throws IOException {
        try (TraceReader r = TraceReader.open(trace, read)) {
            return new TraceReplayer(target, options).replay(r, trace.getFileName().toString());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Replays {@code trace} against a fresh in-process daemon, with the trace's expectations file
     * ({@code <trace>.replay}) if there is one: its domains, initial state and expected deviations.
     */
    public static ReplayReport replayAgainstSim(Path trace) throws IOException {
        ReplayExpectations e = ReplayExpectations.forTrace(trace);
        ReplayOptions o = ReplayOptions.DEFAULT.withExpectations(e);
        if (e.initial() != null) {
            o = o.withInitial(XenstoreDump.parse(e.initial()));
        }
        ReplayPlatform p = e.domains() == null ? ReplayPlatform.allDomains() : ReplayPlatform.only(e.domains());
        try (SimTarget sim = new SimTarget(p)) {
            return replay(trace, sim, o, TraceOptions.DEFAULT);
        }
    }
}
