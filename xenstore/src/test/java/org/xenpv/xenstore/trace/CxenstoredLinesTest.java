package org.xenpv.xenstore.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xenpv.xenstore.trace.Traces.*;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.wire.XsType;

/** Every cxenstored line kind (4.17, 4.18+, 4.19+), and the payload reconstruction rules. */
class CxenstoredLinesTest {

    private static final String T = " 20261124 13:57:43 ";

    private static TraceRecord one(String line) {
        List<TraceRecord> rs = read(line + "\n", TraceOptions.DEFAULT.withFormat(TraceFormat.CXENSTORED)
                .withReconstruct(false));
        assertThat(rs).hasSize(1);
        return rs.get(0);
    }

    @Test
    void markerWithAndWithoutBlankLine() {
        assertThat(cx("\n***\n")).containsExactly(new Marker(2, true));
        assertThat(cx("***\n")).containsExactly(new Marker(1, false));
        assertThat(cx("\n\n***\n")).containsExactly(new Noise(1, Noise.Kind.BLANK, Payload.EMPTY, true),
                new Marker(3, true));
    }

    @Test
    void objectLines417And418() {
        assertThat(one("CREATE connection 0x1")).isEqualTo(new ConnectionOpen(1, "0x1", OptionalInt.empty(), TraceTime.NONE));
        assertThat(one("DESTROY connection 0x1")).isEqualTo(new ConnectionClose(1, "0x1", TraceTime.NONE));
        assertThat(one("CREATE watch 0x2")).isEqualTo(new WatchCreate(1, null, "0x2", null, null));
        assertThat(one("DESTROY watch 0x2")).isEqualTo(new WatchDestroy(1, null, "0x2", null, null));
        assertThat(one("DESTROY transaction 0x3")).isInstanceOf(TransactionDestroy.class);
        assertThat(one("obj: CREATE transaction 0x3")).isInstanceOf(TransactionCreate.class);
        assertThat(one("obj: CREATE connection 0x1")).isInstanceOf(ConnectionOpen.class);
        assertThat(one("CONN 0x5571bcf44b70 ignored, reason 2")).isEqualTo(new ConnectionIgnored(1, "0x5571bcf44b70", 2));
    }

    @Test
    void noiseLines() {
        assertThat(((Noise) one("wrl: dom    0      0  msec      10000 credit      -10000 reserve          0 discard")).kind())
                .isEqualTo(Noise.Kind.WRL);
        assertThat(((Noise) one("Checking store ...")).kind()).isEqualTo(Noise.Kind.CHECK_STORE);
        assertThat(((Noise) one("Checking store complete.")).kind()).isEqualTo(Noise.Kind.CHECK_STORE);
        assertThat(((Noise) one("TDB: tdb_open failed")).kind()).isEqualTo(Noise.Kind.TDB);
        assertThat(((Noise) one("tdb: store /a size 12")).kind()).isEqualTo(Noise.Kind.TDB);
        assertThat(((Noise) one("acc: local change domid 1: what=0 1 add 1")).kind()).isEqualTo(Noise.Kind.ACC);
        assertThat(((Noise) one("Stalling connection 0x55")).kind()).isEqualTo(Noise.Kind.FLOW);
        assertThat(((Noise) one("Delaying transaction start for connection 0x55 req_id 7")).kind())
                .isEqualTo(Noise.Kind.FLOW);
        assertThat(((Noise) one("watch event path /a for domain 3 timed out")).kind()).isEqualTo(Noise.Kind.FLOW);
        assertThat(((Noise) one("orphaned node /x deleted")).kind()).isEqualTo(Noise.Kind.ORPHAN);
        assertThat(((Noise) one("dropping duplicate watch /a t for domain 1")).kind()).isEqualTo(Noise.Kind.LOG);
        assertThat(((Noise) one("wrl: dom    0      0  msec")).text()).isEqualTo("wrl: dom    0      0  msec");
    }

    @Test
    void gluedControlOutputIsSplit() {
        // daemon mode: xprintf("control: %s", cmd) has no newline, the next trace line follows on the same line
        List<TraceRecord> rs = read("control: helpOUT 0x1" + T + "CONTROL (OK )\n",
                TraceOptions.DEFAULT.withFormat(TraceFormat.CXENSTORED).withReconstruct(false));
        assertThat(rs).hasSize(2);
        assertThat(rs.get(0)).isEqualTo(new Noise(1, Noise.Kind.LOG, p("control: help"), false));
        assertThat(rs.get(1)).isInstanceOf(Reply.class);
        assertThat(((Reply) rs.get(1)).payload()).isEqualTo(p("OK\0"));
    }

