package org.xenpv.core.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenpv.core.log.Event;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.FrontBackRingTest.Num;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;
import org.xenpv.core.sim.WaitQueue;

/**
 * A frontend and a backend actor exchange requests and responses over one ring, each blocking only on an
 * emulated event channel (a pending flag and a {@link WaitQueue}) and notifying only when
 * {@code RING_PUSH_*_AND_CHECK_NOTIFY} says so. The deterministic kernel preempts at every index access with
 * probability 0.3, so a sweep of seeds runs the push/final-check races in many orders: a lost notification
 * shows up as a deadlock, a reordered or duplicated entry as a failed assertion inside an actor.
 * Seeds: {@code -Dxenpv.seeds=1,2,3} or 1..40.
 */
class RingInterleavingTest {

    static final int N = 300;

    static LongStream seeds() {
        String s = System.getProperty("xenpv.seeds", "");
        if (!s.isBlank()) {
            return Arrays.stream(s.split(",")).map(String::trim).mapToLong(Long::parseLong);
        }
        return LongStream.rangeClosed(1, 40);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void noLostNotificationsUnderPreemption(long seed) {
        try (Kernel k = Kernel.create(KernelConfig.deterministic(seed).withPreemption(0.3))) {
            Page page = new Page();
            FrontRing<Num, Num> f = FrontRing.init("d1/t", page, FrontBackRingTest.SMALL, k);
            BackRing<Num, Num> b = BackRing.init("d1/t", page, FrontBackRingTest.SMALL, k);
            AtomicBoolean backPending = new AtomicBoolean();
            AtomicBoolean frontPending = new AtomicBoolean();
            WaitQueue evBack = k.waitQueue("evtchn-back");
            WaitQueue evFront = k.waitQueue("evtchn-front");
            AtomicInteger received = new AtomicInteger();
            AtomicInteger notifications = new AtomicInteger();

            k.spawn("d1/front", () -> {
                int sent = 0;
                while (received.get() < N) {
                    int batch = 1 + sent % 5;
                    while (batch-- > 0 && sent < N && f.freeRequests() > 0) {
                        f.putRequest(new Num(sent++));
                    }
                    if (f.pushRequestsAndCheckNotify()) {
                        notifications.incrementAndGet();
                        backPending.set(true);
                        evBack.wakeAll();
                    }
                    do {
                        int rp = f.checkedRspProd();
                        while (f.rspCons() != rp) {
                            Num n = f.takeResponse();
                            assertThat(n.v()).isEqualTo(received.get() + 1_000_000);
                            received.incrementAndGet();
                        }
                    } while (f.finalCheckForResponses());
                    // Like a driver's DPC: with requests in flight, sleep until the backend signals.
                    if (received.get() < N && f.reqProdPvt() != f.rspCons()) {
                        evFront.await(frontPending::get);
                        frontPending.set(false);
                    }
                }
            });
            k.spawn("d0/back", () -> {
                int served = 0;
                while (served < N) {
                    evBack.await(backPending::get);
                    backPending.set(false);
                    do {
                        int rp = b.checkedReqProd();
                        while (b.reqCons() != rp) {
                            Num r = b.takeRequest();
                            b.putResponse(new Num(r.v() + 1_000_000));
                            served++;
                            if (served % 3 == 0 && b.pushResponsesAndCheckNotify()) {
                                frontPending.set(true);
                                evFront.wakeAll();
                            }
                        }
                        if (b.pushResponsesAndCheckNotify()) {
                            frontPending.set(true);
                            evFront.wakeAll();
                        }
                    } while (b.finalCheckForRequests());
                }
            });
            k.runUntil(() -> received.get() == N, Duration.ofSeconds(60));
            assertThat(received.get()).isEqualTo(N);
            assertThat(notifications.get()).as("notifications are suppressed while the backend is busy")
                    .isBetween(1, N - 1);
            assertThat(k.log().entries()).anyMatch(e -> e.event() instanceof Event.RingPush p && p.notified());
        }
    }
}
