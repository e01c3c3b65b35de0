package org.xenpv.core.domain;

import java.util.function.LongSupplier;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;
import org.xenpv.core.sim.Kernel;

/**
 * A domain's shared-info page, byte-exact with {@code struct shared_info}, {@code struct vcpu_info}
 * and {@code struct vcpu_time_info} of {@code xen.h} / {@code arch-x86/xen.h} for x86_64.
 *
 * <p>It holds the 2-level event-channel state (pending and mask bitmaps, and per vCPU
 * {@code evtchn_upcall_pending} and {@code evtchn_pending_sel}), which the event-channel layer
 * updates with atomic read-modify-writes as Xen's {@code guest_test_and_set_bit} does, and the
 * time: the wallclock ({@code wc_version}/{@code wc_sec}/{@code wc_nsec}/{@code wc_sec_hi}) and per
 * vCPU system time. Both time records follow the version protocol of {@code vcpu_time_info}: the
 * writer makes {@code version} odd, writes, then makes it even again; a reader retries while the
 * version is odd or changed.
 *
 * <p>The simulated TSC runs at 1 GHz on the kernel clock ({@link Kernel#nanoTime()}), so a guest
 * computing {@code system_time + ((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul >> 32}
 * gets the kernel's time no matter how stale the record is.
 */
public final class SharedInfo {

    /** {@code sizeof(struct shared_info)}. */
    public static final int SIZE = 3136;
    /** {@code XEN_LEGACY_MAX_VCPUS}: vCPUs with a {@code vcpu_info} slot in the page. */
    public static final int LEGACY_MAX_VCPUS = 32;
    /** {@code sizeof(struct vcpu_info)}. */
    public static final int VCPU_INFO_SIZE = 64;
    /** Offset of {@code vcpu_info[0]}. */
    public static final int VCPU_INFO = 0;
    /** Offset of {@code evtchn_pending[64]} ({@code xen_ulong_t}). */
    public static final int EVTCHN_PENDING = 2048;
    /** Offset of {@code evtchn_mask[64]}. */
    public static final int EVTCHN_MASK = 2560;
    /** Offset of {@code wc_version}. */
    public static final int WC_VERSION = 3072;
    /** Offset of {@code wc_sec}. */
    public static final int WC_SEC = 3076;
    /** Offset of {@code wc_nsec}. */
    public static final int WC_NSEC = 3080;
    /** Offset of {@code wc_sec_hi} (x86_64 only). */
    public static final int WC_SEC_HI = 3084;
    /** Offset of {@code struct arch_shared_info}. */
    public static final int ARCH = 3088;
    /** {@code sizeof(struct arch_shared_info)}. */
    public static final int ARCH_SIZE = 48;

    /** {@code vcpu_info.evtchn_upcall_pending} (u8). */
    public static final int VI_EVTCHN_UPCALL_PENDING = 0;
    /** {@code vcpu_info.evtchn_upcall_mask} (u8). */
    public static final int VI_EVTCHN_UPCALL_MASK = 1;
    /** {@code vcpu_info.evtchn_pending_sel} ({@code xen_ulong_t}). */
    public static final int VI_EVTCHN_PENDING_SEL = 8;
    /** {@code vcpu_info.arch} ({@code struct arch_vcpu_info}, 16 bytes). */
    public static final int VI_ARCH = 16;
    /** {@code vcpu_info.time} ({@code struct vcpu_time_info}). */
    public static final int VI_TIME = 32;

    /** {@code sizeof(struct vcpu_time_info)}. */
    public static final int VT_SIZE = 32;
    /** {@code vcpu_time_info.version}. */
    public static final int VT_VERSION = 0;
    /** {@code vcpu_time_info.tsc_timestamp}. */
    public static final int VT_TSC_TIMESTAMP = 8;
    /** {@code vcpu_time_info.system_time}. */
    public static final int VT_SYSTEM_TIME = 16;
    /** {@code vcpu_time_info.tsc_to_system_mul}. */
    public static final int VT_TSC_TO_SYSTEM_MUL = 24;
    /** {@code vcpu_time_info.tsc_shift} (s8). */
    public static final int VT_TSC_SHIFT = 28;
    /** {@code vcpu_time_info.flags} (u8, interface version > 0x040600). */
    public static final int VT_FLAGS = 29;
    /** {@code XEN_PVCLOCK_TSC_STABLE_BIT}. */
    public static final int PVCLOCK_TSC_STABLE_BIT = 1;
    /** {@code XEN_PVCLOCK_GUEST_STOPPED}. */
    public static final int PVCLOCK_GUEST_STOPPED = 2;

