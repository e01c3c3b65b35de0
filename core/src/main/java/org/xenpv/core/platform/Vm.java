package org.xenpv.core.platform;

import java.util.Objects;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.log.Event;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;

/**
 * A guest as the guest itself sees it: the one thing that survives save/restore. Guest code (XENBUS
 * and its children) reaches the hypervisor through {@link #domain()} on every hypercall instead of
 * keeping a {@link Domain}, because after a restore the same guest runs in a new domain with a new
 * domid, fresh event channels, a fresh grant table and fresh shared info, and only its RAM
 * contents carried over (which is what a real HVM guest experiences: its pointers into its own RAM
 * stay valid, everything Xen owns must be set up again).
 *
 * <p>{@link #shutdown(ShutdownReason)} is {@code SCHEDOP_shutdown}. With
 * {@link ShutdownReason#SUSPEND} the calling vCPU stays inside the hypercall until the toolstack
 * either resumes the domain where it is ({@code xc_domain_resume}: return 1 when cooperative, the
 * "cancelled" case) or restores a saved image of it and unpauses the new domain (return 0).
 */
public final class Vm {

    /** {@code SCHEDOP_shutdown(SHUTDOWN_suspend)} return value when the suspend was cancelled. */
    public static final int SUSPEND_CANCELLED = 1;
    /** Return value when the guest resumed after a real save/restore (or a non-cooperative resume). */
    public static final int SUSPEND_RESUMED = 0;

    private final Kernel kernel;
    private final Platform platform;
    private final WaitQueue resumed;
    private volatile Domain domain;
    /** Return value for the vCPU waiting in SCHEDOP_shutdown(suspend), or null. Guarded by this. */
    private Integer pendingRc;
    /** Whether a vCPU is inside SCHEDOP_shutdown(suspend). Guarded by this. */
    private boolean suspended;

    private Vm(Platform platform, Domain domain) {
        this.platform = platform;
        this.kernel = platform.kernel();
        this.domain = domain;
        this.resumed = kernel.waitQueue("vm-resume-" + DomId.name(domain.domid()));
    }

    /**
     * The guest running in {@code domain}: created once per booted domain, by whoever boots the
     * guest; later calls return the same object.
     */
    public static Vm of(Platform platform, Domain domain) {
        return domain.vm(() -> new Vm(platform, domain));
    }

    /** {@link #of(Platform, Domain)} on the domain's own platform. */
    public static Vm of(Domain domain) {
        return of(domain.platform(), domain);
    }

    public Kernel kernel() {
        return kernel;
    }

    public Platform platform() {
        return platform;
    }

    /** The domain this guest currently runs in. */
    public Domain domain() {
        return domain;
    }

    /** Shorthand for {@code domain().domid()}. */
    public int domid() {
        return domain.domid();
    }

    /** Whether a vCPU of this guest is inside {@code SCHEDOP_shutdown(SHUTDOWN_suspend)}. */
    public synchronized boolean suspended() {
        return suspended;
    }

    /**
     * {@code SCHEDOP_shutdown(reason)}. The domain is marked shut down with {@code reason} and
     * dom0 gets {@code VIRQ_DOM_EXC}, so xenstored fires {@code @releaseDomain} and the toolstack
     * reacts. For {@link ShutdownReason#SUSPEND} this blocks until the toolstack resumes or
     * restores the guest and returns {@link #SUSPEND_CANCELLED} or {@link #SUSPEND_RESUMED}; for
     * every other reason it returns 0 at once and the caller's vCPU must stop running guest code
     * (on Xen it would never be scheduled again).
     *
     * @throws IllegalStateException if the domain is already shut down
     */
    public int shutdown(ShutdownReason reason) {
        Objects.requireNonNull(reason);
        Domain d = domain;
        synchronized (this) {
            d.markShutdown(reason);
            if (reason == ShutdownReason.SUSPEND) {
                suspended = true;
                pendingRc = null;
            }
        }
        if (kernel.log().enabled()) {
            kernel.log().record(new Event.DomainShutdown(d.domid(), reason.controlValue()));
        }
        platform.dom0().evtchn().raiseVirq(Virq.DOM_EXC);
        if (reason != ShutdownReason.SUSPEND) {
            return 0;
        }
        resumed.await(this::woken);
        synchronized (this) {
            int out = pendingRc;
            pendingRc = null;
            suspended = false;
            return out;
        }
    }

    private synchronized boolean woken() {
        return pendingRc != null;
    }

    /** Moves the guest to {@code restored} (a restore); it continues there when {@link #wake} is called. */
    void rebind(Domain restored) {
        Domain old = domain;
        domain = restored;
        restored.vm(() -> this);
        old.detachVm(this);
    }

    /** Lets the vCPU waiting in {@code SCHEDOP_shutdown(suspend)} return {@code rc}. */
    void wake(int rc) {
        synchronized (this) {
            if (!suspended) {
                throw new IllegalStateException(DomId.name(domid()) + ": no vCPU is suspended in SCHEDOP_shutdown");
            }
            pendingRc = rc;
        }
        if (kernel.log().enabled()) {
            kernel.log().record(new Event.DomainResume(domid(), rc));
        }
        resumed.wakeAll();
    }

    @Override
    public String toString() {
        return "Vm[" + domain + "]";
    }
}
