package org.xenpv.core.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeterministicKernelTest {

    /** Three actors that interleave at yields and waits; returns the event log text. */
    private static String runScenario(long seed) {
        try (Kernel k = Kernel.deterministic(seed)) {
            int[] counter = {0};
            WaitQueue q = k.waitQueue("counter");
            for (int i = 0; i < 3; i++) {
                String name = "worker" + i;
                k.spawn(name, () -> {
                    for (int j = 0; j < 5; j++) {
                        counter[0]++;
                        k.log().note(name, "step " + j + " counter=" + counter[0]);
                        q.wakeAll();
                        k.yieldNow();
                    }
                });
            }
            k.spawn("watcher", () -> {
                q.await(() -> counter[0] >= 15);
                k.log().note("watcher", "saw " + counter[0]);
            });
            k.runUntilIdle(Duration.ofSeconds(1));
            return k.log().toText() + k.log().toJsonLines();
        }
    }

    @Test
    @DisplayName("The same seed gives a byte-identical event log")
    void sameSeedSameLog() {
        assertThat(runScenario(42)).isEqualTo(runScenario(42));
    }

    @Test
    @DisplayName("Different seeds give different interleavings")
    void differentSeedsDiffer() {
        List<String> logs = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            logs.add(runScenario(seed));
        }
        assertThat(logs.stream().distinct().count()).isGreaterThan(1);
    }

    @Test
    @DisplayName("A 120 s virtual timeout costs one scheduling step and no wall time spent waiting")
    void virtualTimeout() {
        try (Kernel k = Kernel.deterministic(1)) {
            WaitQueue never = k.waitQueue("reply");
            boolean[] result = {true};
            long wallStart = System.nanoTime();
            k.spawn("client", () -> result[0] = never.await(() -> false, Duration.ofSeconds(120)));
            k.runUntilIdle(Duration.ofHours(1));
            long wallNanos = System.nanoTime() - wallStart;
            assertThat(result[0]).as("await timed out").isFalse();
            assertThat(k.nanoTime()).isEqualTo(Duration.ofSeconds(120).toNanos());
            // Not a timing assertion: only a sanity bound two orders of magnitude above the expected cost.
            assertThat(wallNanos).isLessThan(Duration.ofSeconds(10).toNanos());
        }
    }

    @Test
    @DisplayName("A wait that nobody can end is reported as a deadlock naming the actor and its queue")
    void deadlockReported() {
        try (Kernel k = Kernel.deterministic(1)) {
            WaitQueue q = k.waitQueue("d1/store-reply");
            k.spawn("d1/xenbus", () -> q.await(() -> false));
            assertThatThrownBy(() -> k.runUntil(() -> false))
                    .isInstanceOf(DeadlockException.class)
                    .hasMessageContaining("d1/xenbus")
                    .hasMessageContaining("d1/store-reply");
        }
    }

    @Test
    @DisplayName("An actor's exception reaches the controlling thread with the actor's name")
    void failurePropagates() {
        try (Kernel k = Kernel.deterministic(1)) {
            k.spawn("backend", () -> {
                throw new IllegalStateException("bad ring index 77");
            });
            assertThatThrownBy(() -> k.runUntilIdle(Duration.ofSeconds(1)))
                    .isInstanceOf(ActorFailedException.class)
                    .hasMessageContaining("backend")
                    .hasRootCauseMessage("bad ring index 77");
        }
    }

    @Test
    @DisplayName("A woken waiter sees the condition; a timed wait that is satisfied returns true")
    void wakeBeforeTimeout() {
        try (Kernel k = Kernel.deterministic(7)) {
            WaitQueue q = k.waitQueue("evtchn");
            boolean[] flag = {false};
            boolean[] got = {false};
            long[] when = {-1};
            k.spawn("waiter", () -> {
                got[0] = q.await(() -> flag[0], Duration.ofSeconds(15));
                when[0] = k.nanoTime();
            });
            k.spawn("sender", () -> {
                k.sleep(Duration.ofMillis(3));
                flag[0] = true;
                q.wakeAll();
            });
            k.runUntilIdle(Duration.ofMinutes(1));
            assertThat(got[0]).isTrue();
            assertThat(when[0]).isEqualTo(Duration.ofMillis(3).toNanos());
        }
    }

    @Test
    @DisplayName("Kernel locks exclude each other even when every preemption point yields")
    void lockExcludes() {
        KernelConfig cfg = KernelConfig.deterministic(3).withPreemption(1.0);
        try (Kernel k = Kernel.create(cfg)) {
            KernelLock lock = k.lock("gnttab");
            int[] inside = {0};
            int[] maxInside = {0};
            for (int i = 0; i < 4; i++) {
                k.spawn("a" + i, () -> {
                    for (int j = 0; j < 10; j++) {
                        lock.with(() -> {
                            inside[0]++;
                            maxInside[0] = Math.max(maxInside[0], inside[0]);
                            k.preemptionPoint();
                            inside[0]--;
                        });
                    }
                });
            }
            k.runUntilIdle(Duration.ofSeconds(1));
            assertThat(maxInside[0]).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("step() runs one actor until it blocks; runFor advances the clock exactly")
    void stepAndRunFor() {
        try (Kernel k = Kernel.deterministic(5)) {
            List<String> trace = new ArrayList<>();
            k.spawn("ticker", () -> {
                for (int i = 0; i < 3; i++) {
                    trace.add("tick" + i + "@" + k.nanoTime());
                    k.sleep(Duration.ofSeconds(1));
                }
            });
            assertThat(k.step()).isTrue();
            assertThat(trace).containsExactly("tick0@0");
            k.runFor(Duration.ofMillis(1500));
            assertThat(trace).containsExactly("tick0@0", "tick1@1000000000");
            assertThat(k.nanoTime()).isEqualTo(1_500_000_000L);
            k.runUntilIdle(Duration.ofSeconds(10));
            assertThat(trace).hasSize(3);
            assertThat(k.step()).isFalse();
        }
    }

    @Test
    @DisplayName("runUntil stops at its virtual-time limit with a timeout naming the waiting actors")
    void runUntilLimit() {
        try (Kernel k = Kernel.deterministic(5)) {
            k.spawn("poller", () -> {
                while (true) {
                    k.sleep(Duration.ofSeconds(1));
                }
            });
            assertThatThrownBy(() -> k.runUntil(() -> false, Duration.ofSeconds(30)))
                    .isInstanceOf(SimTimeoutException.class)
                    .hasMessageContaining("poller");
            assertThat(k.nanoTime()).isEqualTo(30_000_000_000L);
        }
    }

    @Test
    @DisplayName("Only actors may block; the controlling thread gets a clear error")
    void controllerCannotBlock() {
        try (Kernel k = Kernel.deterministic(5)) {
            WaitQueue q = k.waitQueue("q");
            assertThatThrownBy(() -> q.await(() -> false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("only an actor may block");
            assertThatThrownBy(() -> k.sleep(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    @DisplayName("Closing the kernel ends actors blocked forever")
    void closeEndsBlockedActors() {
        Kernel k = Kernel.deterministic(5);
        Actor a = k.spawn("daemon", () -> k.waitQueue("requests").await(() -> false));
        k.runUntilIdle(Duration.ofSeconds(1));
        assertThat(a.finished()).isFalse();
        k.close();
        assertThat(a.failure()).isEmpty();
    }

    @Test
    @DisplayName("Preemption points make different seeds interleave inside a protocol step")
    void preemptionPointsInterleave() {
        List<String> outcomes = new ArrayList<>();
        for (long seed = 0; seed < 20; seed++) {
            try (Kernel k = Kernel.create(KernelConfig.deterministic(seed).withPreemption(0.5))) {
                StringBuilder order = new StringBuilder();
                for (String n : List.of("A", "B")) {
                    k.spawn(n, () -> {
                        for (int i = 0; i < 3; i++) {
                            order.append(n);
                            k.preemptionPoint();
                        }
                    });
                }
                k.runUntilIdle(Duration.ofSeconds(1));
                outcomes.add(order.toString());
            }
        }
        assertThat(outcomes.stream().distinct().count()).isGreaterThan(2);
    }

    @Test
    @DisplayName("Actors spawned by actors run too, in the same deterministic order for a seed")
    void nestedSpawn() {
        try (Kernel k = Kernel.deterministic(9)) {
            List<String> seen = new ArrayList<>();
            k.spawn("parent", () -> {
                for (int i = 0; i < 3; i++) {
                    String n = "child" + i;
                    k.spawn(n, () -> seen.add(n));
                }
            });
            k.runUntilIdle(Duration.ofSeconds(1));
            assertThat(seen).containsExactlyInAnyOrder("child0", "child1", "child2");
        }
    }
}
