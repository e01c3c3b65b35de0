package org.xenpv.core.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.EventLog;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.console.ConsoleRing;
import org.xenpv.core.ring.xs.XenstoreRing;

class ByteRingTest {

    @Test
    void writesUpToTheFreeSpaceAndReadsWhatIsThere() {
        XenstoreRing x = new XenstoreRing(new Page());
        byte[] big = new byte[1500];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        assertThat(x.req().space()).isEqualTo(1024);
        assertThat(x.req().write(big, 0, big.length)).isEqualTo(1024);
        assertThat(x.req().write(big, 0, 1)).as("full").isZero();
        byte[] out = new byte[2000];
        assertThat(x.req().read(out, 0, 100)).isEqualTo(100);
        assertThat(x.req().available()).isEqualTo(924);
        assertThat(x.req().write(big, 1024, 476)).isEqualTo(100);
        assertThat(x.req().read(out, 100, 2000 - 100)).isEqualTo(1024);
        for (int i = 0; i < 1124; i++) {
            assertThat(out[i]).isEqualTo((byte) i);
        }
        assertThat(x.req().read(out, 0, 10)).as("empty").isZero();
        assertThat(x.rsp().available()).isZero();
    }

    @Test
    void indicesWrapAt2To32() {
        ConsoleRing c = new ConsoleRing(new Page());
        c.out().setCons(0xFFFFFF00);
        c.out().setProd(0xFFFFFF00);
        byte[] msg = "login: ".repeat(100).getBytes(StandardCharsets.US_ASCII);
        assertThat(c.out().write(msg, 0, msg.length)).isEqualTo(msg.length);
        assertThat(c.out().prod()).isEqualTo(0xFFFFFF00 + msg.length);
        byte[] got = new byte[msg.length];
        assertThat(c.out().read(got, 0, got.length)).isEqualTo(msg.length);
        assertThat(got).isEqualTo(msg);
        assertThat(c.out().mask(c.out().prod())).isEqualTo((0xFFFFFF00 + msg.length) & 2047);
    }

    @Test
    void illegalIndicesAreReportedWithBothValues() {
        Page page = new Page();
        ConsoleRing c = new ConsoleRing(page);
        page.putInt(ConsoleRing.IN_PROD, 5000);
        page.putInt(ConsoleRing.IN_CONS, 10);
        assertThat(c.check()).hasValueSatisfying(f -> assertThat(f.toString())
                .isEqualTo("console in: illegal ring indices prod=5000 cons=10 (prod - cons = 4990 > ring size 1024)"));
        assertThatThrownBy(() -> c.in().read(new byte[10], 0, 10)).isInstanceOf(RingIndexException.class)
                .hasMessageContaining("illegal ring indices prod=5000 cons=10");
        // cons ahead of prod is just as illegal: the distance is taken modulo 2^32
        page.putInt(ConsoleRing.IN_PROD, 10);
        page.putInt(ConsoleRing.IN_CONS, 11);
        assertThatThrownBy(c.in()::available).hasMessageContaining("prod - cons = 4294967295");
        page.putInt(ConsoleRing.IN_CONS, 10 - 1024);
        assertThat(c.in().available()).as("exactly full is legal").isEqualTo(1024);
        assertThat(c.toString()).contains("console in cons=4294966282 prod=10 unread 1024");
    }

    @Test
    void xenstoreGuestNeverWritesPastAHostileConsumer() {
        Page page = new Page();
        XenstoreRing x = new XenstoreRing(page);
        page.putInt(XenstoreRing.REQ_CONS, 0x7000);
        page.putInt(XenstoreRing.REQ_PROD, 0x10);
        assertThatThrownBy(() -> x.req().write(new byte[4], 0, 4)).isInstanceOf(RingIndexException.class)
                .hasMessageStartingWith("xenstore req: illegal ring indices prod=16 cons=28672");
        assertThat(page.getInt(XenstoreRing.REQ_PROD)).as("nothing published").isEqualTo(0x10);
        assertThat(x.check()).isPresent();
    }

    @Test
    void serverFieldsAreWhereTheHeaderSays() {
        Page page = new Page();
        XenstoreRing x = new XenstoreRing(page);
        x.setServerFeatures(XenstoreRing.SERVER_FEATURE_RECONNECTION | XenstoreRing.SERVER_FEATURE_ERROR);
        x.setConnection(XenstoreRing.RECONNECT);
        x.setError(XenstoreRing.ERROR_RINGIDX);
        assertThat(page.getInt(2064)).isEqualTo(3);
        assertThat(page.getInt(2068)).isEqualTo(1);
        assertThat(page.getInt(2072)).isEqualTo(2);
        assertThat(x.toString()).contains("server_features=3 connection=1 error=2");
    }

    @Test
    void faultsAreLoggedWithAKernel() {
        EventLog log = new EventLog(() -> 0L, () -> "-", 100);
        Page page = new Page();
        XenstoreRing x = new XenstoreRing(page, FrontBackRingTest.countingKernel(new java.util.concurrent.atomic.AtomicInteger(), log));
        page.putInt(XenstoreRing.RSP_PROD, 2000);
        assertThatThrownBy(() -> x.rsp().read(new byte[1], 0, 1)).isInstanceOf(RingIndexException.class);
        assertThat(log.entries()).extracting(e -> e.event()).containsExactly(new Event.Fault("ring xenstore rsp",
                "illegal ring indices prod=2000 cons=0 (prod - cons = 2000 > ring size 1024)"));
        assertThat(List.of(x.req().size(), x.rsp().size())).containsExactly(1024, 1024);
    }
}
