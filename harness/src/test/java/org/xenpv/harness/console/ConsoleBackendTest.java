package org.xenpv.harness.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.ring.console.ConsoleRing;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;

class ConsoleBackendTest {

    private final Kernel kernel = Kernel.create(KernelConfig.deterministic(7).withPreemption(0.3));
    private final Platform platform = new Platform(kernel);
    private final Domain guest = platform.createDomain("guest");
    private final long gfn = guest.memory().maxPages() - 3;
    private final ConsoleRing ring = new ConsoleRing(guest.memory().page(gfn));
    private int guestPort;
    private int dom0Port;

    @AfterEach
    void close() {
        kernel.close();
    }

    private ConsoleBackend backend() {
        guest.grantTable().permit(GrantTable.RESERVED_CONSOLE, 0, gfn, false);
        guestPort = platform.dom0().evtchn().allocUnbound(guest.domid(), 0);
        dom0Port = platform.dom0().evtchn().bindInterdomain(guest.domid(), guestPort);
        return new ConsoleBackend(kernel, platform, guest.domid(), dom0Port);
    }

    private void guestWrites(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(ring.out().write(b, 0, b.length)).isEqualTo(b.length);
        guest.evtchn().send(guestPort);
    }

    @Test
    void readsTheGuestsOutputAcrossTheWrapAndFeedsInput() {
        ConsoleBackend be = backend();
        // Start near the u32 wrap: indices are free-running.
        ring.out().setCons(-5);
        ring.out().setProd(-5);
        guestWrites("Windows boot\r\n");
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(be.output()).isEqualTo("Windows boot\r\n");
        assertThat(ring.out().cons()).isEqualTo(-5 + 14);
        String big = "z".repeat(1500);
        guestWrites(big.substring(0, 1000));
        guestWrites(big.substring(1000));
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(be.output()).isEqualTo("Windows boot\r\n" + big);
        assertThat(be.notifications()).isBetween(2L, 3L);

        be.input("x".repeat(1100) + "tail");
        assertThat(be.inputPending()).as("in[] holds 1024").isEqualTo(1104 - ConsoleRing.IN_SIZE);
        assertThat(guest.evtchn().testAndClearPending(guestPort)).isTrue();
        byte[] got = new byte[2048];
        int n = ring.in().read(got, 0, got.length);
        guest.evtchn().send(guestPort);
        kernel.runUntilIdle(Duration.ofSeconds(5));
        n += ring.in().read(got, n, got.length - n);
        assertThat(new String(got, 0, n, StandardCharsets.ISO_8859_1)).isEqualTo("x".repeat(1100) + "tail");
        assertThat(be.inputPending()).isZero();
        assertThat(be.broken()).isEmpty();
        be.close();
        assertThat(platform.dom0().grants().mappings()).isEmpty();
    }

    @Test
    void aGuestThatBreaksTheIndicesGetsItsConsoleClosedWithAClearErrorAndNoException() {
        ConsoleBackend be = backend();
        guestWrites("ok");
        kernel.runUntilIdle(Duration.ofSeconds(5));
        ring.out().setProd(ring.out().cons() + ConsoleRing.OUT_SIZE + 1);
        guest.evtchn().send(guestPort);
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(be.broken()).get().asString().startsWith("d1 console out: ").contains("illegal ring indices")
                .contains("> ring size 2048");
        assertThat(be.output()).isEqualTo("ok");
        be.input("ignored");
        assertThat(ring.in().available()).as("a broken console gets no input").isZero();
        be.close();
    }
}
