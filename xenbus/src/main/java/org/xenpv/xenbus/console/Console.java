package org.xenpv.xenbus.console;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.ring.RingFault;
import org.xenpv.core.ring.RingIndexException;
import org.xenpv.core.ring.console.ConsoleRing;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelLock;
import org.xenpv.xenbus.debug.Debug;
import org.xenpv.xenbus.debug.DebugCallback;
import org.xenpv.xenbus.evtchn.EvtchnChannel;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.gnttab.GnttabClient;

/**
 * XENBUS's CONSOLE v1 interface, the guest's end of the primary PV console ({@code [bus console.c]},
 * windows-pv-drivers.md §1.8 "Logging"): the {@code xencons_interface} page whose gfn is in grant entry
 * 0, and the FIXED event channel in {@code HVM_PARAM_CONSOLE_EVTCHN}.
 *
 * <ul>
 *   <li>{@link #acquire} is skipped when {@code HVM_PARAM_CONSOLE_EVTCHN} is absent (0): "in some Xen
 *       deployments the tool-stack may not set up the console"; the FDO then logs nowhere but its
 *       ports.</li>
 *   <li>{@link #read} / {@link #write} never block: they copy what is there / what fits (partial copies
 *       are normal), and send an event only if more than 0 bytes moved.</li>
 *   <li>An event from the backend runs the console DPC, which fires every {@link #wakeupAdd wakeup}.</li>
 *   <li>{@link #resumeLate} re-reads the gfn (it must not move), maps the ring again from the RAM of the
 *       domain the guest now runs in (a restore gives the guest a new domain: its RAM contents carried
 *       over, the old domain's pages gone) and re-opens the channel on the port now in
 *       {@code HVM_PARAM_CONSOLE_EVTCHN} (EVTCHN's reset re-bound it, or the toolstack gave the new
 *       domain a new one).</li>
 * </ul>
 *
 * <p>The backend is untrusted: every ring operation checks {@code prod - cons <= ring size} first
 * (XSA-376 style; the driver itself does not). A broken index pair makes the operation move nothing and
 * return 0; it is counted ({@link #faults}) and kept ({@link #lastFault}), never thrown.
 *
 * <p>Read and write hold the ring lock ({@code HIGH_LOCK}), a {@link KernelLock}, so they must be called
 * from an actor; the ring's index accesses are preemption points.
 */
public final class Console {

    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    /** Prefix of the console's own DEBUG callback ({@code __MODULE__ "|CONSOLE"}). */
    public static final String DEBUG_PREFIX = "XENBUS|CONSOLE";

    private final Vm vm;
    private final Kernel kernel;
    private final EvtchnClient evtchn;
    private final GnttabClient gnttab;
    private final Debug debug;
    private final KernelLock ringLock;
    private final List<ConsoleWakeup> wakeups = new CopyOnWriteArrayList<>();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong dpcs = new AtomicLong();
    private final AtomicLong faults = new AtomicLong();
    private final AtomicLong sends = new AtomicLong();
    private volatile RingFault lastFault;
    private volatile ConsoleRing ring;
    private volatile EvtchnChannel channel;
    private volatile boolean enabled;
    private long gfn = -1;
    private int references;
    private DebugCallback debugCallback;

    /**
     * @param vm     the guest
     * @param evtchn the same guest's EVTCHN (the FIXED console channel)
     * @param gnttab the same guest's GNTTAB (grant entry 0 names the ring's gfn)
     * @param debug  where the console's DEBUG callback is registered
     */
    public Console(Vm vm, EvtchnClient evtchn, GnttabClient gnttab, Debug debug) {
        this.vm = Objects.requireNonNull(vm, "vm");
        this.kernel = vm.kernel();
        this.evtchn = Objects.requireNonNull(evtchn, "evtchn");
        this.gnttab = Objects.requireNonNull(gnttab, "gnttab");
        this.debug = Objects.requireNonNull(debug, "debug");
        this.ringLock = kernel.lock(name() + "/xenbus console ring");
    }

    private String name() {
        return DomId.name(vm.domid());
    }

    /** The guest. */
    public Vm vm() {
        return vm;
    }

    /** Whether {@code HVM_PARAM_CONSOLE_EVTCHN} is set in the domain the guest runs in now. */
    public boolean present() {
        return vm.domain().hvmParam(HvmParam.CONSOLE_EVTCHN) != 0;
    }

    // ---- Acquire / Release ------------------------------------------------------------------------

