package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.ring.console.ConsoleRing;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.console.ConsoleBackend;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.console.Console;
import org.xenpv.xenbus.console.ConsoleLog;
import org.xenpv.xenbus.console.ConsoleWakeup;
import org.xenpv.xenbus.debug.Debug;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.gnttab.GnttabClient;
import org.xenpv.xenbus.log.LogLevel;
import org.xenpv.xenbus.log.XenbusLog;
import org.xenpv.xenbus.memory.GuestFrames;

/**
 * XENBUS's CONSOLE v1 interface and its log disposition against a simulated xenconsoled
 * (windows-pv-drivers.md §1.8 "Logging", §1.3 "Ring GFNs", §1.5).
 */
@Tag("xenbus")
@Tag("console")
class XenbusConsoleConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.8";

    /** The guest's XENBUS pieces the console needs, acquired in the FDO's order. */
    private record Guest(Domain domain, EvtchnClient evtchn, XenbusLog log, Debug debug, Console console) {
        static Guest of(Kernel kernel, Domain d) {
            GuestFrames frames = new GuestFrames(Vm.of(d));
            EvtchnClient evtchn = new EvtchnClient(frames.vm(), frames, EvtchnClient.Options.DEFAULT);
            evtchn.acquire();
            GnttabClient gnttab = new GnttabClient(frames.vm(), frames);
            gnttab.acquire();
            XenbusLog log = new XenbusLog("d" + d.domid() + " XENBUS");
            Debug debug = new Debug(evtchn.vm(), evtchn, log);
            return new Guest(d, evtchn, log, debug, new Console(evtchn.vm(), evtchn, gnttab, debug));
        }

        void close() {
            if (console.references() > 0) {
                console.release();
            }
            evtchn.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.5)
    @Checks(id = "XENBUS-CONSOLE-1", ref = REF)
    @DisplayName("CONSOLE Write copies what fits without blocking and sends an event only when bytes moved; xenconsoled gets every byte in order" + " (" + REF + ")")
    void partialWritesReachTheBackendInOrder(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("cons");
        Guest guest = Guest.of(kernel, platform.domain(g.domid()));
        ConsoleBackend backend = ConsoleBackend.of(platform, g);
        assertThat(guest.console().acquire()).isTrue();
        assertThat(guest.console().ringGfn()).as("from grant entry 0").isEqualTo(g.consoleGfn());
        StringBuilder sent = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            sent.append("line ").append(i).append(" of the boot log\r\n");
        }
        byte[] all = bytes(sent.toString());
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger moved = new AtomicInteger();
        Actor writer = kernel.spawn("d" + g.domid() + "/xencons", () -> {
            int off = 0;
            while (off < all.length) {
                int n = guest.console().write(all, off, Math.min(700, all.length - off));
                calls.incrementAndGet();
                if (n > 0) {
                    moved.incrementAndGet();
                    off += n;
                } else {
                    kernel.sleep(Duration.ofMillis(1)); // the ring is full: come back later, never block in Write
                }
            }
        });
        kernel.runUntil(() -> writer.finished() && backend.output().length() == all.length, Duration.ofSeconds(30));
        assertThat(writer.failure()).isEmpty();
        assertThat(all.length).as("more than the 2048-byte ring: partial writes happened").isGreaterThan(ConsoleRing.OUT_SIZE);
        assertThat(backend.output()).isEqualTo(sent.toString());
        assertThat(guest.console().sends()).as("one event per Write that moved bytes").isEqualTo(moved.get());
        assertThat(calls.get()).isGreaterThanOrEqualTo(moved.get());
        assertThat(backend.broken()).isEmpty();
        backend.close();
        guest.close();
    }

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-CONSOLE-2", ref = REF)
    @DisplayName("Input from xenconsoled wakes the CONSOLE wakeups; Read copies what is there and acknowledges with an event" + " (" + REF + ")")
    void inputWakesAndReadAcknowledges(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("cons");
        Guest guest = Guest.of(kernel, platform.domain(g.domid()));
        ConsoleBackend backend = ConsoleBackend.of(platform, g);
        guest.console().acquire();
        var wake = kernel.waitQueue("xencons wake");
        AtomicInteger wakes = new AtomicInteger();
        ConsoleWakeup w = guest.console().wakeupAdd("xencons", () -> {
            wakes.incrementAndGet();
            wake.wakeAll();
        });
        String typed = "administrator\r" + "p".repeat(1500) + "\r"; // more than in[1024]
        StringBuilder got = new StringBuilder();
        Actor reader = kernel.spawn("d" + g.domid() + "/xencons", () -> {
            byte[] buf = new byte[300];
            while (got.length() < typed.length()) {
                int n = guest.console().read(buf, 0, buf.length);
                if (n == 0) {
                    int seen = wakes.get();
                    wake.await(() -> wakes.get() != seen || guest.console().canRead());
                }
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        });
        backend.input(typed);
        kernel.runUntil(reader::finished, Duration.ofSeconds(30));
        assertThat(reader.failure()).isEmpty();
        assertThat(got.toString()).isEqualTo(typed);
        assertThat(wakes.get()).isPositive();
        assertThat(backend.notifications()).as("Read's events let the backend refill in[]").isPositive();
        assertThat(backend.inputPending()).isZero();
        guest.console().wakeupRemove(w);
        backend.close();
        guest.close();
    }

    @XenpvTest
    @Checks(id = "XENBUS-CONSOLE-3", ref = "windows-pv-drivers.md §1.5 / §1.8")
    @DisplayName("On resume CONSOLE re-opens its FIXED channel on the new HVM_PARAM_CONSOLE_EVTCHN, after EVTCHN's reset; output still reaches xenconsoled" + " (" + "windows-pv-drivers.md §1.5 / §1.8" + ")")
    void resumeReopensTheChannel(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("cons");
        Domain d = platform.domain(g.domid());
        Guest guest = Guest.of(kernel, d);
        ConsoleBackend backend = ConsoleBackend.of(platform, g);
        guest.console().acquire();
        guest.evtchn().suspendEarly();
        guest.console().suspendEarly();
        guest.evtchn().resumeLate();
        guest.console().resumeLate();
        int port = (int) d.hvmParam(HvmParam.CONSOLE_EVTCHN);
        assertThat(guest.console().port()).isEqualTo(port);
        assertThat(guest.evtchn().channel(port)).as("an open FIXED channel on the new port").isNotNull();
        Actor writer = kernel.spawn("d" + g.domid() + "/xencons", () -> guest.console().write(bytes("after resume\r\n")));
        kernel.runUntil(() -> writer.finished() && backend.output().equals("after resume\r\n"), Duration.ofSeconds(10));
        assertThat(backend.notifications()).isPositive();
        backend.close();
        guest.close();
    }

    @XenpvTest
    @Checks(id = "XENBUS-CONSOLE-4", ref = REF)
    @DisplayName("The driver log reaches the PV console only with ConsoleLogLevel != 0; \\n becomes \\r\\n and what does not fit is dropped and counted" + " (" + REF + ")")
    void consoleLogging(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("cons");
        Guest guest = Guest.of(kernel, platform.domain(g.domid()));
        ConsoleBackend backend = ConsoleBackend.of(platform, g);
        guest.console().acquire();
        ConsoleLog off = new ConsoleLog(kernel, guest.log(), guest.console(), LogLevel.NONE);
        assertThat(off.attach()).as("ConsoleLogLevel = 0 by default").isFalse();
        Actor a = kernel.spawn("d" + g.domid() + "/fdo", () -> guest.log().log(LogLevel.CRITICAL, "not on the console\n"));
        kernel.runUntil(a::finished, Duration.ofSeconds(5));
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(backend.output()).isEmpty();

        ConsoleLog on = new ConsoleLog(kernel, guest.log(), guest.console(), LogLevel.mask(LogLevel.INFO, LogLevel.ERROR));
        assertThat(on.attach()).isTrue();
        Actor b = kernel.spawn("d" + g.domid() + "/fdo", () -> {
            guest.log().log(LogLevel.INFO, "XENBUS|FDO: D3->D0\nXENBUS|FDO: ok\n");
            guest.log().log(LogLevel.TRACE, "not in the mask\n");
        });
        String expect = "XENBUS|FDO: D3->D0\r\nXENBUS|FDO: ok\r\n";
        kernel.runUntil(() -> b.finished() && backend.output().length() == expect.length(), Duration.ofSeconds(5));
        assertThat(backend.output()).isEqualTo(expect);

        // Flood with xenconsoled not draining: fill the ring from the guest in one actor step.
        backend.close();
        String line = "x".repeat(254) + "\n"; // 256 bytes on the console
        Actor flood = kernel.spawn("d" + g.domid() + "/fdo", () -> {
            for (int i = 0; i < 10; i++) {
                guest.log().log(LogLevel.INFO, line);
            }
        });
        kernel.runUntil(flood::finished, Duration.ofSeconds(5));
        long room = ConsoleRing.OUT_SIZE; // the backend had drained everything before it stopped
        assertThat(on.bytesWritten()).isEqualTo(expect.length() + room);
        assertThat(on.bytesDropped()).as("8 lines fit, 2 are dropped").isEqualTo(10 * 256 - room);
        assertThat(on.messagesDropped()).isEqualTo(2);
        on.detach();
        guest.close();
    }

    @XenpvTest
    @Checks(id = "XENBUS-CONSOLE-5", ref = REF)
    @DisplayName("Broken console indices are caught at both ends: CONSOLE moves nothing and counts it, xenconsoled closes the console with a clear error" + " (" + REF + ")")
    void brokenIndicesCaughtByBothEnds(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("cons");
        Domain d = platform.domain(g.domid());
        Guest guest = Guest.of(kernel, d);
        ConsoleBackend backend = ConsoleBackend.of(platform, g);
        guest.console().acquire();
        ConsoleRing raw = new ConsoleRing(d.memory().page(g.consoleGfn()));
        // A hostile backend claims 4 KiB of input in a 1 KiB ring: the guest must not read past in[].
        raw.in().setProd(raw.in().cons() + 4096);
        int[] n = {-1};
        Actor reader = kernel.spawn("d" + g.domid() + "/xencons", () -> n[0] = guest.console().read(new byte[64], 0, 64));
        kernel.runUntil(reader::finished, Duration.ofSeconds(5));
        assertThat(reader.failure()).isEmpty();
        assertThat(n[0]).isZero();
        assertThat(guest.console().faults()).isEqualTo(1);
        assertThat(guest.console().lastFault()).get().asString().contains("console in").contains("> ring size 1024");
        // A guest that breaks out[] makes xenconsoled give up on it (XSA-376), without an escaping exception.
        raw.out().setProd(raw.out().cons() + ConsoleRing.OUT_SIZE + 16);
        d.evtchn().send((int) d.hvmParam(HvmParam.CONSOLE_EVTCHN));
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(backend.broken()).get().asString().contains("d" + g.domid() + " console out: illegal ring indices");
        backend.close();
        guest.close();
    }

    @XenpvTest
    @Checks(id = "XENBUS-CONSOLE-6", ref = REF)
    @DisplayName("Without HVM_PARAM_CONSOLE_EVTCHN the PV console is skipped: Acquire fails softly and the log stays off the console" + " (" + REF + ")")
    void noConsoleEvtchnSkipsTheConsole(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("cons");
        Domain d = platform.domain(g.domid());
        d.setHvmParam(HvmParam.CONSOLE_EVTCHN, 0);
        Guest guest = Guest.of(kernel, d);
        assertThat(guest.console().acquire()).isFalse();
        assertThat(guest.console().enabled()).isFalse();
        assertThat(new ConsoleLog(kernel, guest.log(), guest.console(), LogLevel.INFO.mask()).attach()).isFalse();
        d.setHvmParam(HvmParam.CONSOLE_EVTCHN, g.consolePort()); // the toolstack's port, for its leak filter
        guest.close();
    }
}
