package org.xenpv.xenstore.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xenpv.xenstore.trace.Traces.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.wire.XsType;

/**
 * The two shared samples parse without lenient mode, and their statistics match counts made by hand
 * with grep (the command is given next to each number).
 */
class SampleTracesTest {

    @Test
    void cxenstoredSampleStatsMatchHandCounts() {
        List<TraceRecord> rs = readFile(CX_SAMPLE, TraceOptions.DEFAULT);
        TraceStats s = stats(rs);
        assertThat(s.requests()).isEqualTo(62);                      // grep -c '^IN '
        assertThat(s.replies() + s.events()).isEqualTo(72);          // grep -c '^OUT '
        assertThat(s.events()).isEqualTo(10);                        // grep -c '^OUT .* WATCH_EVENT ('
        assertThat(s.pairedReplies()).isEqualTo(62);
        assertThat(s.errors()).isEqualTo(Map.of("EAGAIN", 2L, "EBUSY", 1L, "EEXIST", 1L, "EINVAL", 9L,
                "ENOENT", 10L, "ENOSYS", 3L));                       // grep -o 'ERROR ([A-Z0-9]*' | uniq -c
        assertThat(s.requestsByType()).containsEntry("READ", 12L).containsEntry("WRITE", 12L)
                .containsEntry("WATCH", 7L).containsEntry("TRANSACTION_END", 4L).containsEntry("TRANSACTION_START", 3L)
                .containsEntry("DIRECTORY_PART", 3L).containsEntry("?", 2L).containsEntry("WATCH_EVENT", 1L)
                .containsEntry("CONTROL", 1L).hasSize(18);           // grep '^IN ' | awk '{print $5}' | uniq -c
        assertThat(s.requestsByConnection().get("0x5650885cbb70").values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(50);
        assertThat(s.requestsByConnection().get("0x5650885cbc80").values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(12);
        assertThat(s.txStarted()).isEqualTo(2);                      // TRANSACTION_START (1 ), (2 )
        assertThat(s.txEagain()).isEqualTo(2);
        assertThat(s.txCommitted()).isZero();
        assertThat(s.txEndErrors()).isEqualTo(Map.of("EINVAL", 1L, "ENOENT", 1L));
        assertThat(s.connectionsOpened()).isEqualTo(4);              // grep -c '^CREATE connection'
        assertThat(s.connectionsClosed()).isEqualTo(3);              // grep -c '^DESTROY connection'
        assertThat(s.connectionsIgnored()).isEqualTo(1);
        assertThat(s.markers()).isEqualTo(1);
        assertThat(s.noise()).isEqualTo(Map.of("wrl", 3L, "check_store", 2L));
        assertThat(s.watchFanOut()).isEqualTo(Map.of("0x5650885cbc80 /t tokA", 5L, "0x5650885cbc80 rel tokR", 2L,
                "0x5650885cbc80 /t/x/y/z tokC", 1L, "0x5650885cbc80 @introduceDomain ti", 1L,
                "0x5650885cbc80 @releaseDomain tr", 1L));
        assertThat(s.ambiguities()).isEqualTo(Map.of("tx_context", 3L, "type_not_recorded", 2L,
                "payload_space_or_nul", 1L));
        assertThat(only(rs, WatchCreate.class)).hasSize(5);          // grep -c '^CREATE watch'
        assertThat(only(rs, WatchDestroy.class)).allSatisfy(w -> assertThat(w.conn()).isEqualTo("0x5650885cbc80"));
    }

    @Test
    void cxenstoredSampleReconstruction() {
        List<TraceRecord> rs = readFile(CX_SAMPLE, TraceOptions.DEFAULT);
        Request control = request(rs, 143);
        assertThat(control.payload()).isEqualTo(p("help\0"));
        Reply help = reply(rs, 144);
        assertThat(help.request()).isSameAs(control);
        assertThat(help.payload().text()).startsWith("check\t\nlog\ton|off\nlive-update\t").endsWith("help\t\n\0")
                .contains("\n    Default timeout is 60 seconds.\n");
        assertThat(help.payload().fidelity()).isEqualTo(Payload.Fidelity.SPACE_OR_NUL);
        Request big = request(rs, 163);
        assertThat(big.payload().length()).isEqualTo(4096);
        assertThat(reply(rs, 166).payload().length()).isEqualTo(4089);
        assertThat(request(rs, 161).payload()).isEqualTo(p("/t"));           // READ (/t): no NUL
        assertThat(request(rs, 159).payload()).isEqualTo(p("/t/nonul"));
        assertThat(request(rs, 155).payload()).isEqualTo(p("/t/empty\0"));
        assertThat(request(rs, 59).type()).isEqualTo(Message.UNKNOWN_TYPE);
        // TRANSACTION_START inside tx 1 answered EBUSY, the TRANSACTION_END answered EAGAIN: both tx 1.
        assertThat(request(rs, 75).tx()).isEqualTo(TxContext.inferred(1));
        assertThat(request(rs, 86).tx()).isEqualTo(TxContext.inferred(1));
        assertThat(request(rs, 96).tx()).isEqualTo(TxContext.inferred(2));
        assertThat(request(rs, 101).tx()).isEqualTo(TxContext.NONE_INFERRED); // ENOENT: no open tx
        assertThat(request(rs, 79).tx()).isEqualTo(TxContext.ambiguous(1));
        TransactionDestroy d = only(rs, TransactionDestroy.class).get(0);
        assertThat(d.conn()).isEqualTo("0x5650885cbb70");
        assertThat(d.txId()).hasValue(1);
        // own write watch event comes before the WRITE reply in cxenstored; pairing is unaffected
        assertThat(reply(rs, 85).request().line()).isEqualTo(83);
        assertThat(only(rs, ConnectionIgnored.class).get(0).reasonName()).isEqualTo("XENSTORE_ERROR_PROTO");
    }

    @Test
    void oxenstoredSampleStatsMatchHandCounts() {
        List<TraceRecord> rs = readFile(OX_SAMPLE, TraceOptions.DEFAULT);
        TraceStats s = stats(rs);
        assertThat(s.events()).isEqualTo(14);                        // grep -c ' w event ' minus line 32's request
        assertThat(s.requests()).isEqualTo(43);                      // op lines (42) + client WATCH_EVENT (line 32)
        assertThat(s.errors()).isEqualTo(Map.of("E2BIG", 1L, "EAGAIN", 1L, "EBUSY", 1L, "EEXIST", 1L,
                "EINVAL", 10L, "EIO", 1L, "ENOSYS", 6L));            // grep -o 'error     [A-Z0-9]*' | uniq -c
        assertThat(s.replies()).isEqualTo(21);
        assertThat(s.requestsByType()).containsEntry("WRITE", 15L).containsEntry("?", 5L)  // 'invalid'
                .containsEntry("WATCH", 7L).containsEntry("CONTROL", 1L);
        assertThat(s.txCommitted()).isEqualTo(1);                    // r(3):A5.4 commit
        assertThat(s.txReplayed()).isEqualTo(1);
        assertThat(s.txEagain()).isEqualTo(1);                       // A5.1 conflict, error EAGAIN
        assertThat(s.connectionsOpened()).isEqualTo(2);              // grep -c newconn
        assertThat(s.connectionsClosed()).isEqualTo(3);              // grep -c endconn
        assertThat(s.noise()).isEqualTo(Map.of("watch_not_fired", 1L));
        assertThat(s.watchFanOut()).containsEntry("A6 /t tokA", 8L).containsEntry("A6 /t/x/y/z tokC", 2L);
        assertThat(s.ambiguities()).containsEntry("payload_truncated", 1L).containsEntry("type_not_recorded", 5L);
        List<ReplayedOp> replayed = only(rs, ReplayedOp.class);
        assertThat(replayed).hasSize(1);
        assertThat(replayed.get(0)).extracting(ReplayedOp::conn, ReplayedOp::originalTx, ReplayedOp::replayTx)
                .containsExactly("A5", 3L, 4L);
        Request w = request(rs, 32);
        assertThat(w.type()).isEqualTo(XsType.WATCH_EVENT.code());
        assertThat(reply(rs, 33).request()).isSameAs(w);
        Request big = request(rs, 79);
        assertThat(big.payload().fidelity()).isEqualTo(Payload.Fidelity.TRUNCATED);
        assertThat(big.payload().text()).startsWith("/t/big\0aaa");
        assertThat(request(rs, 85).tx()).isEqualTo(TxContext.recorded(3));
    }

    static Request request(List<TraceRecord> rs, long line) {
        return only(rs, Request.class).stream().filter(r -> r.line() == line).findFirst().orElseThrow();
    }

    static Reply reply(List<TraceRecord> rs, long line) {
        return only(rs, Reply.class).stream().filter(r -> r.line() == line).findFirst().orElseThrow();
    }
}
