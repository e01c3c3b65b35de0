package org.xenpv.core.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.grant.GrantEntryV1;
import org.xenpv.core.grant.GrantMapping;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.log.Event;
import org.xenpv.core.sim.Kernel;

/**
 * The simulated Xen hypervisor: the set of domains on one {@link Kernel}. It starts with dom0
 * (domid 0, privileged) and creates guests with ids allocated as Xen's {@code domain_create} does:
 * a rover that moves upward from 1 past the last id handed out and wraps below
 * {@code DOMID_FIRST_RESERVED}, so a destroyed domain's id is not handed out again at once, though a
 * toolstack may ask for it explicitly ({@link DomainConfig#withDomid}).
 *
 * <p>Destroying a domain is Xen's {@code domain_kill}: its event channels are closed (their peers
 * fall back to unbound), the grants it maps are unmapped, and {@code VIRQ_DOM_EXC} is raised in
 * dom0 (xenstored's cue for {@code @releaseDomain}). If other domains still map its grants it
 * lingers as a zombie holding its domid until they unmap; {@link #leakReport()} names them.
 *
 * <p>Every action is recorded in the kernel's event log; nothing iterates in hash order and
 * nothing reads the wall clock, so a deterministic kernel yields the same log for the same seed.
 */
public final class Platform {

    private final Kernel kernel;
    /** Running domains by domid: lock-free lookup for hypercall paths. */
    private final AtomicReferenceArray<Domain> running = new AtomicReferenceArray<>(DomId.DOMID_FIRST_RESERVED);
    /** Destroyed domains whose grants are still mapped; they keep their domid. Guarded by this. */
    private final TreeMap<Integer, Domain> zombies = new TreeMap<>();
    private final Domain dom0;
    private int rover;
    private long incarnations;
    private long wallclockSeconds = SharedInfo.DEFAULT_WALLCLOCK_SECONDS;
    private int wallclockNanos;

    /** A platform with a default dom0. */
    public Platform(Kernel kernel) {
        this(kernel, DomainConfig.dom0());
    }

    /** A platform whose dom0 is built from {@code dom0Config} (domid forced to 0, privileged). */
    public Platform(Kernel kernel, DomainConfig dom0Config) {
        this.kernel = kernel;
        this.dom0 = create(dom0Config.withDomid(0).withPrivileged(true));
    }

    public Kernel kernel() {
        return kernel;
    }

    /** The control domain. */
    public Domain dom0() {
        return dom0;
    }

    /** Creates an unprivileged guest with default settings. */
    public Domain createDomain(String name) {
        return createDomain(DomainConfig.guest(name));
    }

    /**
     * Creates a domain ({@code XEN_DOMCTL_createdomain}).
     *
     * @throws IllegalStateException if the requested domid is in use (or a zombie's), or none is free
     */
    public Domain createDomain(DomainConfig config) {
        return create(config);
    }

    private synchronized Domain create(DomainConfig config) {
        reap();
        int domid = config.domid();
        if (domid == DomainConfig.AUTO_DOMID) {
            domid = nextFreeDomid();
        } else if (running.get(domid) != null) {
            throw new IllegalStateException("domid " + domid + " is in use by " + running.get(domid));
        } else if (zombies.containsKey(domid)) {
            throw new IllegalStateException("domid " + domid + " is held by zombie " + zombies.get(domid) + ": "
                    + zombies.get(domid).grantTable().pinnedRefs() + " of its grant refs are still mapped");
        }
        Domain d = new Domain(this, domid, config.withDomid(domid), ++incarnations);
        d.sharedInfo().setWallclock(wallclockSeconds, wallclockNanos);
        d.updateTime();
        running.set(domid, d);
        if (kernel.log().enabled()) {
            kernel.log().record(new Event.DomainCreate(domid, config.name(), config.privileged()));
        }
        return d;
    }

    private int nextFreeDomid() {
        for (int tries = 0; tries < DomId.DOMID_FIRST_RESERVED; tries++) {
            if (++rover >= DomId.DOMID_FIRST_RESERVED) {
                rover = 1;
            }
            if (running.get(rover) == null && !zombies.containsKey(rover)) {
                return rover;
            }
        }
        throw new IllegalStateException("no free domid below DOMID_FIRST_RESERVED");
    }

    /** The running domain {@code domid}. */
    public Domain domain(int domid) {
        return findDomain(domid).orElseThrow(() -> new NoSuchElementException("no running domain " + DomId.name(domid)));
    }

    /** The running domain {@code domid}, if any. */
    public Optional<Domain> findDomain(int domid) {
        return Optional.ofNullable(live(domid));
    }

    private Domain live(int domid) {
        return domid >= 0 && domid < DomId.DOMID_FIRST_RESERVED ? running.get(domid) : null;
    }

