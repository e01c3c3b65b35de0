package org.xenpv.xenbus.sharedinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.mem.Page;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;
import org.xenpv.xenbus.memory.GuestFrames;

class SharedInfoTimeTest {

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger NS = BigInteger.valueOf(1_000_000_000L);

    private Kernel kernel = Kernel.deterministic(11);

    @AfterEach
    void close() {
        kernel.close();
    }

    private static SharedInfoTime time(Kernel kernel, Domain d, SharedInfoTime.Options o) {
        SharedInfoTime t = new SharedInfoTime(Vm.of(d), new GuestFrames(Vm.of(d)), o);
        t.acquire();
        return t;
    }

    /**
     * The driver's arithmetic, done again with unbounded integers, reduced mod 2^64 where its ULONGLONGs wrap
     * (TSC age, scaled delta, system time) but not in the final 100 ns conversion, which wraps after 2185 in the
     * driver and not in {@link SharedInfoTime}.
     */
    static long expected(TimeReading r) {
        BigInteger age = u64(r.tsc()).subtract(u64(r.tscTimestamp())).mod(TWO_64);
        age = r.tscShift() >= 0 ? age.shiftLeft(r.tscShift()).mod(TWO_64) : age.shiftRight(-r.tscShift());
        age = age.multiply(BigInteger.valueOf(r.tscToSystemMul())).shiftRight(32).mod(TWO_64);
        BigInteger system = u64(r.systemTime()).add(age).mod(TWO_64);
        BigInteger seconds = BigInteger.valueOf(r.wcSec()).add(BigInteger.valueOf(SharedInfoTime.WINDOWS_EPOCH_OFFSET_SECONDS))
                .add(system.divide(NS));
        BigInteger nanos = BigInteger.valueOf(r.wcNsec()).add(system.mod(NS));
        return seconds.multiply(NS).add(nanos).divide(BigInteger.valueOf(100)).longValueExact();
    }

