package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.memory.GuestFrames;
import org.xenpv.xenbus.sharedinfo.SharedInfoTime;
import org.xenpv.xenbus.sharedinfo.TimeReading;
import org.xenpv.xenbus.sharedinfo.XenTime;

/** XENBUS's SHARED_INFO GetTime against the platform's shared_info time updates (windows-pv-drivers.md §1.1 "Time"). */
@Tag("xenbus")
@Tag("time")
class XenbusSharedInfoConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.1";
    private static final long EPOCH = SharedInfoTime.WINDOWS_EPOCH_OFFSET_SECONDS;

    private static SharedInfoTime time(Kernel kernel, Domain d, SharedInfoTime.Options o) {
        SharedInfoTime t = new SharedInfoTime(Vm.of(d), new GuestFrames(Vm.of(d)), o);
        t.acquire();
        return t;
    }

    /** Wallclock (s, ns) plus the TSC as system time (1 GHz, system_time = tsc_timestamp), in 100 ns since 1601. */
    private static long windows(long sec, long nsec, long tsc) {
        return (sec + EPOCH) * 10_000_000L + (nsec + tsc) / 100;
    }

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.5)
    @Checks(id = "XENBUS-TIME-1", ref = REF)
    @DisplayName("GetTime never returns a torn reading: it retries while wc_version or time.version is odd or has changed" + " (" + REF + ")")
    void noTornReadUnderConcurrentUpdates(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create(DomainConfig.guest("clock").withVcpus(2));
        Domain d = platform.domain(g.domid());
        SharedInfoTime t = time(kernel, d, SharedInfoTime.Options.DEFAULT);
        long base = (1L << 32) - 30_000; // the updates cross 2^32 s: wc_sec_hi changes too
        List<long[]> written = new CopyOnWriteArrayList<>();
        written.add(new long[] {base, 0});
        platform.setWallclock(base, 0);
        boolean[] done = {false};
        kernel.spawn("xen/time", () -> {
            for (int k = 1; k <= 60; k++) {
                long sec = base + 1000L * k;
                int nsec = (int) (7_000_003L * k % 1_000_000_000L);
                written.add(new long[] {sec, nsec});
                platform.setWallclock(sec, nsec);
                kernel.sleep(Duration.ofNanos(1_500));
                d.updateTime();
            }
            done[0] = true;
        });
        List<String> torn = new ArrayList<>();
        int[] reads = {0};
        Actor reader = kernel.spawn("d" + g.domid() + "/gettime", () -> {
            while (!done[0]) {
                XenTime x = t.getTime();
                TimeReading r = x.reading();
                reads[0]++;
                boolean wcWritten = written.stream().anyMatch(w -> w[0] == r.wcSec() && w[1] == r.wcNsec());
                if (!wcWritten || r.systemTime() != r.tscTimestamp()) {
                    torn.add("torn: " + r);
                } else if (x.windowsTime() != windows(r.wcSec(), r.wcNsec(), r.tsc())) {
                    torn.add("value " + x.windowsTime() + " for " + r);
                }
                kernel.sleep(Duration.ofNanos(1_000));
            }
        });
        kernel.runUntil(reader::finished, Duration.ofSeconds(10));
        assertThat(reader.failure()).isEmpty();
        assertThat(torn).isEmpty();
        assertThat(reads[0]).isGreaterThan(50);
        assertThat(t.retries()).as("the reader met updates in progress (%d reads)", reads[0]).isPositive();
    }

    @XenpvTest
    @Checks(id = "XENBUS-TIME-2", ref = REF)
    @DisplayName("GetTime is the wallclock plus system time plus the scaled TSC delta, in 100 ns since 1601; Local = !RealTimeIsUniversal" + " (" + REF + ")")
    void wallclockPlusSystemTimeInWindowsEpoch(Kernel kernel, Platform platform, Toolstack toolstack) {
        Instant boot = Instant.parse("2131-05-17T08:30:15.123456789Z"); // wc_sec above 2^32
        platform.setWallclock(boot.getEpochSecond(), boot.getNano());
        GuestDomain g = toolstack.create("clock");
        Domain d = platform.domain(g.domid());
        SharedInfoTime local = time(kernel, d, SharedInfoTime.Options.DEFAULT);
        SharedInfoTime utc = time(kernel, d, SharedInfoTime.Options.DEFAULT.withRealTimeIsUniversal(true));
        kernel.runFor(Duration.ofSeconds(90));
        d.updateTime();
        kernel.runFor(Duration.ofMillis(333)); // a stale record: the TSC delta covers the 333 ms
        long now = kernel.nanoTime();
        XenTime x = local.getTime();
        Instant expect = boot.plusNanos(now);
        assertThat(x.toInstant()).isEqualTo(expect.minusNanos(expect.getNano() % 100));
        assertThat(x.windowsTime()).isEqualTo(windows(boot.getEpochSecond(), boot.getNano(), now));
        assertThat(x.local()).as("RealTimeIsUniversal absent: the RTC is local time").isTrue();
        assertThat(utc.getTime().local()).isFalse();
        SharedInfoTime driver = time(kernel, d, SharedInfoTime.Options.DEFAULT.withWcSecHi(false));
        assertThat(x.windowsTime() - driver.getTime().windowsTime()).as("the driver ignores wc_sec_hi")
                .isEqualTo((1L << 32) * 10_000_000L);
    }
}
