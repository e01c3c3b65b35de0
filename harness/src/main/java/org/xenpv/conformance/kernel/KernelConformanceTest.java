package org.xenpv.conformance.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.LogEntry;
import org.xenpv.core.sim.ActorFailedException;
import org.xenpv.core.sim.DeadlockException;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;
import org.xenpv.core.sim.WaitQueue;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvRun;
import org.xenpv.harness.junit.XenpvTest;

/**
 * The simulation kernel's promises that every other suite relies on: determinism per seed,
 * virtual time, deadlock reports, preemption points, failure propagation
 * ({@code shared/design/simulation-kernel.md}, {@code docs/architecture.md} "The simulation kernel").
 */
@Tag("kernel")
@Seeds(count = 4)
class KernelConformanceTest {

    private static final String DESIGN = "simulation-kernel.md";
    private static final String ARCH = "architecture.md §The simulation kernel";

    /** Workers bump a shared counter at preemption points and yields; a watcher waits for the total. */
    private static void counterScenario(Kernel k) {
        int[] counter = {0};
        WaitQueue q = k.waitQueue("counter");
        for (int i = 0; i < 3; i++) {
            String name = "d" + (i + 1) + "/worker";
            k.spawn(name, () -> {
                for (int j = 0; j < 4; j++) {
                    int seen = counter[0];
                    k.preemptionPoint();
                    counter[0] = seen + 1;
                    k.log().note(name, "step " + j + " counter=" + counter[0]);
                    q.wakeAll();
                    k.yieldNow();
                }
            });
        }
        k.spawn("d0/watcher", () -> {
            q.await(() -> counter[0] >= 12, Duration.ofSeconds(5));
            k.log().note("d0/watcher", "saw " + counter[0]);
        });
        k.runUntilIdle(Duration.ofMinutes(1));
    }

    @XenpvTest
    @Seeds(count = 8)
    @KernelOptions(preemption = 0.3)
    @Tag("determinism")
    @Checks(id = "KERNEL-1", ref = DESIGN + " §Actors and the baton")
    @DisplayName("The same seed and kernel options give a byte-identical event log, as text and as JSON lines" + " (" + DESIGN + " §Actors and the baton" + ")")
    void sameSeedSameLog(Kernel kernel) {
        counterScenario(kernel);
        try (Kernel again = Kernel.create(kernel.config())) {
            counterScenario(again);
            assertTrue(kernel.log().count() > 20, "scenario too small to mean anything: " + kernel.log().count());
            assertEquals(kernel.log().toText(), again.log().toText());
            assertEquals(kernel.log().toJsonLines(), again.log().toJsonLines());
        }
    }

