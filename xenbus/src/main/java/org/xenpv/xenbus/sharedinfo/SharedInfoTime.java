package org.xenpv.xenbus.sharedinfo;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenbus.memory.GuestFrames;

/**
 * {@code SHARED_INFO.GetTime} of XENBUS ({@code [bus shared_info.c SharedInfoGetTime]},
 * windows-pv-drivers.md §1.1 "Time"): the time of day from the guest's mapping of {@code shared_info}.
 *
 * <ol>
 *   <li>Read {@code wc_version} and vCPU 0's {@code time.version}, then the wallclock
 *       ({@code wc_sec}, {@code wc_nsec}) and {@code system_time}, {@code tsc_timestamp},
 *       {@code tsc_shift}, {@code tsc_to_system_mul}; start again while either version is odd or has
 *       changed (both records follow the seqlock protocol of {@code vcpu_time_info}).</li>
 *   <li>{@code rdtsc}; the age {@code tsc - tsc_timestamp} is shifted by {@code tsc_shift} and scaled by
 *       {@code tsc_to_system_mul >> 32} (128-bit product, as pvclock) and added to {@code system_time}.</li>
 *   <li>The wallclock (time of day at system time 0) moves from the Unix to the Windows epoch
 *       ({@link #WINDOWS_EPOCH_OFFSET_SECONDS}) and the system time is added; the result is in 100 ns
 *       units. The TSC and system-time arithmetic is unsigned 64-bit, as the driver's {@code ULONGLONG}s.</li>
 *   <li>{@code Local} = {@code !RealTimeIsUniversal} ({@link Options}).</li>
 * </ol>
 *
 * <p>Two differences from the driver at bus@1087a8d, both about far-future dates: it reads only the
 * 32-bit {@code wc_sec} (its time wraps in 2106), while {@link Options#wcSecHi()} (on by default) also
 * reads {@code wc_sec_hi}, the x86_64 upper half, as Linux' pvclock does
 * ({@code Options.DEFAULT.withWcSecHi(false)} reads as the driver); and it forms
 * {@code (seconds * 10^9 + nanos) / 100} in 64 bits, which wraps after 2185, where this class computes the
 * same value as {@code seconds * 10^7 + nanos / 100}.
 *
 * <p>The page is mapped into a hole gfn with {@code XENMEM_add_to_physmap(shared_info)} and read
 * through the guest's physmap. The guest is held as a {@link Vm}: after a restore into a new domain the
 * old mapping is gone with the old domain, so {@link #resumeEarly} (the FDO's SHARED_INFO EARLY
 * callback) maps the new domain's page at the same gfn and reads go there; the TSC is read from the
 * domain the guest runs in at each read. Mask-all after the map (§1.1) stays with {@code EvtchnClient}, which
 * sets the 2-level masks when it acquires that ABI.
 */
public final class SharedInfoTime {

    private static final Logger LOG = LoggerFactory.getLogger(SharedInfoTime.class);

    /** Seconds from 1601-01-01 (Windows epoch) to 1970-01-01 (Unix epoch). */
    public static final long WINDOWS_EPOCH_OFFSET_SECONDS = 11_644_473_600L;
    private static final long NS_PER_S = 1_000_000_000L;

    /**
     * Registry and build knobs.
     *
     * @param realTimeIsUniversal {@code HKLM\System\CurrentControlSet\Control\TimeZoneInformation\RealTimeIsUniversal}:
     *                            absent (false) on a default Windows install, so {@code Local} is TRUE
     * @param wcSecHi             whether {@code wc_sec_hi} is read (false = the driver at bus@1087a8d)
     */
    public record Options(boolean realTimeIsUniversal, boolean wcSecHi) {
        /** A default Windows install (RTC in local time), reading {@code wc_sec_hi}. */
        public static final Options DEFAULT = new Options(false, true);

        public Options withRealTimeIsUniversal(boolean v) {
            return new Options(v, wcSecHi);
        }

        public Options withWcSecHi(boolean v) {
            return new Options(realTimeIsUniversal, v);
        }
    }

    private final Vm vm;
    private final Kernel kernel;
    private final GuestFrames frames;
    private final Options options;
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private volatile Page shared;
    private long gfn = -1;

    /**
     * @param vm      the guest
     * @param frames  where the hole gfn comes from (the same guest's)
     * @param options registry and build knobs
     */
    public SharedInfoTime(Vm vm, GuestFrames frames, Options options) {
        this.vm = java.util.Objects.requireNonNull(vm, "vm");
        this.kernel = vm.kernel();
        this.frames = java.util.Objects.requireNonNull(frames, "frames");
        this.options = java.util.Objects.requireNonNull(options, "options");
    }

    private String name() {
        return DomId.name(vm.domid());
    }

    /** The guest. */
    public Vm vm() {
        return vm;
    }

    /** Maps {@code shared_info} at a fresh hole gfn ({@code XENMEM_add_to_physmap(shared_info, 0)}). */
    public synchronized void acquire() {
        if (gfn < 0) {
            gfn = frames.allocHole();
        }
        map();
    }

    private void map() {
        var domain = vm.domain();
        domain.mapSharedInfo(gfn);
        shared = domain.memory().page(gfn);
        LOG.debug("{}: shared_info at gfn 0x{}", name(), Long.toHexString(gfn));
    }

