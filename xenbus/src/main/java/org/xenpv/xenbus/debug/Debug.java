package org.xenpv.xenbus.debug;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.platform.Vm;
import org.xenpv.xenbus.evtchn.EvtchnChannel;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.log.LogLevel;
import org.xenpv.xenbus.log.XenbusLog;

/**
 * XENBUS's DEBUG v1 interface ({@code [bus debug.c]}, windows-pv-drivers.md §1.8 "Debug"): drivers
 * register a prefix and a {@link DebugFunction}; a trigger runs every callback (or one) in registration
 * order, each framed by {@code XEN|DEBUG: ====>} / {@code <====} lines, and {@link #printf} inside a
 * callback logs {@code "<prefix>: <text>"} at INFO to the XENBUS log. Triggers come from
 * {@code VIRQ_DEBUG} bound on vCPU 0 ({@code xl debug-keys q}; the FDO's {@code FdoVirqInitialize},
 * here {@link #enableVirq}), from an explicit {@link #trigger}, and from a bugcheck ({@link #crashDump}).
 *
 * <p>As in the driver: a prefix keeps at most {@link #MAXIMUM_PREFIX_LENGTH}{@code - 1} characters;
 * {@link #printf} outside a callback is a bug (the driver asserts); the last {@link #release} with
 * callbacks still registered is a bug ({@code BUG("OUTSTANDING CALLBACKS")}), here an exception naming
 * them. Unlike the driver, callbacks do not run under one global lock: a callback deregistered while a
 * trigger is under way on another actor is skipped if the trigger has not reached it yet, and the
 * current prefix is per thread, so concurrent triggers keep their prefixes apart.
 *
 * <p>Resume: EVTCHN's late callback resets every channel, so {@link #resumeLate} (after EVTCHN's) binds
 * {@code VIRQ_DEBUG} again, as the FDO's late callback does ({@code FdoVirqTeardown} then
 * {@code FdoVirqInitialize}). The guest is held as a {@link Vm}, so after a restore the binding is made
 * in the domain the guest runs in now, and {@code xl debug-keys q} there reaches the callbacks.
 */
public final class Debug {

    private static final Logger LOG = LoggerFactory.getLogger(Debug.class);

    /** {@code MAXIMUM_PREFIX_LENGTH}, the terminating NUL included. */
    public static final int MAXIMUM_PREFIX_LENGTH = 32;

    private final Vm vm;
    private final EvtchnClient evtchn;
    private final XenbusLog log;
    private final CopyOnWriteArrayList<DebugCallback> callbacks = new CopyOnWriteArrayList<>();
    private final ThreadLocal<DebugCallback> current = new ThreadLocal<>();
    private final AtomicLong triggers = new AtomicLong();
    private final AtomicLong virqs = new AtomicLong();
    private int references;
    private boolean virqWanted;
    private EvtchnChannel virq;

    /**
     * @param vm     the guest
     * @param evtchn the same guest's EVTCHN ({@code VIRQ_DEBUG} is bound through it), or null for a DEBUG
     *               that is only triggered explicitly
     * @param log    where {@link #printf} writes
     */
    public Debug(Vm vm, EvtchnClient evtchn, XenbusLog log) {
        this.vm = java.util.Objects.requireNonNull(vm, "vm");
        this.evtchn = evtchn;
        this.log = java.util.Objects.requireNonNull(log, "log");
    }

    private String name() {
        return DomId.name(vm.domid());
    }

    /** The guest. */
    public Vm vm() {
        return vm;
    }

    /** The log {@link #printf} writes to. */
    public XenbusLog log() {
        return log;
    }

    // ---- Acquire / Release ------------------------------------------------------------------------

    /** {@code DebugAcquire}: one more reference (the driver registers its bugcheck callback on the first). */
    public synchronized void acquire() {
        references++;
    }

    /**
     * {@code DebugRelease}.
     *
     * @throws IllegalStateException on a release without acquire, or when the last reference goes while
     *                               callbacks are registered (named)
     */
    public synchronized void release() {
        if (references == 0) {
            throw new IllegalStateException(name() + ": DEBUG released more often than acquired");
        }
        if (references == 1 && !callbacks.isEmpty()) {
            throw new IllegalStateException(name() + ": DEBUG released with OUTSTANDING CALLBACKS " + prefixes());
        }
        references--;
    }

    /** References held. */
    public synchronized int references() {
        return references;
    }

    // ---- Register / Deregister --------------------------------------------------------------------

    /**
     * {@code DebugRegister}: adds a callback at the end of the list; {@code prefix} is cut to
     * {@link #MAXIMUM_PREFIX_LENGTH}{@code - 1} characters.
     */
    public DebugCallback register(String prefix, DebugFunction function) {
        String p = prefix.length() >= MAXIMUM_PREFIX_LENGTH ? prefix.substring(0, MAXIMUM_PREFIX_LENGTH - 1) : prefix;
        DebugCallback cb = new DebugCallback(p, java.util.Objects.requireNonNull(function, "function"));
        callbacks.add(cb);
        return cb;
    }