    /** Running domains in domid order. */
    public List<Domain> domains() {
        List<Domain> out = new ArrayList<>();
        for (int i = 0; i < running.length(); i++) {
            Domain d = running.get(i);
            if (d != null) {
                out.add(d);
            }
        }
        return out;
    }

    /** Destroyed domains still held by foreign grant mappings, in domid order. */
    public synchronized List<Domain> zombies() {
        reap();
        return List.copyOf(zombies.values());
    }

    /**
     * Destroys domain {@code domid} ({@code domain_kill}): closes its event channels, unmaps the
     * grants it maps, raises {@code VIRQ_DOM_EXC} in dom0. The domain is gone at once unless others
     * still map its grants, in which case it is a zombie until they unmap.
     */
    public void destroyDomain(int domid) {
        Domain d;
        synchronized (this) {
            d = live(domid);
            if (d == null) {
                throw new NoSuchElementException("no running domain " + DomId.name(domid) + " to destroy");
            }
            if (d == dom0) {
                throw new IllegalArgumentException("dom0 cannot be destroyed");
            }
            d.setState(Domain.State.DYING);
            running.set(domid, null);
            zombies.put(domid, d);
        }
        if (kernel.log().enabled()) {
            kernel.log().record(new Event.DomainDestroy(domid));
        }
        d.evtchn().destroy();
        d.grants().releaseAll();
        dom0.evtchn().raiseVirq(Virq.DOM_EXC);
        synchronized (this) {
            reap();
        }
    }

    /**
     * {@code xc_domain_resume}: a domain shut down for suspend runs again in place. Cooperative
     * ({@code fast}, what {@code xl} does when a save or migration is abandoned) makes the guest's
     * {@code SCHEDOP_shutdown} return {@link Vm#SUSPEND_CANCELLED} with everything still set up;
     * otherwise it returns {@link Vm#SUSPEND_RESUMED} and the guest must reconnect as after a restore.
     *
     * @throws IllegalStateException if the domain is not shut down for suspend or no guest waits in it
     */
    public void resumeDomain(int domid, boolean fast) {
        Domain d = domain(domid);
        Vm vm = suspendedVm(d, "resume");
        d.clearShutdown();
        vm.wake(fast ? Vm.SUSPEND_CANCELLED : Vm.SUSPEND_RESUMED);
    }

    /**
     * {@code xl save} minus the destroy: an image of a domain shut down for suspend (its RAM, HVM
     * params, configuration and the suspended guest). The caller destroys the domain afterwards.
     *
     * @throws IllegalStateException if the domain is not shut down for suspend or no guest waits in it
     */
    public DomainImage saveDomain(int domid) {
        Domain d = domain(domid);
        Vm vm = suspendedVm(d, "save");
        Map<Integer, Long> params = new TreeMap<>();
        for (int i = 0; i < HvmParam.HVM_NR_PARAMS; i++) {
            long v = d.hvmParam(i);
            if (v != 0) {
                params.put(i, v);
            }
        }
        if (kernel.log().enabled()) {
            kernel.log().note("xen", DomId.name(domid) + " saved: " + d.memory().populatedPages() + " RAM frames");
        }
        return new DomainImage(domid, d.config(), d.memory().ramSnapshot(), params, vm);
    }

    /**
     * {@code xl restore} up to (not including) the unpause: a new domain with the image's
     * configuration and a fresh domid ({@code config} may override name or domid), its RAM and
     * HVM params loaded, the guest moved into it. The new domain stays paused: the toolstack
     * rebuilds its xenstore directory, seeds grant entries and channels, then calls
     * {@link #unpauseDomain(int)}, and only then does the guest's {@code SCHEDOP_shutdown} return 0.
     */
    public Domain restoreDomain(DomainImage image, DomainConfig config) {
        Vm vm = image.vm();
        if (!vm.suspended()) {
            throw new IllegalStateException("image of " + DomId.name(image.savedFrom()) + ": its guest is not suspended"
                    + " (restored already?)");
        }
        Domain d = createDomain(config);
        d.memory().loadRam(image.ram());
        image.hvmParams().forEach(d::setHvmParam);
        d.setPaused(true);
        vm.rebind(d);
        if (kernel.log().enabled()) {
            kernel.log().record(new Event.DomainRestore(image.savedFrom(), d.domid()));
        }
        return d;
    }

    /**
     * {@code xl unpause} of a restored domain: its guest returns from {@code SCHEDOP_shutdown}
     * with {@link Vm#SUSPEND_RESUMED}. A domain that is not paused is left alone.
     */
    public void unpauseDomain(int domid) {
        Domain d = domain(domid);
        if (!d.paused()) {
            return;
        }
        d.setPaused(false);
        d.vm().ifPresent(vm -> {
            if (vm.suspended()) {
                vm.wake(Vm.SUSPEND_RESUMED);
            }
        });
    }

