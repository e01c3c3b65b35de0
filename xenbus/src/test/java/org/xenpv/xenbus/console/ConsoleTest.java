package org.xenpv.xenbus.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.ring.console.ConsoleRing;

class ConsoleTest {

    private ConsoleWorld w;

    @AfterEach
    void close() {
        if (w != null) {
            w.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void writeIsNonBlockingAndPartialAndSendsOnlyWhenBytesMoved() {
        w = new ConsoleWorld(1, 0, true);
        assertThat(w.console.acquire()).isTrue();
        assertThat(w.console.ringGfn()).as("from grant entry 0").isEqualTo(w.gfn);
        assertThat(w.console.port()).isEqualTo((int) w.guest.hvmParam(HvmParam.CONSOLE_EVTCHN));
        w.dom0Kicked();
        int[] n = new int[4];
        w.run(() -> n[0] = w.console.write(bytes("hello")));
        assertThat(n[0]).isEqualTo(5);
        assertThat(w.dom0Kicked()).isTrue();
        assertThat(w.drain()).isEqualTo("hello");
        byte[] big = new byte[3000];
        Arrays.fill(big, (byte) 'x');
        w.run(() -> {
            n[1] = w.console.write(big);
            n[2] = w.console.write(big);
        });
        assertThat(n[1]).as("what fits in out[2048]").isEqualTo(ConsoleRing.OUT_SIZE);
        assertThat(n[2]).isZero();
        assertThat(w.console.sends()).as("no event for the write that moved nothing").isEqualTo(2);
        assertThat(w.console.canWrite()).isFalse();
        byte[] part = new byte[100];
        w.dom0Ring.out().read(part, 0, 100);
        w.run(() -> n[3] = w.console.write(big, 0, 200));
        assertThat(n[3]).isEqualTo(100);
        assertThat(w.console.sends()).isEqualTo(3);
        assertThat(w.console.faults()).isZero();
        w.console.release();
        w.evtchn.close();
    }

    @Test
    void inputWakesTheWakeupsAndReadAcknowledgesWithAnEvent() {
        w = new ConsoleWorld(2, 0, true);
        w.console.acquire();
        int[] wakes = {0};
        ConsoleWakeup wk = w.console.wakeupAdd("xencons", () -> wakes[0]++);
        byte[] in = bytes("ls -l\r");
        w.dom0Ring.in().write(in, 0, in.length);
        w.platform.dom0().evtchn().send(w.dom0Port);
        w.kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(wakes[0]).isEqualTo(1);
        assertThat(w.console.events()).isEqualTo(1);
        assertThat(w.console.canRead()).isTrue();
        w.dom0Kicked();
        byte[] buf = new byte[8];
        int[] n = new int[2];
        w.run(() -> {
            n[0] = w.console.read(buf, 0, 4);
            n[1] = w.console.read(buf, 4, 4);
        });
        assertThat(n[0]).isEqualTo(4);
        assertThat(n[1]).as("what is left").isEqualTo(2);
        assertThat(new String(buf, 0, 6, StandardCharsets.ISO_8859_1)).isEqualTo("ls -l\r");
        assertThat(w.dom0Kicked()).isTrue();
        assertThat(w.console.canRead()).isFalse();
        assertThatThrownBy(w.console::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OUTSTANDING WAKEUPS").hasMessageContaining("xencons");
        w.console.wakeupRemove(wk);
        w.console.release();
        w.evtchn.close();
    }

    @Test
    void brokenIndicesFromTheBackendMoveNothingAndAreReportedNotThrown() {
        w = new ConsoleWorld(3, 0, true);
        w.console.acquire();
        w.dom0Ring.out().setProd(w.dom0Ring.out().cons() + 4096);
        int[] n = {-1};
        w.run(() -> n[0] = w.console.write(bytes("x")));
        assertThat(n[0]).isZero();
        assertThat(w.console.canWrite()).isFalse();
        assertThat(w.console.faults()).isEqualTo(2);
        assertThat(w.console.lastFault()).get().extracting(f -> f.message()).asString()
                .contains("illegal ring indices").contains("> ring size 2048");
        w.console.release();
        w.evtchn.close();
    }

    @Test
    void withoutConsoleEvtchnTheConsoleIsSkipped() {
        w = new ConsoleWorld(4, 0, false);
        assertThat(w.console.acquire()).isFalse();
        assertThat(w.console.enabled()).isFalse();
        assertThat(w.console.references()).isZero();
        assertThatThrownBy(() -> w.console.write(bytes("x"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without Acquire");
        w.evtchn.close();
    }

    @Test
    void resumeLateReopensTheChannelOnTheNewConsoleEvtchn() {
        w = new ConsoleWorld(5, 0, true);
        w.console.acquire();
        int before = w.console.port();
        w.evtchn.suspendEarly();
        w.console.suspendEarly();
        int[] n = new int[2];
        w.run(() -> n[0] = w.console.write(bytes("lost?")));
        assertThat(w.console.sends()).as("inactive channel: the write lands but no event goes").isZero();
        w.evtchn.resumeLate();
        w.console.resumeLate();
        int after = (int) w.guest.hvmParam(HvmParam.CONSOLE_EVTCHN);
        assertThat(w.console.port()).isEqualTo(after);
        assertThat(w.evtchn.channel(after)).isNotNull();
        w.dom0Kicked();
        w.run(() -> n[1] = w.console.write(bytes("!")));
        assertThat(w.dom0Kicked()).isTrue();
        assertThat(w.drain()).isEqualTo("lost?!");
        assertThat(before).isPositive();
        w.console.release();
        w.evtchn.close();
    }

    @Test
    void theConsolesDebugCallbackDumpsItsRing() {
        w = new ConsoleWorld(6, 0, true);
        w.console.acquire();
        w.run(() -> w.console.write(bytes("abc")));
        w.debug.trigger();
        assertThat(w.log).contains("XENBUS|CONSOLE: out_cons = 00000000 out_prod = 00000003\n",
                "XENBUS|CONSOLE: Events = 0 Dpcs = 1\n");
        w.console.release();
        assertThat(w.debug.prefixes()).isEmpty();
        w.evtchn.close();
    }
}