    private static BigInteger u64(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    @Test
    void wallclockPlusSystemTimeInTheWindowsEpoch() {
        Platform platform = new Platform(kernel);
        platform.setWallclock(1_700_000_000L, 123_456_789);
        Domain d = platform.createDomain("guest");
        SharedInfoTime t = time(kernel, d, SharedInfoTime.Options.DEFAULT);
        kernel.runFor(Duration.ofMillis(1500));
        d.updateTime();
        kernel.runFor(Duration.ofMillis(250)); // the record is now 250 ms stale: the TSC delta covers it
        long now = kernel.nanoTime();
        XenTime x = t.getTime();
        Instant expect = Instant.ofEpochSecond(1_700_000_000L, 123_456_789).plusNanos(now);
        assertThat(x.toInstant()).isEqualTo(Instant.ofEpochSecond(expect.getEpochSecond(), expect.getNano() / 100 * 100));
        assertThat(x.windowsTime()).isEqualTo((1_700_000_000L + 11_644_473_600L) * 10_000_000L
                + (123_456_789L + now) / 100);
        assertThat(x.local()).as("Local = !RealTimeIsUniversal, absent by default").isTrue();
        assertThat(x.reading().retries()).isZero();
        assertThat(t.gfn()).as("mapped in a hole above RAM").isGreaterThanOrEqualTo(d.memory().maxPages());
        assertThat(d.memory().page(t.gfn()).sameFrame(d.sharedInfo().page())).isTrue();

        SharedInfoTime utc = time(kernel, d, SharedInfoTime.Options.DEFAULT.withRealTimeIsUniversal(true));
        assertThat(utc.getTime().local()).isFalse();
    }

    @Test
    void wcSecHiIsReadUnlessConfiguredLikeTheDriver() {
        Platform platform = new Platform(kernel);
        long y2200 = 7_258_118_400L; // 2200-01-01: beyond 32 bits
        platform.setWallclock(y2200, 0);
        Domain d = platform.createDomain("guest");
        XenTime full = time(kernel, d, SharedInfoTime.Options.DEFAULT).getTime();
        XenTime driver = time(kernel, d, SharedInfoTime.Options.DEFAULT.withWcSecHi(false)).getTime();
        assertThat(full.toInstant()).isEqualTo(Instant.parse("2200-01-01T00:00:00Z"));
        assertThat(full.windowsTime() - driver.windowsTime()).isEqualTo((1L << 32) * 10_000_000L);
        assertThat(full.windowsTime()).as("past 2^64 ns since 1601, where the driver's ULONGLONG wraps")
                .isEqualTo(expected(full.reading()));
    }

    @Test
    void tscScalingMatchesAnIndependentComputationIncludingWrapAndNegativeShift() {
        Platform platform = new Platform(kernel);
        Domain d = platform.createDomain("guest");
        SharedInfoTime t = time(kernel, d, SharedInfoTime.Options.DEFAULT);
        kernel.runFor(Duration.ofSeconds(3));
        Page xen = d.sharedInfo().page();
        int base = SharedInfo.vcpuTime(0);
        long[][] cases = {
            // tsc_timestamp, system_time, mul, shift
            {kernel.nanoTime() - 1_000_000, 5_000_000_000L, 0x8000_0000L, 1},
            {kernel.nanoTime() - 123_456_789, 77, 0xFFFF_FFFFL, -1},
            {kernel.nanoTime() - 999, 0, 0x1234_5678L, 3},
            {kernel.nanoTime() + 1_000, 42, 0x8000_0000L, 1}, // stamp ahead of rdtsc: the age wraps, as in the driver
        };
        for (long[] c : cases) {
            xen.putLong(base + SharedInfo.VT_TSC_TIMESTAMP, c[0]);
            xen.putLong(base + SharedInfo.VT_SYSTEM_TIME, c[1]);
            xen.putInt(base + SharedInfo.VT_TSC_TO_SYSTEM_MUL, (int) c[2]);
            xen.putByte(base + SharedInfo.VT_TSC_SHIFT, (byte) c[3]);
            XenTime x = t.getTime();
            assertThat(x.reading().tscTimestamp()).isEqualTo(c[0]);
            assertThat(x.reading().tscShift()).isEqualTo((int) c[3]);
            assertThat(x.reading().tscToSystemMul()).isEqualTo(c[2]);
            assertThat(x.windowsTime()).as("case %s", java.util.Arrays.toString(c)).isEqualTo(expected(x.reading()));
        }
    }

    @Test
    void anOddVersionOffTheSimulationIsAClearErrorNotAHang() {
        Platform platform = new Platform(kernel);
        Domain d = platform.createDomain("guest");
        SharedInfoTime t = time(kernel, d, SharedInfoTime.Options.DEFAULT);
        Page xen = d.sharedInfo().page();
        int v = SharedInfo.vcpuTime(0) + SharedInfo.VT_VERSION;
        xen.putIntVolatile(v, xen.getIntVolatile(v) + 1);
        assertThatThrownBy(t::getTime).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("time update in progress").hasMessageContaining("call it from an actor");
        assertThatThrownBy(() -> new SharedInfoTime(Vm.of(d), new GuestFrames(Vm.of(d)), SharedInfoTime.Options.DEFAULT).getTime())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before acquire");
    }

    /** Fields of wallclock state k and time state s are tied together, so a mix of two updates is visible. */
    static final long BASE = 1_600_000_000L;

    static void writeWallclock(Kernel kernel, Page xen, int k) {
        int v = xen.getIntVolatile(SharedInfo.WC_VERSION);
        xen.putIntVolatile(SharedInfo.WC_VERSION, v + 1);
        kernel.preemptionPoint();
        xen.putInt(SharedInfo.WC_SEC, (int) (BASE + k));
        kernel.preemptionPoint();
        xen.putInt(SharedInfo.WC_NSEC, 7 * k);
        kernel.preemptionPoint();
        xen.putInt(SharedInfo.WC_SEC_HI, 0);
        kernel.preemptionPoint();
        xen.putIntVolatile(SharedInfo.WC_VERSION, v + 2);
    }

    static void writeTime(Kernel kernel, Page xen, long stamp) {
        int base = SharedInfo.vcpuTime(0);
        int v = xen.getIntVolatile(base + SharedInfo.VT_VERSION);
        xen.putIntVolatile(base + SharedInfo.VT_VERSION, v + 1);
        kernel.preemptionPoint();
        xen.putLong(base + SharedInfo.VT_TSC_TIMESTAMP, stamp);
        kernel.preemptionPoint();
        xen.putLong(base + SharedInfo.VT_SYSTEM_TIME, 3 * stamp + 11);
        kernel.preemptionPoint();
        xen.putInt(base + SharedInfo.VT_TSC_TO_SYSTEM_MUL, (int) (0x8000_0000L + stamp % 1000));
        kernel.preemptionPoint();
        xen.putByte(base + SharedInfo.VT_TSC_SHIFT, (byte) (stamp % 3 - 1));
        kernel.preemptionPoint();
        xen.putIntVolatile(base + SharedInfo.VT_VERSION, v + 2);
    }

    /** Empty if {@code r} is one wallclock state and one time state as written; else what is torn. */
    static List<String> torn(TimeReading r) {
        List<String> out = new ArrayList<>();
        if (r.wcNsec() != 7 * (r.wcSec() - BASE)) {
            out.add("wallclock sec " + r.wcSec() + " with nsec " + r.wcNsec());
        }
        long s = r.tscTimestamp();
        if (r.systemTime() != 3 * s + 11 || r.tscToSystemMul() != 0x8000_0000L + s % 1000 || r.tscShift() != s % 3 - 1) {
            out.add("time record stamp " + s + " with system_time " + r.systemTime() + " mul " + r.tscToSystemMul()
                    + " shift " + r.tscShift());
        }
        return out;
    }

    @Test
    void aWriterWithOddVersionWindowsNeverYieldsATornReadOverSeeds() {
        long totalRetries = 0;
        for (long seed = 1; seed <= 12; seed++) {
            kernel.close();
            kernel = Kernel.create(KernelConfig.deterministic(seed).withPreemption(0.5));
            Platform platform = new Platform(kernel);
            Domain d = platform.createDomain("guest");
            Page xen = d.sharedInfo().page();
            writeWallclock(kernel, xen, 0);
            writeTime(kernel, xen, 0);
            SharedInfoTime t = time(kernel, d, SharedInfoTime.Options.DEFAULT);
            boolean[] done = {false};
            kernel.spawn("xen/time-writer", () -> {
                for (int k = 1; k <= 40; k++) {
                    writeWallclock(kernel, xen, k);
                    kernel.sleep(Duration.ofNanos(10_000));
                    writeTime(kernel, xen, kernel.nanoTime());
                }
                done[0] = true;
            });
            List<String> problems = new ArrayList<>();
            Actor reader = kernel.spawn("d" + d.domid() + "/reader", () -> {
                while (!done[0]) {
                    XenTime x = t.getTime();
                    problems.addAll(torn(x.reading()));
                    if (x.windowsTime() != expected(x.reading())) {
                        problems.add("value " + x.windowsTime() + " != " + expected(x.reading()) + " for " + x.reading());
                    }
                    // Block (not yield): the virtual clock only moves when every actor is blocked, and the writer sleeps.
                    kernel.sleep(Duration.ofNanos(3_000));
                }
            });
            kernel.runUntil(reader::finished, Duration.ofSeconds(10));
            assertThat(reader.failure()).isEmpty();
            assertThat(problems).as("seed %d", seed).isEmpty();
            assertThat(t.reads()).isPositive();
            totalRetries += t.retries();
        }
        assertThat(totalRetries).as("the reader did meet odd or changed versions").isPositive();
    }
}