    /**
     * {@code ConsoleAcquire}: on the first reference, the ring gfn from grant entry 0, the FIXED channel
     * on {@code HVM_PARAM_CONSOLE_EVTCHN} (unmasked with Force, so a pending event is re-raised), an
     * initial DPC, and the console's DEBUG callback.
     *
     * @return false, taking no reference, if {@code HVM_PARAM_CONSOLE_EVTCHN} is absent
     */
    public synchronized boolean acquire() {
        if (references > 0) {
            references++;
            return true;
        }
        if (!present()) {
            LOG.info("{}: no HVM_PARAM_CONSOLE_EVTCHN; PV console skipped", name());
            return false;
        }
        gfn = gnttab.consoleRingGfn();
        ring = new ConsoleRing(vm.domain().memory().page(gfn), kernel);
        enable();
        debug.acquire();
        debugCallback = debug.register(DEBUG_PREFIX, this::dumpDebug);
        references = 1;
        LOG.debug("{}: CONSOLE page at gfn 0x{}, port {}", name(), Long.toHexString(gfn), channel.localPort());
        return true;
    }

    /**
     * {@code ConsoleRelease}: on the last reference, the DEBUG callback goes and the channel is closed
     * (FIXED: forgotten, not {@code EVTCHNOP_close}d).
     *
     * @throws IllegalStateException without a reference, or if wakeups are still registered (named; the
     *                               driver's {@code BUG("OUTSTANDING WAKEUPS")})
     */
    public synchronized void release() {
        if (references == 0) {
            throw new IllegalStateException(name() + ": CONSOLE released more often than acquired");
        }
        if (references == 1) {
            if (!wakeups.isEmpty()) {
                throw new IllegalStateException(name() + ": CONSOLE released with OUTSTANDING WAKEUPS " + wakeups);
            }
            debug.deregister(debugCallback);
            debugCallback = null;
            debug.release();
            disable();
            ring = null;
            gfn = -1;
        }
        references--;
    }

    private void enable() {
        int port = (int) vm.domain().hvmParam(HvmParam.CONSOLE_EVTCHN);
        EvtchnChannel ch = evtchn.openFixed(port, false, c -> onEvent());
        evtchn.unmask(ch, false, true);
        channel = ch;
        enabled = true;
        LOG.debug("{}: CONSOLE: ENABLE ({})", name(), port);
        poll(); // [bus console.c ConsoleEnable]: an initial poll
    }

    private void disable() {
        enabled = false;
        EvtchnChannel ch = channel;
        channel = null;
        if (ch != null) {
            evtchn.close(ch);
        }
        LOG.debug("{}: CONSOLE: DISABLE", name());
    }

    /** References held. */
    public synchronized int references() {
        return references;
    }

    /** Whether the channel is open (acquired, and not torn down). */
    public boolean enabled() {
        return enabled;
    }

    /** The ring gfn (from grant entry 0), or -1 when not acquired. */
    public synchronized long ringGfn() {
        return gfn;
    }

    /** The guest's console port, or -1. */
    public int port() {
        EvtchnChannel ch = channel;
        return ch == null ? -1 : ch.localPort();
    }

    // ---- Read / Write -----------------------------------------------------------------------------

    /** {@code ConsoleCanRead}: whether input is waiting (false when the indices are broken). */
    public boolean canRead() {
        ConsoleRing r = requireRing("CanRead");
        return guarded(() -> r.in().available() != 0);
    }

    /** {@code ConsoleCanWrite}: whether the output ring has space (false when the indices are broken). */
    public boolean canWrite() {
        ConsoleRing r = requireRing("CanWrite");
        return guarded(() -> r.out().space() != 0);
    }

    /**
     * {@code ConsoleRead}: copies up to {@code len} input bytes; an event tells the backend if any moved.
     *
     * @return bytes read; 0 when there are none, when disabled, or when the indices are broken
     */
    public int read(byte[] dst, int off, int len) {
        requireRing("Read");
        return locked(r -> r.in().read(dst, off, len));
    }

    /**
     * {@code ConsoleWrite}: copies as much of {@code src[off, off+len)} as fits; an event tells the
     * backend if any byte moved.
     *
     * @return bytes written; 0 when the ring is full, when disabled, or when the indices are broken
     */
    public int write(byte[] src, int off, int len) {
        requireRing("Write");
        return locked(r -> r.out().write(src, off, len));
    }

    /** {@link #write} of a whole array. */
    public int write(byte[] src) {
        return write(src, 0, src.length);
    }

    private interface RingOp {
        int run(ConsoleRing ring);
    }

    /** The ring is read under the lock: a resume in between may have mapped it again. */
    private int locked(RingOp op) {
        ringLock.lock();
        try {
            ConsoleRing r = ring;
            if (!enabled || r == null) {
                return 0;
            }
            int n;
            try {
                n = op.run(r);
            } catch (RingIndexException e) {
                fault(e.fault());
                return 0;
            }
            if (n > 0 && evtchn.send(channel)) {
                sends.incrementAndGet();
            }
            return n;
        } finally {
            ringLock.unlock();
        }
    }

