package org.xenpv.core.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xenpv.core.evtchn.EvtchnAbi;
import org.xenpv.core.evtchn.PortCounters;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;

/**
 * A frontend actor in a guest and a backend actor in dom0 set up a channel (alloc_unbound, a
 * published port, bind_interdomain) and exchange events (send, upcall + dispatch on the guest side,
 * poll on the backend side) on the deterministic kernel: the run completes, counts add up, and the
 * same seed gives the same event log byte for byte.
 */
class DeterministicExchangeTest {

    private static final int ROUNDS = 50;
    private static final Duration SERVICE_TIME = Duration.ofNanos(10_000);

    private record Result(String log, long endNanos, PortCounters front, PortCounters back, int handled) { }

    private static Result run(long seed, EvtchnAbi abi) {
        try (Kernel kernel = Kernel.deterministic(seed)) {
            Platform platform = new Platform(kernel);
            Domain dom0 = platform.dom0();
            Domain guest = platform.createDomain("guest");
            WaitQueue store = kernel.waitQueue("store: device/evtchn/0/port");
            int[] published = {0};
            int[] backPort = {0};
            AtomicInteger handled = new AtomicInteger();
            kernel.spawn("d1/frontend", () -> {
                if (abi == EvtchnAbi.FIFO) {
                    guest.evtchn().initControl(0x100, 0, 0);
                    guest.evtchn().expandArray(0x101);
                }
                int port = guest.evtchn().allocUnbound(0);
                published[0] = port;
                store.wakeAll();
                for (int i = 0; i < ROUNDS; i++) {
                    guest.evtchn().send(port);
                    int before = handled.get();
                    while (handled.get() == before) {
                        guest.upcall().await();
                        guest.evtchn().dispatch(0, p -> {
                            if (p == port) {
                                handled.incrementAndGet();
                            }
                        });
                    }
                }
            });
            kernel.spawn("d0/backend", () -> {
                store.await(() -> published[0] != 0);
                int port = dom0.evtchn().bindInterdomain(guest.domid(), published[0]);
                backPort[0] = port;
                for (int i = 0; i < ROUNDS; i++) {
                    while (!dom0.evtchn().testAndClearPending(port)) {
                        dom0.evtchn().poll(port);
                    }
                    kernel.sleep(SERVICE_TIME);
                    dom0.evtchn().send(port);
                }
            });
            kernel.runUntilIdle(Duration.ofSeconds(10));
            Result r = new Result(kernel.log().toText(), kernel.nanoTime(), guest.evtchn().counters(published[0]),
                    dom0.evtchn().counters(backPort[0]), handled.get());
            guest.evtchn().close(published[0]);
            dom0.evtchn().close(backPort[0]);
            LeakCheck.assertNoLeaks(platform);
            return r;
        }
    }

    @ParameterizedTest
    @EnumSource(EvtchnAbi.class)
    void frontendAndBackendExchangeEventsAndTheRunIsReproducible(EvtchnAbi abi) {
        Result a = run(42, abi);
        assertThat(a.handled()).isEqualTo(ROUNDS);
        assertThat(a.front().sent()).isEqualTo(ROUNDS);
        assertThat(a.back().sent()).isEqualTo(ROUNDS);
        assertThat(a.front().delivered()).isEqualTo(ROUNDS);
        // A first send that beat the bind was dropped by the unbound port, and the bind's own notification
        // stands in for it; otherwise the bind's notification comes on top.
        assertThat(a.back().delivered() + a.back().coalesced()).isIn((long) ROUNDS, (long) ROUNDS + 1);
        assertThat(a.endNanos()).isEqualTo(ROUNDS * SERVICE_TIME.toNanos());
        assertThat(a.log()).contains("evtchn bind d0 port 1 interdomain <-> d1 port 1",
                "evtchn send d1 port 1 -> d0 port 1", "evtchn deliver d1 port 1 upcall");

        Result again = run(42, abi);
        assertThat(again.log()).isEqualTo(a.log());

        Result other = run(7, abi);
        assertThat(other.handled()).isEqualTo(ROUNDS);
        assertThat(other.endNanos()).isEqualTo(a.endNanos());
    }
}