    @Test
    void ioLines417() {
        Request q = (Request) one("IN 0x1" + T + "WRITE (/t/x a b)");
        assertThat(q.conn()).isEqualTo("0x1");
        assertThat(q.type()).isEqualTo(XsType.WRITE.code());
        assertThat(q.payload()).isEqualTo(Payload.utf8("/t/x\0a b").withFidelity(Payload.Fidelity.SPACE_OR_NUL));
        assertThat(q.time().wall()).hasToString("2026-11-24T13:57:43");
        assertThat(q.domid()).isEmpty();
        assertThat(q.reqId()).isEmpty();
        assertThat(((Reply) one("OUT 0x1" + T + "READ (a b)")).payload().fidelity())
                .isEqualTo(Payload.Fidelity.SPACE_OR_NUL);
        assertThat(((Reply) one("OUT 0x1" + T + "DIRECTORY (a b )")).payload()).isEqualTo(p("a\0b\0"));
        assertThat(((Request) one("IN 0x1" + T + "SET_PERMS (/t n0 r5 )")).payload()).isEqualTo(p("/t\0n0\0r5\0"));
        assertThat(((Request) one("IN 0x1" + T + "INTRODUCE (3 1234 5 )")).payload()).isEqualTo(p("3\0001234\0005\0"));
        assertThat(((Request) one("IN 0x1" + T + "WATCH (/t tok )")).payload()).isEqualTo(p("/t\0tok\0"));
        assertThat(((Request) one("IN 0x1" + T + "READ (/t )")).payload()).isEqualTo(p("/t\0"));
        assertThat(((Request) one("IN 0x1" + T + "READ (/t)")).payload()).isEqualTo(p("/t"));
        assertThat(((Request) one("IN 0x1" + T + "WRITE (/t  lead)")).payload()).isEqualTo(
                Payload.utf8("/t\0 lead").withFidelity(Payload.Fidelity.SPACE_OR_NUL));
        assertThat(((Request) one("IN 0x1" + T + "**UNKNOWN** ( )")).type()).isEqualTo(Message.UNKNOWN_TYPE);
        assertThat(((Request) one("IN 0x1" + T + "DEBUG (print x )")).type()).isEqualTo(XsType.CONTROL.code());
        assertThat(one("OUT 0x1" + T + "WATCH_EVENT (/t tok )")).isInstanceOf(WatchEvent.class);
        assertThat(one("IN 0x1" + T + "WATCH_EVENT (/t tok )")).isInstanceOf(Request.class);
        assertThat(((Reply) one("OUT 0x1" + T + "TRANSACTION_START (1 )")).payload()).isEqualTo(p("1\0"));
    }

    @Test
    void ioLines418And419() {
        Request q = (Request) one("io: IN 0x1" + T + "READ (/t )");
        assertThat(q.payload()).isEqualTo(p("/t\0"));
        Request d = (Request) one("io: IN 0x1 (d3)" + T + "READ (/t )");
        assertThat(d.domid()).isEqualTo(OptionalInt.of(3));
        Reply end = (Reply) one("io: OUT(END) 0x1 (d0)" + T + "READ (v)");
        assertThat(end.writeFailed()).isFalse();
        assertThat(end.payload()).isEqualTo(p("v"));
        Reply err = (Reply) one("io: OUT(ERR) 0x1 (d0)" + T + "READ (v)");
        assertThat(err.writeFailed()).isTrue();
        Noise start = (Noise) one("io: OUT(START) 0x1 (d0)" + T + "READ (v)");
        assertThat(start.kind()).isEqualTo(Noise.Kind.OUT_START);
        List<TraceRecord> rs = read("io: IN 0x1 (d0)" + T + "READ (/t )\n", TraceOptions.DEFAULT);
        assertThat(rs).hasSize(2);
    }

    @Test
    void multiLinePayloadWithParenthesisInside() {
        List<TraceRecord> rs = cx("IN 0x1" + T + "WRITE (/t a)\nb\nc)\nOUT 0x1" + T + "WRITE (OK )\n");
        Request q = only(rs, Request.class).get(0);
        assertThat(q.payload().text()).isEqualTo("/t\0a)\nb\nc");
        assertThat(only(rs, Reply.class).get(0).request()).isSameAs(q);
    }

    @Test
    void veryLongLine() {
        String v = "x".repeat(4089);
        Request q = (Request) one("IN 0x1" + T + "WRITE (/t/big " + v + ")");
        assertThat(q.payload().length()).isEqualTo(4096);
    }

    @Test
    void binarySafePayloadBytes() {
        byte[] line = ("IN 0x1" + T + "WRITE (/t \u00ff\u00fe)\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Request q = (Request) read(line, TraceOptions.DEFAULT).get(0);
        assertThat(q.payload().bytes()).containsExactly('/', 't', 0, 0xff - 256, 0xfe - 256);
    }
}