    /** Bits per {@code xen_ulong_t} on x86_64 ({@code BITS_PER_EVTCHN_WORD}). */
    public static final int BITS_PER_EVTCHN_WORD = 64;
    /** {@code EVTCHN_2L_NR_CHANNELS} for x86_64. */
    public static final int EVTCHN_2L_NR_CHANNELS = BITS_PER_EVTCHN_WORD * BITS_PER_EVTCHN_WORD;

    /** Frequency of the simulated TSC: one tick per kernel nanosecond. */
    public static final long TSC_HZ = 1_000_000_000L;
    /** {@code tsc_to_system_mul} for a 1 GHz TSC with {@link #TSC_SHIFT}: {@code (1 << 1) * 2^31 >> 32 == 1}. */
    public static final int TSC_TO_SYSTEM_MUL = 0x8000_0000;
    /** {@code tsc_shift} for a 1 GHz TSC. */
    public static final int TSC_SHIFT = 1;

    /** Wallclock a fresh domain boots with unless told otherwise: 2024-01-01T00:00:00Z. */
    public static final long DEFAULT_WALLCLOCK_SECONDS = 1_704_067_200L;

    private final int domid;
    private final int vcpus;
    private final Page page = new Page();
    private final Kernel kernel;

    /**
     * @param domid  owner (error messages)
     * @param vcpus  number of vCPUs, at most {@link #LEGACY_MAX_VCPUS}
     * @param kernel gives the time-update protocol its preemption points and readers a way to wait
     */
    public SharedInfo(int domid, int vcpus, Kernel kernel) {
        if (vcpus < 1 || vcpus > LEGACY_MAX_VCPUS) {
            throw new IllegalArgumentException(DomId.name(domid) + ": " + vcpus + " vCPUs; shared_info has slots for 1.."
                    + LEGACY_MAX_VCPUS);
        }
        this.domid = domid;
        this.vcpus = vcpus;
        this.kernel = kernel;
    }

    /** The page itself (what {@code XENMEM_add_to_physmap(XENMAPSPACE_shared_info)} maps). */
    public Page page() {
        return page;
    }

    public int domid() {
        return domid;
    }

    public int vcpus() {
        return vcpus;
    }

    /** Offset of {@code vcpu_info[vcpu]}. */
    public static int vcpuInfo(int vcpu) {
        return VCPU_INFO + vcpu * VCPU_INFO_SIZE;
    }

    /** Offset of {@code vcpu_info[vcpu].time}. */
    public static int vcpuTime(int vcpu) {
        return vcpuInfo(vcpu) + VI_TIME;
    }

    private void checkVcpu(int vcpu) {
        if (vcpu < 0 || vcpu >= vcpus) {
            throw new IllegalArgumentException(DomId.name(domid) + ": no vCPU " + vcpu + " (has " + vcpus + ")");
        }
    }

    // ---- atomic bit operations on u32 words (bitmaps of xen_ulong_t are u32 pairs, little-endian) ----

    private boolean testAndSet(int wordOffset, int mask) {
        while (true) {
            int v = page.getIntVolatile(wordOffset);
            if ((v & mask) != 0) {
                return true;
            }
            if (page.compareAndSetInt(wordOffset, v, v | mask)) {
                return false;
            }
        }
    }

    private boolean testAndClear(int wordOffset, int mask) {
        while (true) {
            int v = page.getIntVolatile(wordOffset);
            if ((v & mask) == 0) {
                return false;
            }
            if (page.compareAndSetInt(wordOffset, v, v & ~mask)) {
                return true;
            }
        }
    }

    private int swapZero(int wordOffset) {
        while (true) {
            int v = page.getIntVolatile(wordOffset);
            if (v == 0 || page.compareAndSetInt(wordOffset, v, 0)) {
                return v;
            }
        }
    }

    private static int bitWord(int base, int bit) {
        return base + ((bit >>> 5) << 2);
    }

    /** Atomically sets bit {@code bit} of the bitmap at {@code base}; returns its old value. */
    public boolean testAndSetBit(int base, int bit) {
        return testAndSet(bitWord(base, bit), 1 << (bit & 31));
    }

    /** Atomically clears bit {@code bit} of the bitmap at {@code base}; returns its old value. */
    public boolean testAndClearBit(int base, int bit) {
        return testAndClear(bitWord(base, bit), 1 << (bit & 31));
    }

