package org.xenpv.xenbus.memory;

import java.util.concurrent.atomic.AtomicLong;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Vm;

/**
 * Where XENBUS gets guest frames for the pages it hands to Xen: RAM pages it allocates itself (FIFO
 * control blocks and event arrays, {@code [bus evtchn_fifo.c]}) and "hole" gfns above RAM into which
 * Xen maps its own pages (shared info, grant-table frames; {@code [bus fdo.c FdoAllocateHole]},
 * windows-pv-drivers.md §1.1, §1.3). RAM is taken from the top down, holes from just above RAM
 * upwards, below the builder's {@link #SPECIAL_PAGES}, so neither collides with the rings.
 *
 * <p>Frames are guest frame numbers, which stay valid across save/restore (the RAM is copied into the
 * new domain at the same gfns): callers keep gfns and look their pages up in {@link Vm#domain()} at
 * each use, never {@code Page} objects of a domain that may be gone.
 */
public final class GuestFrames {

    /**
     * Pages at the top of RAM left to the domain builder (its "special pages": store and console
     * rings), which XENBUS never allocates.
     */
    public static final int SPECIAL_PAGES = 16;

    private final Vm vm;
    private final AtomicLong nextRam;
    private final AtomicLong nextHole;

    public GuestFrames(Vm vm) {
        this.vm = vm;
        long max = vm.domain().memory().maxPages();
        this.nextRam = new AtomicLong(max - 1 - SPECIAL_PAGES);
        this.nextHole = new AtomicLong(max);
    }

    /** A fresh RAM gfn (top-down). */
    public long allocRam() {
        long gfn = nextRam.getAndDecrement();
        if (gfn < 0) {
            throw new IllegalStateException(DomId.name(vm.domid()) + ": no guest RAM left for XENBUS pages");
        }
        return gfn;
    }

    /** A fresh gfn above RAM for a Xen page ({@code XENMEM_add_to_physmap} target). */
    public long allocHole() {
        return nextHole.getAndIncrement();
    }

    /** The guest. */
    public Vm vm() {
        return vm;
    }

    /** The domain the guest runs in now. */
    public Domain domain() {
        return vm.domain();
    }
}
