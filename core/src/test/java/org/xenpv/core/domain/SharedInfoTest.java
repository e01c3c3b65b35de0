package org.xenpv.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xenpv.core.mem.Page;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;

/** The shared-info page: field positions, atomic bits, and the version protocol of its time records. */
class SharedInfoTest {

    @Test
    void timeFieldsAreWrittenAtTheirOffsetsWithAnEvenVersion() {
        try (Kernel kernel = Kernel.deterministic(1)) {
            SharedInfo s = new SharedInfo(1, 2, kernel);
            s.updateVcpuTime(1, 1_000, 5_000);
            Page p = s.page();
            int base = 64 + 32; // vcpu_info[1].time
            assertThat(p.getInt(base)).isEqualTo(2);
            assertThat(p.getLong(base + 8)).isEqualTo(1_000);
            assertThat(p.getLong(base + 16)).isEqualTo(5_000);
            assertThat(p.getInt(base + 24)).isEqualTo(0x8000_0000);
            assertThat(p.getByte(base + 28)).isEqualTo((byte) 1);
            assertThat(p.getByte(base + 29)).isEqualTo((byte) SharedInfo.PVCLOCK_TSC_STABLE_BIT);
            assertThat(p.getInt(32)).as("vCPU 0 untouched").isZero();
        }
    }

    @Test
    void aGuestReadsKernelTimeFromTheTscWhateverTheRecordsAge() {
        try (Kernel kernel = Kernel.deterministic(1)) {
            SharedInfo s = new SharedInfo(1, 1, kernel);
            s.updateTime(kernel.nanoTime(), kernel.nanoTime());
            AtomicLong seen = new AtomicLong();
            kernel.spawn("guest", () -> {
                kernel.sleep(Duration.ofMillis(1500));
                seen.set(s.readSystemTime(0, kernel::nanoTime).systemTimeNanos());
            });
            kernel.runUntilIdle(Duration.ofSeconds(5));
            assertThat(seen.get()).isEqualTo(Duration.ofMillis(1500).toNanos());
        }
    }

    @Test
    void pvclockScalingMatchesTheHeadersFormula() {
        assertThat(SharedInfo.scaleDelta(123_456_789L, SharedInfo.TSC_TO_SYSTEM_MUL, SharedInfo.TSC_SHIFT))
                .isEqualTo(123_456_789L);
        // A 3 GHz TSC: mul = (10^9 << 32) / (3 * 10^9) with shift 0.
        int mul = (int) ((1_000_000_000L << 32) / 3_000_000_000L);
        assertThat(SharedInfo.scaleDelta(3_000_000_000L, mul, 0)).isBetween(999_999_999L, 1_000_000_000L);
        assertThat(SharedInfo.scaleDelta(1L << 40, SharedInfo.TSC_TO_SYSTEM_MUL, SharedInfo.TSC_SHIFT)).isEqualTo(1L << 40);
        assertThat(SharedInfo.scaleDelta(8, 0x8000_0000, -2)).isEqualTo(1);
    }

    private static final long NOW = 1_000_000_000L;

    @Test
    void readersNeverSeeATornUpdateAndDoSeeUpdatesInProgress() {
        int retries = 0;
        int oddSeen = 0;
        for (long seed = 1; seed <= 8; seed++) {
            try (Kernel kernel = Kernel.create(KernelConfig.deterministic(seed).withPreemption(0.5))) {
                SharedInfo s = new SharedInfo(1, 1, kernel);
                s.updateVcpuTime(0, 0, 0); // as at vCPU creation
                AtomicInteger bad = new AtomicInteger();
                AtomicInteger retried = new AtomicInteger();
                AtomicInteger odd = new AtomicInteger();
                kernel.spawn("xen", () -> {
                    for (int i = 1; i <= 200; i++) {
                        // tsc and system time always written equal: a torn read would see them differ.
                        s.updateVcpuTime(0, i * 1000L, i * 1000L);
                        kernel.yieldNow();
                    }
                });
                kernel.spawn("guest", () -> {
                    for (int i = 0; i < 200; i++) {
                        if ((s.page().getIntVolatile(SharedInfo.vcpuTime(0)) & 1) != 0) {
                            odd.incrementAndGet();
                        }
                        SharedInfo.TimeReading r = s.readSystemTime(0, () -> NOW);
                        // system + (NOW - tsc_timestamp) is NOW exactly when both fields come from one update.
                        if (r.systemTimeNanos() != NOW) {
                            bad.incrementAndGet();
                        }
                        retried.addAndGet(r.retries());
                        kernel.yieldNow();
                    }
                });
                kernel.runUntilIdle(Duration.ofSeconds(10));
                assertThat(bad).as("torn reads, seed " + seed).hasValue(0);
                retries += retried.get();
                oddSeen += odd.get();
            }
        }
        assertThat(oddSeen).as("an odd version observed mid-update").isPositive();
        assertThat(retries).as("readers retried while an update was in progress").isPositive();
    }

    @Test
    void wallclockKeepsTheHighSecondsInWcSecHi() {
        try (Kernel kernel = Kernel.deterministic(1)) {
            SharedInfo s = new SharedInfo(1, 1, kernel);
            long seconds = 0x1_0000_0005L;
            s.setWallclock(seconds, 999_999_999);
            assertThat(s.page().getInt(SharedInfo.WC_VERSION)).isEqualTo(2);
            assertThat(s.page().getInt(SharedInfo.WC_SEC)).isEqualTo(5);
            assertThat(s.page().getInt(SharedInfo.WC_SEC_HI)).isEqualTo(1);
            assertThat(s.page().getInt(SharedInfo.WC_NSEC)).isEqualTo(999_999_999);
            SharedInfo.Wallclock wc = s.readWallclock();
            assertThat(wc.seconds()).isEqualTo(seconds);
            assertThat(wc.epochNanos()).isEqualTo(seconds * 1_000_000_000L + 999_999_999);
            assertThatThrownBy(() -> s.setWallclock(1, 1_000_000_000)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void upcallAndSelectorBitsAreAtomicPerVcpu() {
        try (Kernel kernel = Kernel.deterministic(1)) {
            SharedInfo s = new SharedInfo(1, 2, kernel);
            assertThat(s.testAndSetUpcallPending(1)).isFalse();
            assertThat(s.testAndSetUpcallPending(1)).isTrue();
            assertThat(s.page().getByte(64)).isEqualTo((byte) 1);
            assertThat(s.upcallPending(0)).isFalse();
            assertThat(s.testAndClearUpcallPending(1)).isTrue();
            assertThat(s.upcallPending(1)).isFalse();
            s.testAndSetPendingSel(1, 40);
            s.testAndSetPendingSel(1, 3);
            assertThat(s.page().getLong(64 + 8)).isEqualTo((1L << 40) | (1L << 3));
            assertThat(s.swapPendingSel(1)).isEqualTo((1L << 40) | (1L << 3));
            assertThat(s.pendingSel(1)).isZero();
            assertThatThrownBy(() -> s.upcallPending(2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("d1: no vCPU 2");
        }
    }
}