    /** Reads bit {@code bit} of the bitmap at {@code base} (sequentially consistent). */
    public boolean testBit(int base, int bit) {
        return (page.getIntVolatile(bitWord(base, bit)) & (1 << (bit & 31))) != 0;
    }

    /** {@code evtchn_pending} bit of {@code port}. */
    public boolean evtchnPending(int port) {
        return testBit(EVTCHN_PENDING, port);
    }

    /** {@code evtchn_mask} bit of {@code port}. */
    public boolean evtchnMasked(int port) {
        return testBit(EVTCHN_MASK, port);
    }

    /** Reads {@code evtchn_pending[word]} (a 64-bit {@code xen_ulong_t}). */
    public long evtchnPendingWord(int word) {
        return page.getLong(EVTCHN_PENDING + word * 8);
    }

    /** Reads {@code evtchn_mask[word]}. */
    public long evtchnMaskWord(int word) {
        return page.getLong(EVTCHN_MASK + word * 8);
    }

    // ---- per-vCPU upcall state ----

    /** Atomically sets {@code vcpu_info[vcpu].evtchn_upcall_pending}; returns whether it was set. */
    public boolean testAndSetUpcallPending(int vcpu) {
        checkVcpu(vcpu);
        return testAndSet(vcpuInfo(vcpu), 1);
    }

    /** Atomically swaps {@code evtchn_upcall_pending} to 0 ({@code xchg}); returns whether it was set. */
    public boolean testAndClearUpcallPending(int vcpu) {
        checkVcpu(vcpu);
        int off = vcpuInfo(vcpu);
        while (true) {
            int v = page.getIntVolatile(off);
            if ((v & 0xff) == 0) {
                return false;
            }
            if (page.compareAndSetInt(off, v, v & ~0xff)) {
                return true;
            }
        }
    }

    /** {@code evtchn_upcall_pending} of {@code vcpu}. */
    public boolean upcallPending(int vcpu) {
        checkVcpu(vcpu);
        return (page.getIntVolatile(vcpuInfo(vcpu)) & 0xff) != 0;
    }

    /** {@code evtchn_upcall_mask} of {@code vcpu} (PV only; HVM upcalls ignore it). */
    public boolean upcallMasked(int vcpu) {
        checkVcpu(vcpu);
        return (page.getIntVolatile(vcpuInfo(vcpu)) & 0xff00) != 0;
    }

    /** Atomically sets bit {@code bit} of {@code evtchn_pending_sel}; returns its old value. */
    public boolean testAndSetPendingSel(int vcpu, int bit) {
        checkVcpu(vcpu);
        return testAndSetBit(vcpuInfo(vcpu) + VI_EVTCHN_PENDING_SEL, bit);
    }

    /**
     * Swaps {@code evtchn_pending_sel} to 0 and returns the old value (the guest's
     * {@code xchg_xen_ulong}). Done as two 32-bit swaps: each selector bit is independent, so a bit
     * set between the halves is simply seen now or on the next pass.
     */
    public long swapPendingSel(int vcpu) {
        checkVcpu(vcpu);
        int off = vcpuInfo(vcpu) + VI_EVTCHN_PENDING_SEL;
        long lo = Integer.toUnsignedLong(swapZero(off));
        long hi = Integer.toUnsignedLong(swapZero(off + 4));
        return lo | (hi << 32);
    }

    /** Reads {@code evtchn_pending_sel} of {@code vcpu}. */
    public long pendingSel(int vcpu) {
        checkVcpu(vcpu);
        return page.getLong(vcpuInfo(vcpu) + VI_EVTCHN_PENDING_SEL);
    }

    // ---- time ----

    /** Writes the system time of every vCPU (see {@link #updateVcpuTime}). */
    public void updateTime(long tsc, long systemTimeNanos) {
        for (int v = 0; v < vcpus; v++) {
            updateVcpuTime(v, tsc, systemTimeNanos);
        }
    }

