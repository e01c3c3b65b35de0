package org.xenpv.core.evtchn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;

/**
 * Senders and receivers on different real threads (concurrent kernel): no notification may be lost
 * and every pending bit must be consumed exactly once, for both ABIs. No timing is asserted.
 */
class ConcurrentEvtchnTest {

    private static final int SENDERS = 4;
    private static final int SENDS = 5_000;
    private static final int ROUND_TRIPS = 3_000;

    private static void setUp(Domain guest, EvtchnAbi abi) {
        if (abi == EvtchnAbi.FIFO) {
            guest.evtchn().initControl(0x10, 0, 0);
            guest.evtchn().expandArray(0x11);
        }
    }

    @ParameterizedTest
    @EnumSource(EvtchnAbi.class)
    void pingPongWithSendAndPollFromTwoThreadsLosesNothing(EvtchnAbi abi) {
        try (Kernel kernel = Kernel.concurrent()) {
            kernel.log().setEnabled(false);
            Platform platform = new Platform(kernel);
            Domain dom0 = platform.dom0();
            Domain guest = platform.createDomain("guest");
            setUp(guest, abi);
            int g = guest.evtchn().allocUnbound(0);
            int b = dom0.evtchn().bindInterdomain(guest.domid(), g);
            dom0.evtchn().testAndClearPending(b);
            Actor front = kernel.spawn("front", () -> {
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    guest.evtchn().send(g);
                    guest.evtchn().poll(g);
                    guest.evtchn().testAndClearPending(g);
                }
            });
            Actor back = kernel.spawn("back", () -> {
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    dom0.evtchn().poll(b);
                    dom0.evtchn().testAndClearPending(b);
                    dom0.evtchn().send(b);
                }
            });
            kernel.runUntil(() -> front.finished() && back.finished(), Duration.ofSeconds(60));
            assertThat(guest.evtchn().counters(g).sent()).isEqualTo(ROUND_TRIPS);
            assertThat(dom0.evtchn().counters(b).sent()).isEqualTo(ROUND_TRIPS);
            // +1: bind_interdomain notified the new port itself.
            assertThat(dom0.evtchn().counters(b).delivered()).isEqualTo(ROUND_TRIPS + 1);
            assertThat(guest.evtchn().counters(g).delivered()).isEqualTo(ROUND_TRIPS);
        }
    }

    @ParameterizedTest
    @EnumSource(EvtchnAbi.class)
    void concurrentSendersToOneDomainAreEachHandledOncePerDelivery(EvtchnAbi abi) {
        try (Kernel kernel = Kernel.concurrent()) {
            kernel.log().setEnabled(false);
            Platform platform = new Platform(kernel);
            Domain dom0 = platform.dom0();
            Domain guest = platform.createDomain("guest");
            setUp(guest, abi);
            int[] gports = new int[SENDERS];
            int[] bports = new int[SENDERS];
            for (int i = 0; i < SENDERS; i++) {
                gports[i] = guest.evtchn().allocUnbound(0);
                bports[i] = dom0.evtchn().bindInterdomain(guest.domid(), gports[i]);
            }
            AtomicLongArray handled = new AtomicLongArray(64);
            List<Actor> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                int port = bports[i];
                senders.add(kernel.spawn("sender-" + i, () -> {
                    for (int n = 0; n < SENDS; n++) {
                        dom0.evtchn().send(port);
                    }
                }));
            }
            Actor irq = kernel.spawn("guest-irq", () -> {
                while (!senders.stream().allMatch(Actor::finished) || guest.upcall().pending()) {
                    guest.upcall().await(Duration.ofMillis(1));
                    guest.evtchn().dispatch(0, p -> handled.incrementAndGet(p));
                }
            });
            kernel.runUntil(irq::finished, Duration.ofSeconds(60));
            for (int i = 0; i < SENDERS; i++) {
                PortCounters c = guest.evtchn().counters(gports[i]);
                assertThat(c.delivered() + c.coalesced()).as("port " + gports[i]).isEqualTo(SENDS);
                assertThat(handled.get(gports[i])).as("handled on port " + gports[i]).isEqualTo(c.delivered());
                assertThat(guest.evtchn().pending(gports[i])).isFalse();
            }
        }
    }
}
