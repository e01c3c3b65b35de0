package org.xenpv.core.evtchn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.DeadlockException;
import org.xenpv.core.sim.Kernel;

/** {@code SCHEDOP_poll}: blocking on the deterministic kernel until a port is pending or time passes. */
class PollTest {

    private final Kernel kernel = Kernel.deterministic(4);
    private final Platform platform = new Platform(kernel);
    private final Domain dom0 = platform.dom0();
    private final Domain guest = platform.createDomain("guest");
    private final int gport = guest.evtchn().allocUnbound(0);
    private final int bport = dom0.evtchn().bindInterdomain(guest.domid(), gport);

    @AfterEach
    void close() {
        kernel.close();
    }

    @Test
    void pollReturnsAtOnceWhenThePortIsAlreadyPending() {
        // bind_interdomain left dom0's port pending; no actor needed.
        assertThat(dom0.evtchn().poll(bport, Duration.ofSeconds(1))).isTrue();
        dom0.evtchn().testAndClearPending(bport);
        assertThat(dom0.evtchn().poll(bport, Duration.ZERO)).isFalse();
    }

    @Test
    void pollBlocksUntilThePeerSends() {
        dom0.evtchn().testAndClearPending(bport);
        AtomicBoolean got = new AtomicBoolean();
        AtomicLong at = new AtomicLong(-1);
        kernel.spawn("backend", () -> {
            got.set(dom0.evtchn().poll(bport, Duration.ofSeconds(5)));
            at.set(kernel.nanoTime());
        });
        kernel.spawn("frontend", () -> {
            kernel.sleep(Duration.ofMillis(3));
            guest.evtchn().send(gport);
        });
        kernel.runUntilIdle(Duration.ofSeconds(10));
        assertThat(got).isTrue();
        assertThat(at.get()).isEqualTo(Duration.ofMillis(3).toNanos());
    }

    @Test
    void pollTimesOutOnTheKernelClock() {
        dom0.evtchn().testAndClearPending(bport);
        AtomicBoolean got = new AtomicBoolean(true);
        AtomicLong at = new AtomicLong(-1);
        kernel.spawn("backend", () -> {
            got.set(dom0.evtchn().poll(bport, Duration.ofMillis(250)));
            at.set(kernel.nanoTime());
        });
        kernel.runUntilIdle(Duration.ofSeconds(10));
        assertThat(got).isFalse();
        assertThat(at.get()).isEqualTo(Duration.ofMillis(250).toNanos());
    }

    @Test
    void aMaskedPortStillEndsThePoll() {
        guest.evtchn().mask(gport);
        AtomicBoolean got = new AtomicBoolean();
        kernel.spawn("guest-poll", () -> got.set(guest.evtchn().poll(gport, Duration.ofSeconds(1))));
        kernel.spawn("backend", () -> dom0.evtchn().send(bport));
        kernel.runUntilIdle(Duration.ofSeconds(10));
        assertThat(got).isTrue();
        assertThat(guest.upcall().pending()).isFalse();
    }

    @Test
    void pollOnSeveralPortsReturnsThePendingOne() {
        int ipi = dom0.evtchn().bindIpi(0);
        dom0.evtchn().testAndClearPending(bport);
        AtomicInteger which = new AtomicInteger(-2);
        kernel.spawn("backend", () -> which.set(dom0.evtchn().poll(new int[] {bport, ipi}, Duration.ofSeconds(1))));
        kernel.spawn("kick", () -> dom0.evtchn().send(ipi));
        kernel.runUntilIdle(Duration.ofSeconds(10));
        assertThat(which).hasValue(ipi);
        assertThat(dom0.evtchn().poll(new int[] {bport}, Duration.ZERO)).isEqualTo(-1);
    }

    @Test
    void pollRejectsTooManyPortsAndPortsOutsideTheAbi() {
        assertThatThrownBy(() -> dom0.evtchn().poll(new int[EventChannels.MAX_POLL_PORTS + 1], Duration.ZERO))
                .isInstanceOfSatisfying(EvtchnException.class, e -> assertThat(e.rc()).isEqualTo(-Errno.EINVAL));
        assertThatThrownBy(() -> dom0.evtchn().poll(4096, Duration.ZERO))
                .isInstanceOfSatisfying(EvtchnException.class, e -> assertThat(e.rc()).isEqualTo(-Errno.EINVAL));
    }

    @Test
    void aPollNobodyAnswersIsReportedAsADeadlockNamingTheWait() {
        dom0.evtchn().testAndClearPending(bport);
        kernel.spawn("backend", () -> dom0.evtchn().poll(bport));
        assertThatThrownBy(() -> kernel.runUntil(() -> false))
                .isInstanceOf(DeadlockException.class)
                .hasMessageContaining("backend waiting on 'd0 SCHEDOP_poll'");
    }
}
