package org.xenpv.harness.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.trace.TraceOptions;

/** The replayer on small written traces: what it compares, how it maps transactions, what it reports. */
class TraceReplayerTest {

    @TempDir
    Path dir;

    private static final String T = " 20261124 13:57:43 ";

    private Path file(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.ISO_8859_1);
        return p;
    }

    private static String in(String conn, String rest) {
        return "IN " + conn + T + rest;
    }

    private static String out(String conn, String rest) {
        return "OUT " + conn + T + rest;
    }

    private static ReplayReport sim(Path trace) throws IOException {
        return sim(trace, ReplayOptions.DEFAULT);
    }

    private static ReplayReport sim(Path trace, ReplayOptions o) throws IOException {
        try (SimTarget s = SimTarget.fresh()) {
            return TraceReplay.replay(trace, s, o, TraceOptions.DEFAULT);
        }
    }

    @Test
    void aDifferentReplyIsReportedWithLineConnectionRequestExpectedAndActual() throws Exception {
        Path t = file("t.log",
                "CREATE connection 0x1",
                in("0x1", "WRITE (/t/x v)"),
                out("0x1", "WRITE (OK )"),
                in("0x1", "READ (/t/x )"),
                out("0x1", "READ (w)"),
                in("0x1", "READ (/t/y )"),
                out("0x1", "ERROR (EACCES )"),
                "DESTROY connection 0x1");
        ReplayReport r = sim(t);
        assertThat(r.clean()).isFalse();
        assertThat(r.repliesCompared()).isEqualTo(3);
        assertThat(r.divergences()).extracting(Divergence::message).containsExactly(
                "t.log:5: READ /t/x on 0x1 (request at line 4): expected READ \"w\", got READ \"v\"",
                "t.log:7: READ /t/y on 0x1 (request at line 6): expected ERROR EACCES, got ERROR ENOENT");
        Divergence d = r.divergences().get(0);
        assertThat(d.conn()).isEqualTo("0x1");
        assertThat(d.kind()).isEqualTo(Divergence.Kind.REPLY);
        assertThatThrownBy(() -> TraceReplayTests.assertReplaysCleanly(t, SimTarget.fresh()))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith("t.log:5: READ /t/x on 0x1 (request at line 4): expected READ \"w\", got READ \"v\"\n")
                .hasMessageContaining("t.log: 2 divergence(s) replaying against sim");
    }

    @Test
    void watchEventsAreComparedPerConnection() throws Exception {
        Path t = file("w.log",
                "CREATE connection 0x1",
                "CREATE connection 0x2",
                in("0x2", "WATCH (/t tok )"),
                out("0x2", "WATCH (OK )"),
                out("0x2", "WATCH_EVENT (/t tok )"),
                in("0x1", "WRITE (/t/a 1)"),
                out("0x1", "WRITE (OK )"),
                out("0x2", "WATCH_EVENT (/t/a tok )"),
                in("0x1", "WRITE (/elsewhere 1)"),
                out("0x1", "WRITE (OK )"),
                out("0x2", "WATCH_EVENT (/elsewhere tok )"),
                in("0x1", "WRITE (/t/b 1)"),
                out("0x1", "WRITE (OK )"),
                "DESTROY connection 0x1",
                "DESTROY connection 0x2");
        ReplayReport r = sim(t);
        assertThat(r.eventsCompared()).isEqualTo(3);
        assertThat(r.divergences()).extracting(Divergence::kind, Divergence::line, Divergence::expected,
                Divergence::actual).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Divergence.Kind.MISSING_EVENT, 11L,
                        "WATCH_EVENT \"/elsewhere\\0tok\\0\"", "no event"),
                org.assertj.core.groups.Tuple.tuple(Divergence.Kind.UNEXPECTED_EVENT, 15L, "no event",
                        "WATCH_EVENT \"/t/b\\0tok\\0\""));
    }

    @Test
    void tracedTransactionIdsAreMappedToTheTargets() throws Exception {
        Path t = file("tx.log",
                "CREATE connection 0x1",
                in("0x1", "TRANSACTION_START ( )"),
                out("0x1", "TRANSACTION_START (17 )"),
                in("0x1", "WRITE (/t/x inside)"),
                out("0x1", "WRITE (OK )"),
                in("0x1", "TRANSACTION_START ( )"),
                out("0x1", "ERROR (EBUSY )"),
                in("0x1", "TRANSACTION_END (T )"),
                out("0x1", "TRANSACTION_END (OK )"),
                in("0x1", "READ (/t/x )"),
                out("0x1", "READ (inside)"),
                "DESTROY connection 0x1");
        ReplayReport r = sim(t);
        assertThat(r.divergences()).isEmpty();
        assertThat(r.repliesCompared()).isEqualTo(5);
        assertThat(r.ambiguous()).extracting(AmbiguousStep::line, AmbiguousStep::kind, AmbiguousStep::replay)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(4L, "TX_CONTEXT",
                        "sent in tx 17 (the parser's guess; target tx 1)"));
    }

    @Test
    void aWrongTransactionGuessShowsAsPossiblyDueToTheAmbiguity() throws Exception {
        // the READ at line 6 was sent outside the transaction (ENOENT: the write is not committed); the trace
        // cannot tell, the parser guesses "inside", and the replay's READ finds the value
        Path t = file("guess.log",
                "CREATE connection 0x1",
                in("0x1", "TRANSACTION_START ( )"),
                out("0x1", "TRANSACTION_START (1 )"),
                in("0x1", "WRITE (/t/x v)"),
                out("0x1", "WRITE (OK )"),
                in("0x1", "READ (/t/x )"),
                out("0x1", "ERROR (ENOENT )"),
                "DESTROY connection 0x1");
        ReplayReport r = sim(t);
        assertThat(r.divergences()).singleElement().satisfies(d -> {
            assertThat(d.ambiguityLines()).containsExactly(4L, 6L);
            assertThat(d.message()).isEqualTo("guess.log:7: READ /t/x on 0x1 (request at line 6): expected ERROR "
                    + "ENOENT, got READ \"v\" (possibly due to ambiguity at lines 4, 6)");
        });
        assertThat(r.ambiguous()).extracting(AmbiguousStep::kind).containsExactly("TX_CONTEXT", "TX_CONTEXT");
    }

    @Test
    void spacesThatMayBeNulsCompareEitherWayAndAreReported() throws Exception {
        Path t = file("nul.log",
                "CREATE connection 0x1",
                in("0x1", "WRITE (/t/x a b)"),
                out("0x1", "WRITE (OK )"),
                in("0x1", "READ (/t/x )"),
                out("0x1", "READ (a b)"),
                "DESTROY connection 0x1");
        ReplayReport r = sim(t);
        assertThat(r.clean()).isTrue();
        assertThat(r.ambiguous()).extracting(AmbiguousStep::line, AmbiguousStep::replay).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2L, "sent with spaces (the parser's choice)"),
                org.assertj.core.groups.Tuple.tuple(5L, "compared treating each shown space as space or NUL"));
        assertThat(TraceReplayer.matches("a b".getBytes(), org.xenpv.xenstore.trace.Payload.Fidelity.SPACE_OR_NUL,
                new byte[] {'a', 0, 'b'})).isTrue();
        assertThat(TraceReplayer.matches("a b".getBytes(), org.xenpv.xenstore.trace.Payload.Fidelity.EXACT,
                new byte[] {'a', 0, 'b'})).isFalse();
    }

    @Test
    void unansweredRequestsAndRepliesWithoutRequestAreAmbiguousNotDivergent() throws Exception {
        Path t = file("cut.log",
                out("0x1", "ERROR (ENOENT )"),
                in("0x1", "READ (/tool )"));
        ReplayReport r = sim(t);
        assertThat(r.clean()).isTrue();
        assertThat(r.ambiguous()).extracting(AmbiguousStep::kind, AmbiguousStep::replay).containsExactly(
                org.assertj.core.groups.Tuple.tuple("REPLY_WITHOUT_REQUEST", "not compared (no request to compare with)"),
                org.assertj.core.groups.Tuple.tuple("REQUEST_NOT_ANSWERED", "the target answered READ \"\"; not compared"));
        assertThat(r.notes()).anyMatch(n -> n.contains("connection 0x1 appears at line 2 without being opened"));
    }

    @Test
    void expectedDeviationsAreSeparateAndStaleOnesFail() throws Exception {
        Path t = file("exp.log",
                "CREATE connection 0x1",
                in("0x1", "READ (/tool )"),
                out("0x1", "ERROR (ENOENT )"),
                in("0x1", "READ (/tool )"),
                out("0x1", "READ ()"),
                "DESTROY connection 0x1");
        ReplayExpectations e = new ReplayExpectations(null, null,
                java.util.Map.of(2L, "the original daemon had no /tool", 5L, "stale"));
        ReplayReport r = sim(t, ReplayOptions.DEFAULT.withExpectations(e));
        assertThat(r.expectedDeviations()).singleElement().satisfies(d -> {
            assertThat(d.line()).isEqualTo(3);
            assertThat(d.deviation()).isEqualTo("the original daemon had no /tool");
        });
        assertThat(r.divergences()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Divergence.Kind.EXPECTATION_NOT_MET);
            assertThat(d.message()).startsWith("exp.log:5: expected deviation on - did not happen: expected a "
                    + "deviation (stale), got none");
        });
    }

    @Test
    void expectationsFileSyntax() throws Exception {
        Path f = file("x.log.replay", "# c", "domains 0, 5 7", "initial s.dump", "expect 12 because # of this", "");
        ReplayExpectations e = ReplayExpectations.parse(f);
        assertThat(e.domains()).containsExactly(0, 5, 7);
        assertThat(e.initial()).isEqualTo(dir.resolve("s.dump"));
        assertThat(e.expected()).containsEntry(12L, "because # of this");
        assertThat(ReplayExpectations.forTrace(dir.resolve("x.log")).domains()).containsExactly(0, 5, 7);
        Path bad = file("b.replay", "domains 0", "expect x y");
        assertThatThrownBy(() -> ReplayExpectations.parse(bad)).isInstanceOf(ReplayInputException.class)
                .hasMessage(bad + ":2: expect: 'x' is no line number: \"expect x y\"");
        Path bad2 = file("c.replay", "frobnicate 1");
        assertThatThrownBy(() -> ReplayExpectations.parse(bad2)).hasMessageContaining(":1: unknown directive 'frobnicate'");
    }

    @Test
    void domainConnectionsAreReplayedAsUnprivilegedRings() throws Exception {
        // oxenstored names domain connections D<domid>; dom5's write to a dom0 node is refused
        Path t = file("d.log",
                "[20261124T13:51:00.000Z]  A1           write     /local/domain/5/x 1",
                "[20261124T13:51:00.100Z]  A1           setperms  /local/domain/5 n5 r0 ",
                "[20261124T13:51:00.200Z]  D5           write     /local/domain/5/y 2",
                "[20261124T13:51:00.300Z]  D5           write     /tool/z 3",
                "[20261124T13:51:00.300Z]  D5           error     EACCES ");
        ReplayReport r = sim(t);
        assertThat(r.divergences()).isEmpty();
        assertThat(r.repliesCompared()).isEqualTo(4);
        assertThat(r.notes()).anyMatch(n -> n.contains("connection D5 appears at line 3") && n.contains("domain 5's ring"));
    }

    @Test
    void cxenstored419LinesWithDomidsAndSplitWrites() throws Exception {
        // 4.19+: io:/obj: prefixes, (d<domid>) per message, OUT(START) + OUT(END) for a split write
        Path t = file("419.log",
                "obj: CREATE connection 0x1",
                "io: IN 0x1 (d0)" + T + "WRITE (/local/domain/7/x v)",
                "io: OUT(END) 0x1 (d0)" + T + "WRITE (OK )",
                "io: IN 0x1 (d0)" + T + "SET_PERMS (/local/domain/7/x n7 )",
                "io: OUT(END) 0x1 (d0)" + T + "SET_PERMS (OK )",
                "io: IN 0x2 (d7)" + T + "READ (x )",
                "io: OUT(START) 0x2 (d7)" + T + "READ (v)",
                "io: OUT(END) 0x2 (d7)" + T + "READ (v)",
                "io: IN 0x2 (d7)" + T + "WRITE (/tool/x no)",
                "io: OUT(END) 0x2 (d7)" + T + "ERROR (EACCES )",
                "obj: DESTROY connection 0x1");
        ReplayReport r = sim(t);
        assertThat(r.divergences()).isEmpty();
        assertThat(r.repliesCompared()).isEqualTo(4);
        assertThat(r.notes()).anyMatch(n -> n.startsWith("connection 0x2 appears at line 6") && n.contains("domain 7"));
    }

    /** JSON lines converted from another format follow that format's rules: same replay, lines shifted by the header. */
    @Test
    void convertedTracesReplayLikeTheirSource() throws Exception {
        for (String sample : List.of("cxenstored-4.17-trace.sample.log", "oxenstored-4.17-access.sample.log")) {
            Path src = CommittedTracesTest.SAMPLES.resolve(sample);
            Path js = dir.resolve(sample + ".jsonl");
            try (org.xenpv.xenstore.trace.TraceReader r = org.xenpv.xenstore.trace.TraceReader.open(src, TraceOptions.DEFAULT);
                 java.io.OutputStream o = Files.newOutputStream(js);
                 org.xenpv.xenstore.trace.TraceWriter w = org.xenpv.xenstore.trace.TraceWriter.of(
                         org.xenpv.xenstore.trace.TraceFormat.JSONL, o, r.format(), r.variant())) {
                while (r.hasNext()) {
                    w.write(r.next());
                }
            }
            ReplayReport a = sim(src);
            ReplayReport b = sim(js);
            assertThat(b.divergenceCount()).isEqualTo(a.divergenceCount()).isPositive();
            assertThat(b.repliesCompared()).isEqualTo(a.repliesCompared());
            assertThat(b.eventsCompared()).isEqualTo(a.eventsCompared());
            assertThat(b.divergences()).extracting(Divergence::kind).isEqualTo(a.divergences().stream()
                    .map(Divergence::kind).toList());
        }
    }

    @Test
    void overASocketDomainConnectionsAreSkippedWithAClearMessage() throws Exception {
        Path t = file("ring.log",
                "CREATE connection 0x1",
                in("0x1", "INTRODUCE (5 0 7 )"),
                "CREATE connection 0x2",
                out("0x1", "INTRODUCE (OK )"),
                in("0x2", "READ (domid )"),
                out("0x2", "ERROR (EACCES )"),
                "DESTROY connection 0x1");
        ReplayReport sim = sim(t);
        assertThat(sim.clean()).isTrue();
        assertThat(sim.repliesCompared()).isEqualTo(2);
        try (SimTarget s = SimTarget.fresh(); SocketLike socket = new SocketLike(s)) {
            ReplayReport r = TraceReplay.replay(t, socket, ReplayOptions.DEFAULT, TraceOptions.DEFAULT);
            assertThat(r.clean()).isTrue();
            assertThat(r.repliesCompared()).isEqualTo(1);
            assertThat(r.skipped()).extracting(SkippedStep::message).containsExactly(
                    "line 5: READ domid on 0x2: domain 5 connection: not replayable against socket-like (socket "
                            + "clients are dom0)",
                    "line 6: ERROR reply on 0x2: domain 5 connection: not replayable against socket-like (socket "
                            + "clients are dom0)");
            assertThat(r.notes()).anyMatch(n -> n.startsWith("connection 0x2 (line 3) is domain 5's ring: its steps "
                    + "are skipped"));
        }
    }

    @Test
    void aConnectionTheTargetRefusesIsADivergenceAndAnUnreachableTargetAnError() throws Exception {
        Path t = file("refuse.log",
                "CREATE connection 0x1",
                "CREATE connection 0x2",
                in("0x2", "READ (/tool )"),
                out("0x2", "READ ()"),
                "DESTROY connection 0x2",
                "DESTROY connection 0x1");
        try (SimTarget s = SimTarget.fresh()) {
            ReplayReport r = TraceReplay.replay(t, new Refusing(s, 1), ReplayOptions.DEFAULT, TraceOptions.DEFAULT);
            assertThat(r.divergences()).extracting(Divergence::message).containsExactly(
                    "refuse.log:2: opening connection 0x2: expected a connection, got refused");
            assertThat(r.skipped()).extracting(SkippedStep::line).containsExactly(3L, 4L);
            assertThatThrownBy(() -> TraceReplay.replay(t, new Refusing(s, 0), ReplayOptions.DEFAULT,
                    TraceOptions.DEFAULT)).isInstanceOf(IOException.class)
                    .hasMessage("socket-like is unreachable: refused");
        }
    }

    /** Accepts {@code accept} connections, then refuses. */
    private static final class Refusing implements ReplayTarget {
        private final SocketLike inner;
        private int left;

        Refusing(SimTarget sim, int accept) {
            this.inner = new SocketLike(sim);
            this.left = accept;
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public Duration waitTime() {
            return Duration.ZERO;
        }

        @Override
        public XsConnection openSocket(String name) throws IOException {
            if (left-- <= 0) {
                throw new IOException("refused");
            }
            return inner.openSocket(name);
        }

        @Override
        public XsConnection domainConnection(int domid, String name) {
            return inner.domainConnection(domid, name);
        }

        @Override
        public boolean supportsDomains() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    /** A target with only socket clients, like {@link SocketTarget}, in process. */
    private record SocketLike(SimTarget sim) implements ReplayTarget {
        @Override
        public String describe() {
            return "socket-like";
        }

        @Override
        public Duration waitTime() {
            return Duration.ZERO;
        }

        @Override
        public XsConnection openSocket(String name) {
            return sim.openSocket(name);
        }

        @Override
        public XsConnection domainConnection(int domid, String name) {
            throw new UnsupportedOperationException("no domains");
        }

        @Override
        public boolean supportsDomains() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void initialStateIsCreatedBeforeTheReplay() throws Exception {
        Path t = file("init.log",
                "CREATE connection 0x1",
                in("0x1", "READ (/vm/name )"),
                out("0x1", "READ (guest)"),
                in("0x1", "GET_PERMS (/vm/name )"),
                out("0x1", "GET_PERMS (n5 r0 )"),
                "DESTROY connection 0x1");
        assertThat(sim(t).divergenceCount()).isEqualTo(2);
        List<DumpEntry> dump = XenstoreDump.parse(List.of("/vm = \"\"   (n0)", "/vm/name = \"guest\"   (n5,r0)"), "d");
        ReplayReport r = sim(t, ReplayOptions.DEFAULT.withInitial(dump));
        assertThat(r.clean()).isTrue();
        assertThat(r.notes()).anyMatch(n -> n.startsWith("started from an initial state of 2 nodes"));
        try (SimTarget only0 = new SimTarget(ReplayPlatform.only(Set.of(0)))) {
            assertThatThrownBy(() -> TraceReplay.replay(t, only0, ReplayOptions.DEFAULT.withInitial(dump),
                    TraceOptions.DEFAULT)).isInstanceOf(ReplayInputException.class)
                    .hasMessage("d:2: creating the initial state: SET_PERMS /vm/name [n5, r0] failed on sim "
                            + "(in-process xenpv daemon, cxenstored 4.17 semantics; domains [0]): ENOENT");
        }
    }
}