    /**
     * Suspend EARLY: the page is mapped again at the same gfn in the domain the guest runs in now (after a
     * restore, the new domain's {@code shared_info}; after a cancelled suspend, the same page again).
     */
    public synchronized void resumeEarly() {
        if (gfn >= 0) {
            map();
        }
    }

    /**
     * {@code SharedInfoRelease} on the last reference: the page stays in the physmap (the driver leaves the
     * hole mapped), but reads are refused until the next {@link #acquire}.
     */
    public synchronized void release() {
        shared = null;
    }

    /** Whether the page is mapped (acquired, not released). */
    public boolean acquired() {
        return shared != null;
    }

    /** The gfn the page is mapped at, or -1 before {@link #acquire}. */
    public synchronized long gfn() {
        return gfn;
    }

    public Options options() {
        return options;
    }

    /** Sequence-lock retries over all reads so far. */
    public long retries() {
        return retries.get();
    }

    /** Consistent reads so far. */
    public long reads() {
        return reads.get();
    }

    /**
     * {@code SharedInfoGetTime}: the time of day and {@code Local}.
     *
     * @throws IllegalStateException before {@link #acquire}, or when called off the simulation (no actor)
     *                               while an update is half done on a deterministic kernel, where nothing
     *                               could ever finish it
     */
    public XenTime getTime() {
        TimeReading r = read();
        long system = r.systemTime() + age(r.tsc(), r.tscTimestamp(), r.tscShift(), r.tscToSystemMul());
        long seconds = r.wcSec() + WINDOWS_EPOCH_OFFSET_SECONDS + Long.divideUnsigned(system, NS_PER_S);
        long nanos = r.wcNsec() + Long.remainderUnsigned(system, NS_PER_S);
        // The driver divides (seconds * 10^9 + nanos) by 100, a ULONGLONG that wraps after 2185; the same
        // value without the wrap (10^9 is a multiple of 100, so nothing rounds differently):
        long windows = seconds * (NS_PER_S / 100) + nanos / 100;
        return new XenTime(windows, !options.realTimeIsUniversal(), r);
    }

    /** {@code ((tsc - stamp) << shift) * mul >> 32}, unsigned, with a 128-bit product. */
    static long age(long tsc, long stamp, int shift, long mul) {
        long age = tsc - stamp;
        age = shift < 0 ? age >>> -shift : age << shift;
        long hi = Math.unsignedMultiplyHigh(age, mul);
        long lo = age * mul;
        return (hi << 32) | (lo >>> 32);
    }

    /** The sequence-locked read of the wallclock and vCPU 0's time record, then {@code rdtsc}. */
    public TimeReading read() {
        Page p = shared;
        if (p == null) {
            throw new IllegalStateException(name() + ": SHARED_INFO GetTime before acquire (shared_info not mapped)");
        }
        int t = SharedInfo.vcpuTime(0);
        int tries = 0;
        while (true) {
            int wcVersion = p.getIntVolatile(SharedInfo.WC_VERSION);
            int timeVersion = p.getIntVolatile(t + SharedInfo.VT_VERSION);
            MemoryView.loadFence();
            long sec = Integer.toUnsignedLong(p.getInt(SharedInfo.WC_SEC));
            kernel.preemptionPoint();
            long nsec = Integer.toUnsignedLong(p.getInt(SharedInfo.WC_NSEC));
            if (options.wcSecHi()) {
                sec |= Integer.toUnsignedLong(p.getInt(SharedInfo.WC_SEC_HI)) << 32;
            }
            kernel.preemptionPoint();
            long system = p.getLong(t + SharedInfo.VT_SYSTEM_TIME);
            kernel.preemptionPoint();
            long stamp = p.getLong(t + SharedInfo.VT_TSC_TIMESTAMP);
            int shift = p.getByte(t + SharedInfo.VT_TSC_SHIFT);
            long mul = Integer.toUnsignedLong(p.getInt(t + SharedInfo.VT_TSC_TO_SYSTEM_MUL));
            MemoryView.loadFence();
            int wcAgain = p.getIntVolatile(SharedInfo.WC_VERSION);
            int timeAgain = p.getIntVolatile(t + SharedInfo.VT_VERSION);
            if (wcAgain == wcVersion && timeAgain == timeVersion && (wcVersion & 1) == 0 && (timeVersion & 1) == 0) {
                long tsc = vm.domain().tsc();
                reads.incrementAndGet();
                return new TimeReading(wcVersion, timeVersion, sec, nsec, system, stamp, mul, shift, tsc, tries);
            }
            tries++;
            retries.incrementAndGet();
            backOff(wcAgain, timeAgain);
        }
    }

    private void backOff(int wcVersion, int timeVersion) {
        if (kernel.currentActor() != null) {
            kernel.yieldNow();
        } else if (kernel.mode() == Kernel.Mode.DETERMINISTIC) {
            throw new IllegalStateException(name() + ": shared_info time update in progress (wc_version " + wcVersion
                    + ", time.version " + timeVersion + ") and GetTime was called off the simulation, where no "
                    + "actor can finish it: call it from an actor");
        } else {
            Thread.onSpinWait();
        }
    }

    @Override
    public String toString() {
        return "SharedInfoTime[" + name() + ", gfn 0x" + Long.toHexString(gfn) + ", " + options + "]";
    }
}
