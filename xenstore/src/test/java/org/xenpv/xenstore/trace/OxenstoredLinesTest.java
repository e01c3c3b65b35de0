package org.xenpv.xenstore.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xenpv.xenstore.trace.Traces.*;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.wire.XsType;

/** Every oxenstored access-log operation keyword, connection forms, escapes and the 180-char cut. */
class OxenstoredLinesTest {

    private static final String D = "[20261124T13:51:00.705Z]  ";

    private static String line(String tid, String op, String data) {
        return D + String.format("%-12s", tid) + " " + String.format("%-9s", op) + " " + data;
    }

    private static TraceRecord one(String tid, String op, String data) {
        List<TraceRecord> rs = read(line(tid, op, data) + "\n",
                TraceOptions.DEFAULT.withFormat(TraceFormat.OXENSTORED).withReconstruct(false));
        assertThat(rs).hasSize(1);
        return rs.get(0);
    }

    private static int type(String op, String data) {
        return ((Request) one("A5", op, data)).type();
    }

    @Test
    void requestOperations() {
        assertThat(type("write", "/t v")).isEqualTo(XsType.WRITE.code());
        assertThat(type("mkdir", "/t ")).isEqualTo(XsType.MKDIR.code());
        assertThat(type("rm", "/t ")).isEqualTo(XsType.RM.code());
        assertThat(type("setperms", "/t n0 ")).isEqualTo(XsType.SET_PERMS.code());
        assertThat(type("watch", "/t tok ")).isEqualTo(XsType.WATCH.code());
        assertThat(type("unwatch", "/t tok ")).isEqualTo(XsType.UNWATCH.code());
        assertThat(type("debug", "help ")).isEqualTo(XsType.CONTROL.code());
        assertThat(type("directory", "/t ")).isEqualTo(XsType.DIRECTORY.code());
        assertThat(type("read", "/t ")).isEqualTo(XsType.READ.code());
        assertThat(type("getperms", "/t ")).isEqualTo(XsType.GET_PERMS.code());
        assertThat(type("introduce", "3 1234 5 ")).isEqualTo(XsType.INTRODUCE.code());
        assertThat(type("release", "3 ")).isEqualTo(XsType.RELEASE.code());
        assertThat(type("getdomain", "7 ")).isEqualTo(XsType.GET_DOMAIN_PATH.code());
        assertThat(type("is introduced", "0 ")).isEqualTo(XsType.IS_DOMAIN_INTRODUCED.code());
        assertThat(type("resume", "3 ")).isEqualTo(XsType.RESUME.code());
        assertThat(type("settarget", "3 4 ")).isEqualTo(XsType.SET_TARGET.code());
        assertThat(type("reset watches", " ")).isEqualTo(XsType.RESET_WATCHES.code());
        assertThat(type("invalid", "/t 0 ")).isEqualTo(Message.UNKNOWN_TYPE);
        assertThat(((Request) one("A5", "write", "/t a b")).payload())
                .isEqualTo(Payload.utf8("/t\0a b").withFidelity(Payload.Fidelity.SPACE_OR_NUL));
    }

    @Test
    void answersAndEvents() {
        Reply e = (Reply) one("A5.12345", "error", "EIO ");
        assertThat(e.payload()).isEqualTo(p("EIO\0"));
        assertThat(e.tx()).isEqualTo(TxContext.recorded(12345));
        WatchEvent w = (WatchEvent) one("A6", "w event", "/t tokA ");
        assertThat(w.path()).isEqualTo("/t");
        assertThat(w.token()).isEqualTo("tokA");
        Noise n = (Noise) one("A6", "w notfired", "EPERM perms=[] path=/t/x/y/z");
        assertThat(n.kind()).isEqualTo(Noise.Kind.WATCH_NOT_FIRED);
    }

    @Test
    void clientSentWatchEventIsARequestWhenAnsweredEnosys() {
        List<TraceRecord> rs = ox(line("A5", "w event", "/x t ") + "\n" + line("A5", "error", "ENOSYS ") + "\n");
        assertThat(rs.get(0)).isInstanceOf(Request.class);
        assertThat(((Reply) rs.get(1)).request()).isSameAs(rs.get(0));
    }

    @Test
    void connectionsAndTransactions() {
        assertThat(one("A1", "newconn", "")).isEqualTo(new ConnectionOpen(1, "A1", OptionalInt.empty(),
                TraceTime.utc(java.time.LocalDateTime.parse("2026-11-24T13:51:00.705"))));
        assertThat(one("A1", "endconn", "")).isInstanceOf(ConnectionClose.class);
        assertThat(((ConnectionOpen) one("D3", "newconn", "")).domid()).isEqualTo(OptionalInt.of(3));
        assertThat(((Request) one("D3.7", "write", "/a b")).domid()).isEqualTo(OptionalInt.of(3));
        TransactionOutcome c = (TransactionOutcome) one("r(3):A5.4", "commit", "");
        assertThat(c.replayOf()).isEqualTo(OptionalLong.of(3));
        assertThat(c.txId()).isEqualTo(4);
        assertThat(((TransactionOutcome) one("A5.1", "conflict", "")).outcome())
                .isEqualTo(TransactionOutcome.Outcome.CONFLICT);
        TransactionOutcome co = (TransactionOutcome) one("A5.2", "coalesce", "write /t/x");
        assertThat(co.outcome()).isEqualTo(TransactionOutcome.Outcome.COALESCE);
        assertThat(co.detail()).isEqualTo("write /t/x");
        assertThat(one("A5.2", "t start", "")).isEqualTo(new TransactionCreate(1, "A5", OptionalLong.of(2), null));
        assertThat(one("A5.2", "t end", "")).isEqualTo(new TransactionDestroy(1, "A5", OptionalLong.of(2), null));
        ReplayedOp r = (ReplayedOp) one("r(3):A5.4", "write", "/t/r x");
        assertThat(r.payload()).isEqualTo(p("/t/r\0x"));
        assertThat(one("=======>", "debug", "hello")).isInstanceOf(Noise.class);
        assertThat(one("", "debug", "Live update begin")).isInstanceOf(Noise.class);
    }

    @Test
    void escapesAndCut() {
        Request q = (Request) one("A5", "write", "/t a\\tb\\\\c\\\"d\\n\\255");
        assertThat(q.payload().bytes()).containsExactly('/', 't', 0, 'a', '\t', 'b', '\\', 'c', '"', 'd', '\n', -1);
        String l = line("A5", "write", "/t/big ") ;
        String cut = l + "a".repeat(OxenstoredParser.CUT_LENGTH - l.length() - 2) + "..";
        assertThat(cut).hasSize(179);
        Request big = (Request) ox(cut + "\n").get(0);
        assertThat(big.payload().fidelity()).isEqualTo(Payload.Fidelity.TRUNCATED);
        assertThat(big.payload().text()).doesNotContain("..").startsWith("/t/big\0aaa");
        String cutEscape = l + "a".repeat(OxenstoredParser.CUT_LENGTH - l.length() - 4) + "\\1..";
        assertThat(((Request) ox(cutEscape + "\n").get(0)).payload().text()).endsWith("a");
    }
}
