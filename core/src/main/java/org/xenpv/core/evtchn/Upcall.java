package org.xenpv.core.evtchn;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;

/**
 * A vCPU's event-channel upcall: the {@code evtchn_upcall_pending} byte of its {@code vcpu_info}
 * plus the kernel {@link WaitQueue} standing in for the callback interrupt
 * ({@code HVM_PARAM_CALLBACK_IRQ}). Xen's {@code vcpu_mark_events_pending} sets the byte and, when
 * it was clear, interrupts the vCPU; here that wakes the guest's interrupt actor, which swaps the
 * byte back to 0 and scans for pending ports, repeating while it is set again.
 */
public final class Upcall {

    private final SharedInfo shared;
    private final int vcpu;
    private final WaitQueue queue;
    private final AtomicLong raised = new AtomicLong();

    public Upcall(Kernel kernel, SharedInfo shared, int vcpu) {
        this.shared = shared;
        this.vcpu = vcpu;
        this.queue = kernel.waitQueue(DomId.name(shared.domid()) + "/vcpu" + vcpu + " upcall");
    }

    public int vcpu() {
        return vcpu;
    }

    /** Where the guest's interrupt actor waits. */
    public WaitQueue queue() {
        return queue;
    }

    /** {@code evtchn_upcall_pending}. */
    public boolean pending() {
        return shared.upcallPending(vcpu);
    }

    /** The ISR's {@code xchg(&evtchn_upcall_pending, 0)}: returns whether it was set. */
    public boolean testAndClear() {
        return shared.testAndClearUpcallPending(vcpu);
    }

    /** Blocks the calling actor until an upcall is pending. */
    public void await() {
        if (!pending()) {
            queue.await(this::pending);
        }
    }

    /** Blocks the calling actor until an upcall is pending or {@code timeout} passes; returns whether one is. */
    public boolean await(Duration timeout) {
        return pending() || queue.await(this::pending, timeout);
    }

    /** How many times Xen raised this upcall (clear-to-set transitions of the pending byte). */
    public long raised() {
        return raised.get();
    }

    /** {@code vcpu_mark_events_pending}: returns whether this call raised it. */
    boolean raise() {
        if (shared.testAndSetUpcallPending(vcpu)) {
            return false;
        }
        raised.incrementAndGet();
        queue.wakeAll();
        return true;
    }

    @Override
    public String toString() {
        return "Upcall[" + queue.name() + (pending() ? ", pending" : "") + ", raised " + raised.get() + "]";
    }
}
