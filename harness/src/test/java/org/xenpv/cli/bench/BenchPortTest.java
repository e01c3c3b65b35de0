package org.xenpv.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;

/**
 * {@link BenchPort}'s wait on a deterministic kernel: it takes a pending event without yielding or blocking,
 * otherwise yields exactly {@code yields} times (the policy {@code ringbench.c} gets the same number for) and
 * then blocks in {@code SCHEDOP_poll} until the peer sends.
 */
class BenchPortTest {

    /** A kernel that counts {@link Kernel#yieldNow()} calls and forwards everything to {@code real}. */
    private static Kernel countingYields(Kernel real, AtomicInteger yields) {
        return (Kernel) Proxy.newProxyInstance(Kernel.class.getClassLoader(), new Class<?>[] {Kernel.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("yieldNow")) {
                        yields.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private record Channel(Platform platform, EventChannels guest, int guestPort, EventChannels dom0, int dom0Port) {
    }

    private static Channel interdomain(Kernel kernel) {
        Platform platform = new Platform(kernel);
        Domain guest = platform.createDomain("port-test");
        int guestPort = guest.evtchn().allocUnbound(0);
        int dom0Port = platform.dom0().evtchn().bindInterdomain(guest.domid(), guestPort);
        platform.dom0().evtchn().testAndClearPending(dom0Port);
        return new Channel(platform, guest.evtchn(), guestPort, platform.dom0().evtchn(), dom0Port);
    }

    @Test
    void yieldsExactlyTheGivenNumberOfTimesThenBlocksUntilThePeerSends() {
        for (int n : new int[] {0, 1, 3}) {
            try (Kernel kernel = Kernel.deterministic(7)) {
                Channel ch = interdomain(kernel);
                AtomicInteger yields = new AtomicInteger();
                BenchPort port = new BenchPort(countingYields(kernel, yields), ch.guest(), ch.guestPort(), n);
                Actor waiter = kernel.spawn("waiter", port::await);
                kernel.runUntilIdle(Duration.ofSeconds(5));
                assertThat(waiter.finished()).as("nothing sent yet").isFalse();
                assertThat(yields).as("yields before blocking").hasValue(n);
                assertThat(port.waits()).isEqualTo(1);

                ch.dom0().send(ch.dom0Port());
                kernel.runUntil(waiter::finished, Duration.ofSeconds(5));
                assertThat(yields).hasValue(n);
                assertThat(port.waits()).isEqualTo(1);
                assertThat(ch.guest().pending(ch.guestPort())).as("the event was taken").isFalse();
            }
        }
    }

    @Test
    void takesAPendingEventAtOnce() {
        try (Kernel kernel = Kernel.deterministic(7)) {
            Channel ch = interdomain(kernel);
            AtomicInteger yields = new AtomicInteger();
            BenchPort port = new BenchPort(countingYields(kernel, yields), ch.guest(), ch.guestPort(), 5);
            ch.dom0().send(ch.dom0Port());
            Actor waiter = kernel.spawn("waiter", port::await);
            kernel.runUntil(waiter::finished, Duration.ofSeconds(5));
            assertThat(yields).hasValue(0);
            assertThat(port.waits()).isZero();
            assertThat(ch.guest().pending(ch.guestPort())).isFalse();
        }
    }

    @Test
    void sendMakesThePeerPending() {
        try (Kernel kernel = Kernel.deterministic(7)) {
            Channel ch = interdomain(kernel);
            new BenchPort(kernel, ch.dom0(), ch.dom0Port(), 0).send();
            assertThat(ch.guest().pending(ch.guestPort())).isTrue();
            assertThat(ch.dom0().counters(ch.dom0Port()).sent()).isEqualTo(1);
        }
    }

    @Test
    void rejectsANegativeYieldCount() {
        try (Kernel kernel = Kernel.deterministic(7)) {
            Channel ch = interdomain(kernel);
            assertThatThrownBy(() -> new BenchPort(kernel, ch.guest(), ch.guestPort(), -1))
                    .hasMessage("yields -1 < 0");
        }
    }
}
