package org.xenpv.core.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xenpv.core.sim.KernelConfig.ActorThreads;

/** Every case runs with actors on platform threads and on virtual threads ({@link ActorThreads}). */
class ConcurrentKernelTest {

    private static Kernel concurrent(ActorThreads threads) {
        return Kernel.create(KernelConfig.concurrent().withActorThreads(threads));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ActorThreads.class)
    @DisplayName("Actors run on the configured kind of thread")
    void actorThreadKind(ActorThreads threads) {
        try (Kernel k = concurrent(threads)) {
            Boolean[] virtual = {null};
            Actor a = k.spawn("probe", () -> virtual[0] = Thread.currentThread().isVirtual());
            k.runUntil(a::finished, Duration.ofSeconds(10));
            assertThat(virtual[0]).isEqualTo(threads == ActorThreads.VIRTUAL);
            assertThat(k.config().actorThreads()).isEqualTo(threads);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ActorThreads.class)
    @DisplayName("Producer and consumer on real threads hand over 100000 items through one wait queue")
    void producerConsumer(ActorThreads threads) {
        try (Kernel k = concurrent(threads)) {
            AtomicInteger produced = new AtomicInteger();
            AtomicInteger consumed = new AtomicInteger();
            WaitQueue q = k.waitQueue("items");
            int n = 100_000;
            k.spawn("consumer", () -> {
                while (consumed.get() < n) {
                    q.await(() -> produced.get() > consumed.get());
                    consumed.incrementAndGet();
                    q.wakeAll();
                }
            });
            k.spawn("producer", () -> {
                for (int i = 0; i < n; i++) {
                    q.await(() -> produced.get() - consumed.get() < 32);
                    produced.incrementAndGet();
                    q.wakeAll();
                }
            });
            k.runUntil(() -> consumed.get() == n, Duration.ofSeconds(60));
            assertThat(consumed.get()).isEqualTo(n);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ActorThreads.class)
    @DisplayName("One wakeAll wakes every waiter of a queue, the one in its first slot and those queued behind it")
    void wakeAllWakesEveryWaiter(ActorThreads threads) {
        try (Kernel k = concurrent(threads)) {
            WaitQueue q = k.waitQueue("gate");
            AtomicInteger round = new AtomicInteger();
            AtomicInteger arrived = new AtomicInteger();
            int waiters = 5;
            int rounds = 300;
            for (int w = 0; w < waiters; w++) {
                k.spawn("w" + w, () -> {
                    for (int r = 1; r <= rounds; r++) {
                        int mine = r;
                        q.await(() -> round.get() >= mine);
                        arrived.incrementAndGet();
                    }
                });
            }
            for (int r = 1; r <= rounds; r++) {
                int expected = (r - 1) * waiters;
                k.runUntil(() -> arrived.get() == expected, Duration.ofSeconds(30));
                round.set(r);
                q.wakeAll();
            }
            k.runUntil(() -> arrived.get() == rounds * waiters, Duration.ofSeconds(30));
            assertThat(arrived.get()).isEqualTo(rounds * waiters);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ActorThreads.class)
    @DisplayName("A timed wait with no wake-up returns false")
    void timedWait(ActorThreads threads) {
        try (Kernel k = concurrent(threads)) {
            boolean[] r = {true};
            Actor a = k.spawn("w", () -> r[0] = k.waitQueue("q").await(() -> false, Duration.ofMillis(20)));
            k.runUntil(a::finished, Duration.ofSeconds(10));
            assertThat(r[0]).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ActorThreads.class)
    @DisplayName("A wait with the largest timeout counts as untimed: the world is idle while it waits")
    void foreverIsIdle(ActorThreads threads) {
        try (Kernel k = concurrent(threads)) {
            WaitQueue q = k.waitQueue("q");
            java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean();
            Actor a = k.spawn("w", () -> q.await(go::get, Duration.ofNanos(Long.MAX_VALUE)));
            k.runUntilIdle(Duration.ofSeconds(10));
            assertThat(a.finished()).isFalse();
            go.set(true);
            q.wakeAll();
            k.runUntil(a::finished, Duration.ofSeconds(10));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ActorThreads.class)
    @DisplayName("An actor's failure is rethrown on the controlling thread")
    void failure(ActorThreads threads) {
        try (Kernel k = concurrent(threads)) {
            k.spawn("bad", () -> {
                throw new IllegalArgumentException("grant ref 9 not permitted");
            });
            assertThatThrownBy(() -> k.runUntilIdle(Duration.ofSeconds(10)))
                    .isInstanceOf(ActorFailedException.class)
                    .hasMessageContaining("bad");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ActorThreads.class)
    @DisplayName("Close ends actors blocked forever")
    void close(ActorThreads threads) {
        Kernel k = concurrent(threads);
        Actor a = k.spawn("daemon", () -> k.waitQueue("requests").await(() -> false));
        k.close();
        assertThat(a.finished()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ActorThreads.class)
    @DisplayName("Kernel locks exclude each other on real threads")
    void lock(ActorThreads threads) {
        try (Kernel k = concurrent(threads)) {
            KernelLock lock = k.lock("l");
            int[] counter = {0};
            AtomicInteger done = new AtomicInteger();
            for (int t = 0; t < 4; t++) {
                k.spawn("t" + t, () -> {
                    for (int i = 0; i < 10_000; i++) {
                        lock.with(() -> counter[0]++);
                    }
                    done.incrementAndGet();
                });
            }
            k.runUntil(() -> done.get() == 4, Duration.ofSeconds(60));
            lock.with(() -> { });
            assertThat(counter[0]).isEqualTo(40_000);
        }
    }
}
