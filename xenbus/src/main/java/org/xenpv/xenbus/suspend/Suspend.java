package org.xenpv.xenbus.suspend;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.platform.ShutdownReason;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenbus.sync.ProcessorSync;
import org.xenpv.xenbus.unplug.Unplug;

/**
 * XENBUS's SUSPEND interface, version 1 ({@code [bus suspend.c]}, windows-pv-drivers.md §1.5):
 * EARLY and LATE callbacks kept in registration order, {@link #count()} ({@code GetCount}) and
 * {@link #trigger()}, the part of the suspend sequence after the FDO took the balloon/suspend mutex
 * and cleared {@code control/shutdown} (that part is the FDO's suspend thread).
 *
 * <p>{@link #trigger()}:
 * <ol>
 *   <li>{@code SyncCapture}, {@code SyncDisableInterrupts} on the guest's {@link ProcessorSync}: it
 *       waits for store requests and DPCs in flight, so none spans the suspend.</li>
 *   <li>{@code SCHEDOP_shutdown(SHUTDOWN_suspend)} ({@link Vm#shutdown}), which returns when the
 *       toolstack resumes or restores the guest.</li>
 *   <li>Return 1 (cancelled): <b>no callback runs</b>, not even the unplug; the count stays.</li>
 *   <li>Return 0: EARLY on every vCPU ({@code SuspendEarly}): the count rises by one per vCPU; on
 *       CPU0 the emulated devices are unplugged again ({@link Unplug#resume}, a restored guest has a
 *       fresh device model) and then the EARLY callbacks run, in registration order.</li>
 *   <li>{@code SyncEnableInterrupts}; on return 0 the LATE callbacks, in registration order, still
 *       captured; then {@code SyncRelease}.</li>
 * </ol>
 * The whole sequence runs on the calling actor, the suspend thread (it is CPU0 here).
 *
 * <p>Not modelled: {@code VCPUOP_register_vcpu_info} (the platform keeps every {@code vcpu_info}
 * in shared info, where a restored guest finds it again), so the per-vCPU EARLY step only counts.
 */
public final class Suspend {

    private static final Logger LOG = LoggerFactory.getLogger(Suspend.class);

    private final Vm vm;
    private final Kernel kernel;
    private final ProcessorSync sync;
    private final Unplug unplug;
    private final List<SuspendCallback> early = new ArrayList<>();
    private final List<SuspendCallback> late = new ArrayList<>();
    private long count;
    private long triggers;
    private long cancels;

    /**
     * @param vm     the guest
     * @param sync   the guest's processors (shared with EVTCHN and STORE)
     * @param unplug the emulated-device unplug run again at every resume, or {@code null} if the
     *               platform device offers none
     */
    public Suspend(Vm vm, ProcessorSync sync, Unplug unplug) {
        this.vm = Objects.requireNonNull(vm);
        this.kernel = vm.kernel();
        this.sync = Objects.requireNonNull(sync);
        this.unplug = unplug;
    }

    /**
     * {@code SuspendRegister}: appends {@code function} to the EARLY or LATE list; callbacks run in
     * registration order.
     */
    public synchronized SuspendCallback register(SuspendCallbackType type, String name, Runnable function) {
        SuspendCallback cb = new SuspendCallback(Objects.requireNonNull(type), Objects.requireNonNull(name),
                Objects.requireNonNull(function));
        (type == SuspendCallbackType.EARLY ? early : late).add(cb);
        return cb;
    }

    /**
     * {@code SuspendDeregister}.
     *
     * @throws IllegalArgumentException if {@code callback} is not registered (deregistered twice)
     */
    public synchronized void deregister(SuspendCallback callback) {
        List<SuspendCallback> list = callback.type() == SuspendCallbackType.EARLY ? early : late;
        if (!list.remove(callback)) {
            throw new IllegalArgumentException(DomId.name(vm.domid()) + ": SUSPEND callback " + callback
                    + " is not registered");
        }
    }

    /** The callbacks of {@code type}, in the order they run. */
    public synchronized List<SuspendCallback> callbacks(SuspendCallbackType type) {
        return List.copyOf(type == SuspendCallbackType.EARLY ? early : late);
    }

    /**
     * {@code SuspendGetCount}: rises by the number of vCPUs on every resume that ran the callbacks
     * (never on a cancelled suspend). For change detection only.
     */
    public synchronized long count() {
        return count;
    }

    /** Times {@link #trigger()} ran. */
    public synchronized long triggers() {
        return triggers;
    }

    /** Times the hypercall returned 1 (cancelled). */
    public synchronized long cancels() {
        return cancels;
    }

    /**
     * {@code SuspendTrigger}: the sequence in the class comment. Must run on a guest actor; it blocks
     * in {@code SCHEDOP_shutdown} until the toolstack resumes or restores the guest.
     */
    public SuspendOutcome trigger() {
        String before = DomId.name(vm.domid());
        int fromDomid = vm.domid();
        note("SUSPEND: ====>");
        sync.capture();
        sync.disableInterrupts();
        note("SUSPEND: SCHEDOP_shutdown:SHUTDOWN_suspend ====>");
        int rc = vm.shutdown(ShutdownReason.SUSPEND);
        note("SUSPEND: SCHEDOP_shutdown:SHUTDOWN_suspend <==== (" + rc + ") in " + DomId.name(vm.domid()));
        synchronized (this) {
            triggers++;
            if (rc != 0) {
                cancels++;
            }
        }
        boolean resumed = rc == 0;
        try {
            if (resumed) {
                runEarly();
            }
        } finally {
            sync.enableInterrupts();
        }
        try {
            if (resumed) {
                run(SuspendCallbackType.LATE);
            }
        } finally {
            sync.release();
        }
        note("SUSPEND: <====");
        LOG.info("{}: suspend {} ({}), now {}", before, resumed ? "resumed" : "cancelled", rc, DomId.name(vm.domid()));
        return new SuspendOutcome(rc, fromDomid, vm.domid(), count());
    }

    /** {@code SuspendEarly} on every vCPU; CPU0 alone unplugs and runs the callbacks. */
    private void runEarly() {
        int vcpus = vm.domain().vcpus();
        for (int cpu = 0; cpu < vcpus; cpu++) {
            synchronized (this) {
                count++;
            }
            note("SUSPEND: EARLY (" + cpu + ")");
        }
        if (unplug != null) {
            note("SUSPEND: UnplugDevices: " + unplug.resume());
        }
        run(SuspendCallbackType.EARLY);
    }

    private void run(SuspendCallbackType type) {
        for (SuspendCallback cb : callbacks(type)) {
            note("SUSPEND: " + type + " " + cb.name());
            cb.function().run();
        }
    }

    private void note(String what) {
        if (kernel.log().enabled()) {
            kernel.log().note("xenbus", DomId.name(vm.domid()) + " " + what);
        }
    }

    @Override
    public synchronized String toString() {
        return "Suspend[" + DomId.name(vm.domid()) + " count " + count + ", " + early.size() + " early, " + late.size()
                + " late]";
    }
}