    private boolean guarded(BooleanSupplier op) {
        try {
            return op.getAsBoolean();
        } catch (RingIndexException e) {
            fault(e.fault());
            return false;
        }
    }

    private void fault(RingFault f) {
        lastFault = f;
        if (faults.incrementAndGet() == 1) {
            LOG.error("{}: PV console ring broken by the backend: {}", name(), f.message());
        }
    }

    private ConsoleRing requireRing(String op) {
        ConsoleRing r = ring;
        if (r == null) {
            throw new IllegalStateException(name() + ": CONSOLE " + op + " without Acquire");
        }
        return r;
    }

    /** Times a ring operation found broken indices. */
    public long faults() {
        return faults.get();
    }

    /** The last broken-index fault seen. */
    public Optional<RingFault> lastFault() {
        return Optional.ofNullable(lastFault);
    }

    /** Events sent to the backend. */
    public long sends() {
        return sends.get();
    }

    /** Events received from the backend ({@code Context->Events}). */
    public long events() {
        return events.get();
    }

    /** DPC runs, the initial poll of each enable included ({@code Context->Dpcs}). */
    public long dpcs() {
        return dpcs.get();
    }

    // ---- Wakeups ----------------------------------------------------------------------------------

    /** {@code ConsoleWakeupAdd}: {@code action} runs from the console DPC on every backend event. */
    public ConsoleWakeup wakeupAdd(String owner, Runnable action) {
        ConsoleWakeup w = new ConsoleWakeup(owner, Objects.requireNonNull(action, "action"));
        wakeups.add(w);
        return w;
    }

    /** {@code ConsoleWakeupRemove}. */
    public void wakeupRemove(ConsoleWakeup w) {
        if (!wakeups.remove(w)) {
            throw new IllegalArgumentException(name() + ": CONSOLE wakeup remove of " + w + ", which is not registered");
        }
    }

    private void onEvent() {
        events.incrementAndGet();
        poll();
    }

    private void poll() {
        dpcs.incrementAndGet();
        if (!enabled) {
            return;
        }
        for (ConsoleWakeup w : wakeups) {
            w.fire();
        }
    }

    // ---- Suspend / resume -------------------------------------------------------------------------

    /** Suspend EARLY: nothing (EVTCHN makes the channel inactive, so writes stop sending). */
    public void suspendEarly() {
    }

    /**
     * Suspend LATE, after EVTCHN's: the gfn is read again from grant entry 0 (it must be the same page),
     * the ring taken from that gfn of the domain the guest runs in now, and the channel re-opened on the
     * port now in {@code HVM_PARAM_CONSOLE_EVTCHN}.
     *
     * @throws IllegalStateException if the toolstack moved the console page
     */
    public synchronized void resumeLate() {
        if (references == 0) {
            return;
        }
        long now = gnttab.consoleRingGfn();
        if (now != gfn) {
            throw new IllegalStateException(name() + ": console ring moved across resume: grant entry 0 names gfn 0x"
                    + Long.toHexString(now) + ", was 0x" + Long.toHexString(gfn));
        }
        disable();
        ring = new ConsoleRing(vm.domain().memory().page(gfn), kernel);
        if (present()) {
            enable();
        } else {
            LOG.warn("{}: no HVM_PARAM_CONSOLE_EVTCHN after resume; PV console stays disabled", name());
        }
    }

    // ---- Debug ------------------------------------------------------------------------------------

    private void dumpDebug(boolean crashing) {
        debug.printf("Address = %016x\n", gfn << 12);
        ConsoleRing r = ring;
        if (!crashing && r != null) {
            debug.printf("out_cons = %08x out_prod = %08x\n", r.view().getIntAcquire(ConsoleRing.OUT_CONS),
                    r.view().getIntAcquire(ConsoleRing.OUT_PROD));
            debug.printf("in_cons = %08x in_prod = %08x\n", r.view().getIntAcquire(ConsoleRing.IN_CONS),
                    r.view().getIntAcquire(ConsoleRing.IN_PROD));
        }
        debug.printf("Events = %d Dpcs = %d\n", events.get(), dpcs.get());
        if (!wakeups.isEmpty()) {
            debug.printf("WAKEUPS:\n");
            for (ConsoleWakeup w : wakeups) {
                debug.printf("- %s\n", w.owner());
            }
        }
    }

    @Override
    public String toString() {
        ConsoleRing r = ring;
        return "Console[" + name() + (r == null ? ", not acquired" : ", gfn 0x" + Long.toHexString(gfn) + ", port "
                + port() + ", " + r) + "]";
    }
}