    @XenpvTest
    @KernelOptions(preemption = 0.3)
    @Tag("determinism")
    @Checks(id = "KERNEL-2", ref = DESIGN + " §Preemption points and interleavings")
    @DisplayName("Different seeds explore different interleavings of the same actors" + " (" + DESIGN + " §Preemption points and interleavings" + ")")
    void seedsExploreInterleavings(XenpvRun run) {
        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            KernelConfig config = run.kernel().config();
            try (Kernel k = Kernel.create(config.withSeed(run.seed() * 31 + i))) {
                counterScenario(k);
                List<String> order = new ArrayList<>();
                for (LogEntry e : k.log().entries()) {
                    if (e.event() instanceof Event.ActorRun r) {
                        order.add(r.name());
                    }
                }
                orders.add(order);
            }
        }
        assertTrue(orders.size() > 1, "8 seeds gave one interleaving: " + orders);
    }

    @XenpvTest
    @Tag("virtual-time")
    @Checks(id = "KERNEL-3", ref = ARCH)
    @DisplayName("A 120 s timeout passes in one jump of the virtual clock, to exactly t=120s" + " (" + ARCH + ")")
    void virtualTimeout(Kernel kernel) {
        WaitQueue reply = kernel.waitQueue("d1/store-reply");
        boolean[] satisfied = {true};
        kernel.spawn("d1/xenbus", () -> satisfied[0] = reply.await(() -> false, Duration.ofSeconds(120)));
        kernel.runUntilIdle(Duration.ofHours(1));
        assertFalse(satisfied[0], "await reported its condition as met");
        assertEquals(Duration.ofSeconds(120).toNanos(), kernel.nanoTime());
        List<Event.ClockAdvance> jumps = kernel.log().entries().stream().map(LogEntry::event)
                .filter(Event.ClockAdvance.class::isInstance).map(Event.ClockAdvance.class::cast).toList();
        assertEquals(List.of(new Event.ClockAdvance(0, Duration.ofSeconds(120).toNanos())), jumps);
    }

    @XenpvTest
    @Tag("deadlock")
    @Checks(id = "KERNEL-4", ref = DESIGN + " §Actors and the baton")
    @DisplayName("A wait nobody can end is reported as a deadlock naming the waiting actor and its queue, once no"
            + " timer is pending" + " (" + DESIGN + " §Actors and the baton" + ")")
    void deadlockNamesWaiter(Kernel kernel) {
        WaitQueue lost = kernel.waitQueue("d1/evtchn-port-5");
        boolean[] sleeperDone = {false};
        kernel.spawn("d1/xenvif-rx", () -> lost.await(() -> false));
        kernel.spawn("d0/netback", () -> {
            kernel.sleep(Duration.ofSeconds(5));
            sleeperDone[0] = true;
        });
        DeadlockException e = assertThrows(DeadlockException.class, () -> kernel.runUntil(() -> false));
        assertTrue(sleeperDone[0], "deadlock reported while a timer was still pending");
        assertEquals(Duration.ofSeconds(5).toNanos(), kernel.nanoTime());
        assertTrue(e.getMessage().contains("d1/xenvif-rx"), "actor not named: " + e.getMessage());
        assertTrue(e.getMessage().contains("d1/evtchn-port-5"), "queue not named: " + e.getMessage());
        assertFalse(e.getMessage().contains("d0/netback waiting"), "finished actor named: " + e.getMessage());
    }

    /**
     * A writer makes a two-store update with a preemption point between the stores, ten times; a
     * reader samples the shared value. Returns how many samples saw the half-done update.
     */
    private static int halfDoneSamples(KernelConfig config) {
        try (Kernel k = Kernel.create(config)) {
            int[] shared = {0};
            int[] halfDone = {0};
            boolean[] writerDone = {false};
            k.spawn("d1/frontend", () -> {
                for (int i = 0; i < 10; i++) {
                    shared[0] = 1;          // e.g. request written...
                    k.preemptionPoint();
                    shared[0] = 2;          // ...and published
                    k.yieldNow();
                }
                writerDone[0] = true;
            });
            k.spawn("d0/backend", () -> {
                while (!writerDone[0]) {
                    if (shared[0] == 1) {
                        halfDone[0]++;
                    }
                    k.yieldNow();
                }
            });
            k.runUntilIdle(Duration.ofSeconds(1));
            return halfDone[0];
        }
    }

    @XenpvTest
    @KernelOptions(preemption = 1.0)
    @Tag("preemption")
    @Checks(id = "KERNEL-5", ref = DESIGN + " §Preemption points and interleavings")
    @DisplayName("A preemption point lets another actor see a half-done step when preemption is on, and never when"
            + " it is off" + " (" + DESIGN + " §Preemption points and interleavings" + ")")
    void preemptionPointsInterleave(Kernel kernel) {
        int seen = 0;
        for (int i = 0; i < 4; i++) {
            KernelConfig on = kernel.config().withSeed(kernel.seed() * 7 + i).withPreemption(1.0)
                    .withActorSwitchLogging(true);
            seen += halfDoneSamples(on);
            assertEquals(0, halfDoneSamples(on.withPreemption(0.0)), "half-done step seen without preemption");
        }
        assertTrue(seen > 0, "no half-done step seen in 40 preemption points that always yield");
    }

    @XenpvTest
    @Tag("failure")
    @Checks(id = "KERNEL-6", ref = ARCH)
    @DisplayName("An exception in an actor reaches the controlling test, naming the actor and keeping the cause" + " (" + ARCH + ")")
    void actorFailureNamesActor(Kernel kernel) {
        kernel.spawn("d0/blkback", () -> {
            kernel.yieldNow();
            throw new IllegalStateException("rsp_prod 77 beyond req_prod 12");
        });
        ActorFailedException e = assertThrows(ActorFailedException.class,
                () -> kernel.runUntilIdle(Duration.ofSeconds(1)));
        assertEquals("d0/blkback", e.actor());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("rsp_prod 77 beyond req_prod 12", e.getCause().getMessage());
    }
}