    private static Vm suspendedVm(Domain d, String what) {
        if (d.shutdownReason().orElse(null) != ShutdownReason.SUSPEND) {
            throw new IllegalStateException("cannot " + what + " " + d + ": not shut down for suspend");
        }
        Vm vm = d.vm().orElseThrow(() -> new IllegalStateException("cannot " + what + " " + d + ": no guest booted in it"));
        if (!vm.suspended()) {
            throw new IllegalStateException("cannot " + what + " " + d + ": no vCPU waits in SCHEDOP_shutdown(suspend)");
        }
        return vm;
    }

    /** Lets zombies whose grants nobody maps any more die. Caller holds this. */
    private void reap() {
        var it = zombies.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, Domain> e = it.next();
            Domain z = e.getValue();
            if (z.grantTable().pinnedRefs() == 0) {
                z.setState(Domain.State.DEAD);
                it.remove();
                if (kernel.log().enabled()) {
                    kernel.log().note("xen", DomId.name(z.domid()) + " released (no grant of it mapped any more)");
                }
            }
        }
    }

    /**
     * The hypervisor's debug keys ({@code xl debug-keys}). Only {@code q} is simulated: Xen's
     * {@code dump_domains} ends by sending {@code VIRQ_DEBUG} to every vCPU of every domain, which is how
     * a guest learns it should dump its own state (the Windows XENBUS runs its DEBUG callbacks on it).
     *
     * @param keys the keys, in order
     * @return how many (domain, vCPU) bindings of {@code VIRQ_DEBUG} were notified
     * @throws IllegalArgumentException for a key other than {@code q}, naming it, before any key runs
     */
    public int debugKeys(String keys) {
        for (int i = 0; i < keys.length(); i++) {
            if (keys.charAt(i) != 'q') {
                throw new IllegalArgumentException("debug key '" + keys.charAt(i) + "' (in \"" + keys
                        + "\") is not simulated; only 'q' (dump domains, VIRQ_DEBUG to every vCPU) is");
            }
        }
        int notified = 0;
        for (int i = 0; i < keys.length(); i++) {
            if (kernel.log().enabled()) {
                kernel.log().note("xen", "debug key 'q': VIRQ_DEBUG to every vCPU of every domain");
            }
            for (Domain d : domains()) {
                for (int v = 0; v < d.vcpus(); v++) {
                    if (d.evtchn().raiseVirq(Virq.DEBUG, v)) {
                        notified++;
                    }
                }
            }
        }
        return notified;
    }

    /** Sets the wallclock of every domain (and of domains created later). */
    public synchronized void setWallclock(long seconds, int nanos) {
        wallclockSeconds = seconds;
        wallclockNanos = nanos;
        for (Domain d : domains()) {
            d.sharedInfo().setWallclock(seconds, nanos);
        }
    }

    /**
     * Everything still set up: grant mappings (by mapper, handle), permitted grant refs (by
     * granter, ref), bound event channels (by domain, port) and zombie domains.
     */
    public LeakReport leakReport() {
        List<Domain> live = domains();
        List<LeakReport.Leak> leaks = new ArrayList<>();
        for (Domain d : live) {
            for (GrantMapping m : d.grants().mappings()) {
                leaks.add(new LeakReport.LiveMapping(m.mapper(), m.granter(), m.ref(), m.handle(), m.readOnly()));
            }
        }
        for (Domain d : live) {
            for (Map.Entry<Integer, GrantEntryV1> e : d.grantTable().permittedRefs().entrySet()) {
                GrantEntryV1 g = e.getValue();
                leaks.add(new LeakReport.PermittedRef(d.domid(), e.getKey(), g.domid(), g.frame(), g.readOnly(), g.inUse()));
            }
        }
        for (Domain d : live) {
            for (Map.Entry<Integer, EvtchnStatus> e : d.evtchn().boundPorts().entrySet()) {
                leaks.add(new LeakReport.BoundChannel(d.domid(), e.getKey(), e.getValue()));
            }
        }
        for (Domain z : zombies()) {
            leaks.add(new LeakReport.ZombieDomain(z.domid(), z.name(), z.grantTable().pinnedRefs()));
        }
        return new LeakReport(leaks);
    }

    GrantTable grantTableOf(int domid) {
        Domain d = live(domid);
        return d == null ? null : d.grantTable();
    }

    EventChannels evtchnOf(int domid) {
        Domain d = live(domid);
        return d == null ? null : d.evtchn();
    }

    @Override
    public String toString() {
        return "Platform" + domains();
    }
}
