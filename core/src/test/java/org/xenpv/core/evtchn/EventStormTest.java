package org.xenpv.core.evtchn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;

/** Injected event storms (XSA-391): accounting of deliveries, coalescing, upcalls and spurious wake-ups. */
class EventStormTest {

    private final Kernel kernel = Kernel.deterministic(5);
    private final Platform platform = new Platform(kernel);
    private final Domain dom0 = platform.dom0();
    private final Domain guest = platform.createDomain("guest");
    private final int gport = guest.evtchn().allocUnbound(0);
    private final int bport = dom0.evtchn().bindInterdomain(guest.domid(), gport);

    @AfterEach
    void close() {
        kernel.close();
    }

    /** The guest's interrupt actor: waits for the upcall, dispatches, reports empty wake-ups. */
    private AtomicInteger consumer(Actor[] storm) {
        AtomicInteger handled = new AtomicInteger();
        kernel.spawn("guest-irq", () -> {
            while (true) {
                guest.upcall().queue().await(() -> guest.upcall().pending() || storm[0].finished());
                if (!guest.upcall().pending()) {
                    return;
                }
                int n = guest.evtchn().dispatch(0, port -> handled.incrementAndGet());
                if (n == 0) {
                    guest.evtchn().reportSpurious(gport);
                }
            }
        });
        return handled;
    }

    @Test
    void aStormSpreadOverKernelTimeIsCoalescedIntoOneDeliveryPerBurst() {
        Actor[] storm = new Actor[1];
        AtomicInteger handled = consumer(storm);
        storm[0] = EventStorm.sends(kernel, dom0.evtchn(), bport, 1000, 10, Duration.ofMillis(1));
        kernel.runUntil(() -> storm[0].finished() && !guest.upcall().pending(), Duration.ofSeconds(10));
        guest.upcall().queue().wakeAll();
        kernel.runUntilIdle(Duration.ofSeconds(1));
        PortCounters c = guest.evtchn().counters(gport);
        assertThat(dom0.evtchn().counters(bport).sent()).isEqualTo(1000);
        assertThat(c.delivered() + c.coalesced()).isEqualTo(1000);
        assertThat(c.delivered()).isEqualTo(100);
        assertThat(handled).hasValue(100);
        assertThat(c.upcalls()).isEqualTo(100);
        assertThat(c.spurious()).isZero();
    }

    @Test
    void aStormOnAMaskedPortNeverInterruptsTheGuest() {
        guest.evtchn().mask(gport);
        Actor storm = EventStorm.sends(kernel, dom0.evtchn(), bport, 500, 50, Duration.ZERO);
        kernel.runUntil(storm::finished, Duration.ofSeconds(10));
        PortCounters c = guest.evtchn().counters(gport);
        assertThat(c.delivered()).isEqualTo(1);
        assertThat(c.coalesced()).isEqualTo(499);
        assertThat(c.upcalls()).isZero();
        assertThat(guest.upcall().raised()).isZero();
        assertThat(guest.evtchn().pending(gport)).isTrue();
    }

    @Test
    void injectedStormNeedsNoSenderPortAndSpuriousWakeUpsAreCounted() {
        Actor storm = EventStorm.injections(kernel, guest.evtchn(), gport, 20, 1, Duration.ofMillis(1));
        AtomicInteger spurious = new AtomicInteger();
        kernel.spawn("lazy-consumer", () -> {
            for (int i = 0; i < 20; i++) {
                guest.evtchn().poll(gport, Duration.ofMillis(2));
                // A rogue peer notifying without progress: the consumer finds no new work every other time.
                if (i % 2 == 1 || !guest.evtchn().testAndClearPending(gport)) {
                    guest.evtchn().reportSpurious(gport);
                    spurious.incrementAndGet();
                }
            }
        });
        kernel.runUntilIdle(Duration.ofSeconds(10));
        assertThat(storm.finished()).isTrue();
        assertThat(guest.evtchn().counters(gport).spurious()).isEqualTo(spurious.get()).isGreaterThanOrEqualTo(10);
        assertThat(guest.evtchn().counters(gport).delivered() + guest.evtchn().counters(gport).coalesced())
                .isEqualTo(20);
    }
}