    /**
     * Xen's update of {@code vcpu_info[vcpu].time}: version made odd, fields written, version made
     * even. The kernel may preempt the writer between the steps (a preemption point), which is how
     * the deterministic kernel lets a reader see an update in progress.
     */
    public void updateVcpuTime(int vcpu, long tsc, long systemTimeNanos) {
        checkVcpu(vcpu);
        int base = vcpuTime(vcpu);
        int version = page.getIntVolatile(base + VT_VERSION);
        page.putIntVolatile(base + VT_VERSION, version + 1);
        kernel.preemptionPoint();
        page.putLong(base + VT_TSC_TIMESTAMP, tsc);
        kernel.preemptionPoint();
        page.putLong(base + VT_SYSTEM_TIME, systemTimeNanos);
        page.putInt(base + VT_TSC_TO_SYSTEM_MUL, TSC_TO_SYSTEM_MUL);
        page.putByte(base + VT_TSC_SHIFT, (byte) TSC_SHIFT);
        page.putByte(base + VT_FLAGS, (byte) PVCLOCK_TSC_STABLE_BIT);
        MemoryView.storeFence();
        page.putIntVolatile(base + VT_VERSION, version + 2);
    }

    /**
     * A guest's read of its system time: the {@code vcpu_time_info} seqlock read plus the TSC
     * scaling of {@code xen.h}. Retries while the version is odd or changes, yielding to the kernel
     * so that the writer can finish.
     *
     * @param tsc the guest's {@code rdtsc}
     */
    public TimeReading readSystemTime(int vcpu, LongSupplier tsc) {
        checkVcpu(vcpu);
        int base = vcpuTime(vcpu);
        int retries = 0;
        while (true) {
            int v1 = page.getIntVolatile(base + VT_VERSION);
            if ((v1 & 1) == 0) {
                MemoryView.loadFence();
                long tscStamp = page.getLong(base + VT_TSC_TIMESTAMP);
                long system = page.getLong(base + VT_SYSTEM_TIME);
                int mul = page.getInt(base + VT_TSC_TO_SYSTEM_MUL);
                int shift = page.getByte(base + VT_TSC_SHIFT);
                long now = tsc.getAsLong();
                MemoryView.loadFence();
                if (page.getIntVolatile(base + VT_VERSION) == v1) {
                    return new TimeReading(system + scaleDelta(now - tscStamp, mul, shift), v1, retries);
                }
            }
            retries++;
            backOff();
        }
    }

    /** {@code pvclock_scale_delta}: {@code ((delta << shift) * mul) >> 32} in 96-bit arithmetic. */
    public static long scaleDelta(long delta, int mul, int shift) {
        long d = shift >= 0 ? delta << shift : delta >>> -shift;
        long m = Integer.toUnsignedLong(mul);
        long hi = Math.unsignedMultiplyHigh(d, m);
        long lo = d * m;
        return (hi << 32) | (lo >>> 32);
    }

    /** Sets the wallclock (time of day at system time 0) with the {@code wc_version} protocol. */
    public void setWallclock(long seconds, int nanos) {
        if (nanos < 0 || nanos >= 1_000_000_000) {
            throw new IllegalArgumentException("wc_nsec out of range: " + nanos);
        }
        int version = page.getIntVolatile(WC_VERSION);
        page.putIntVolatile(WC_VERSION, version + 1);
        kernel.preemptionPoint();
        page.putInt(WC_SEC, (int) seconds);
        page.putInt(WC_NSEC, nanos);
        page.putInt(WC_SEC_HI, (int) (seconds >>> 32));
        MemoryView.storeFence();
        page.putIntVolatile(WC_VERSION, version + 2);
    }

    /** A guest's read of the wallclock ({@code wc_version} seqlock). */
    public Wallclock readWallclock() {
        int retries = 0;
        while (true) {
            int v1 = page.getIntVolatile(WC_VERSION);
            if ((v1 & 1) == 0) {
                MemoryView.loadFence();
                long sec = Integer.toUnsignedLong(page.getInt(WC_SEC))
                        | (Integer.toUnsignedLong(page.getInt(WC_SEC_HI)) << 32);
                int nsec = page.getInt(WC_NSEC);
                MemoryView.loadFence();
                if (page.getIntVolatile(WC_VERSION) == v1) {
                    return new Wallclock(sec, nsec, v1, retries);
                }
            }
            retries++;
            backOff();
        }
    }

    private void backOff() {
        if (kernel.currentActor() != null) {
            kernel.yieldNow();
        } else {
            Thread.onSpinWait();
        }
    }

    /** One consistent read of a vCPU's system time. */
    public record TimeReading(long systemTimeNanos, int version, int retries) { }

    /** One consistent read of the wallclock. */
    public record Wallclock(long seconds, int nanos, int version, int retries) {
        /** Nanoseconds since the Unix epoch. */
        public long epochNanos() {
            return seconds * 1_000_000_000L + nanos;
        }
    }

    @Override
    public String toString() {
        return "SharedInfo[" + DomId.name(domid) + ", " + vcpus + " vCPUs]";
    }
}