    /**
     * {@code DebugDeregister}.
     *
     * @throws IllegalArgumentException if {@code cb} is not registered here (twice, or another bus's)
     */
    public void deregister(DebugCallback cb) {
        if (!callbacks.remove(cb)) {
            throw new IllegalArgumentException(name() + ": DEBUG deregister of " + cb + ", which is not registered");
        }
        cb.deregistered();
    }

    /** Prefixes of the registered callbacks, in registration order. */
    public List<String> prefixes() {
        List<String> out = new ArrayList<>();
        for (DebugCallback cb : callbacks) {
            out.add(cb.prefix());
        }
        return out;
    }

    // ---- Printf / Trigger -------------------------------------------------------------------------

    /**
     * {@code DebugPrintf}: logs {@code "<prefix>: <text>"} at INFO, {@code prefix} being the running
     * callback's ({@link String#format} syntax).
     *
     * @throws IllegalStateException outside a debug callback (the driver asserts)
     */
    public void printf(String format, Object... args) {
        DebugCallback cb = current.get();
        if (cb == null) {
            throw new IllegalStateException(name() + ": DEBUG Printf outside a debug callback");
        }
        log.log(LogLevel.INFO, cb.prefix() + ": " + String.format(Locale.ROOT, format, args));
    }

    /** {@code DebugTrigger(NULL)}: runs every registered callback, in registration order. */
    public void trigger() {
        runAll(false);
    }

    /** {@code DebugTrigger(Callback)}: runs only {@code cb}. */
    public void trigger(DebugCallback cb) {
        if (!cb.registered()) {
            throw new IllegalArgumentException(name() + ": DEBUG trigger of " + cb);
        }
        triggers.incrementAndGet();
        run(cb, false);
    }

    /** The bugcheck callback: every callback with {@code crashing} = TRUE. */
    public void crashDump() {
        runAll(true);
    }

    /** Triggers so far (explicit, VIRQ and crash). */
    public long triggers() {
        return triggers.get();
    }

    private void runAll(boolean crashing) {
        triggers.incrementAndGet();
        for (DebugCallback cb : callbacks) {
            if (cb.registered()) {
                run(cb, crashing);
            }
        }
    }

    private void run(DebugCallback cb, boolean crashing) {
        DebugCallback outer = current.get();
        log.log(LogLevel.INFO, "XEN|DEBUG: ====> (" + cb.prefix() + ")\n");
        current.set(cb);
        try {
            cb.function().dump(crashing);
        } finally {
            current.set(outer);
        }
        log.log(LogLevel.INFO, "XEN|DEBUG: <==== (" + cb.prefix() + ")\n");
    }

    // ---- VIRQ_DEBUG -------------------------------------------------------------------------------

    /**
     * {@code FdoVirqInitialize}'s first step: {@code VIRQ_DEBUG} bound on vCPU 0 through EVTCHN; each
     * delivery (on vCPU 0's DPC) counts and runs {@link #trigger()}.
     */
    public synchronized void enableVirq() {
        if (virq != null) {
            throw new IllegalStateException(name() + ": VIRQ_DEBUG already bound on port " + virq.localPort());
        }
        if (evtchn == null) {
            throw new IllegalStateException(name() + ": VIRQ_DEBUG cannot be bound: this DEBUG was built without EVTCHN");
        }
        virq = evtchn.openVirq(Virq.DEBUG, 0, ch -> {
            virqs.incrementAndGet();
            trigger();
        });
        virqWanted = true;
        LOG.debug("{}: VIRQ_DEBUG on port {}", name(), virq.localPort());
    }

    /** {@code FdoVirqTeardown}: closes the {@code VIRQ_DEBUG} channel, if bound. */
    public synchronized void disableVirq() {
        virqWanted = false;
        closeVirq();
    }

    private void closeVirq() {
        if (virq != null) {
            evtchn.close(virq);
            virq = null;
        }
    }

    /** The {@code VIRQ_DEBUG} channel's port, or -1. */
    public synchronized int virqPort() {
        return virq == null ? -1 : virq.localPort();
    }

    /** {@code VIRQ_DEBUG} deliveries so far ({@code Virq->Count}). */
    public long virqCount() {
        return virqs.get();
    }

    /** Suspend EARLY: nothing (the channel goes inactive with every other one in EVTCHN's early callback). */
    public void suspendEarly() {
    }

    /**
     * Suspend LATE, after EVTCHN's: the old binding died with {@code EVTCHNOP_reset}, so the stale
     * channel is dropped and {@code VIRQ_DEBUG} bound again if it was enabled.
     */
    public synchronized void resumeLate() {
        closeVirq();
        if (virqWanted) {
            virqWanted = false;
            enableVirq();
        }
    }

    @Override
    public String toString() {
        return "Debug[" + name() + ", " + prefixes() + (virq == null ? "" : ", VIRQ_DEBUG port " + virq.localPort()) + "]";
    }
}
