package org.xenpv.xenbus.gnttab;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.grant.GrantEntryV1;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.grant.Gtf;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenbus.memory.GuestFrames;

/**
 * XENBUS's GNTTAB interface for one guest ({@code [bus gnttab.c]}, windows-pv-drivers.md §1.3): grant
 * table v1 (never {@code set_version}), frames mapped one by one into hole gfns with
 * {@code XENMEM_add_to_physmap(grant_table, idx)} when free refs run out, entries written by the guest
 * in its own mapping of the frames.
 *
 * <p>Quirks reproduced:
 * <ul>
 *   <li>Refs 0-31 are never handed out: 0 = console ring, 1 = store ring (seeded by the toolstack),
 *       8-31 left to XENCRSH ({@link #FIRST_FREE_REF}).</li>
 *   <li>Permit writes {@code domid} and {@code frame}, a barrier, then {@code flags}.</li>
 *   <li>Revoke compare-and-sets {@code GTF_permit_access} away only while neither {@code GTF_reading}
 *       nor {@code GTF_writing} is set, tries {@link #REVOKE_TRIES} times with {@code SCHEDOP_yield}
 *       between, then zeroes the entry; if every try fails it reports an error and the ref leaks
 *       (it is never reused, so a still-mapped page cannot be re-granted).</li>
 *   <li>The store and console ring gfns come from grant entries 1 and 0, not the HVM params.</li>
 * </ul>
 * The client reaches the hypervisor through {@link Vm#domain()} at each use and keeps only gfns, so
 * after a restore into a new domain {@link #resumeEarly} re-adds every frame there at its old index
 * and gfn and the entries are read from the new table (where only the toolstack's seeds 0/1 exist).
 * A preemption point sits between the writes of one entry, where a real vCPU could be interrupted, so
 * seeded runs let a Xen-side observer look at half-written entries.
 */
public final class GnttabClient {

    private static final Logger LOG = LoggerFactory.getLogger(GnttabClient.class);

    /** Refs below this are reserved ({@code GNTTAB_RESERVED_XENSTORE}, XENCRSH's 8-31). */
    public static final int FIRST_FREE_REF = 32;
    /** First ref XENCRSH may use. */
    public static final int CRASH_FIRST_REF = 8;
    /** {@code [bus gnttab.c GnttabRevokeForeignAccess]}: CAS attempts before giving up. */
    public static final int REVOKE_TRIES = 100;

    private final Vm vm;
    private final Kernel kernel;
    private final GuestFrames frames;
    private final List<Long> frameGfns = new ArrayList<>();
    private final BitSet used = new BitSet();
    private final BitSet leaked = new BitSet();
    private int maxFrames;

    public GnttabClient(Vm vm, GuestFrames frames) {
        this.vm = vm;
        this.kernel = vm.kernel();
        this.frames = frames;
    }

    private String name() {
        return DomId.name(vm.domid());
    }

    /** {@code GnttabAcquire}: {@code GNTTABOP_query_size} for the limit, then frame 0 is mapped. */
    public synchronized void acquire() {
        maxFrames = vm.domain().grantTable().maxFrames();
        if (frameGfns.isEmpty()) {
            addFrame();
        }
    }

    private void addFrame() {
        int index = frameGfns.size();
        if (index >= maxFrames) {
            throw new GnttabException(-1, name() + ": grant table full: " + index + " frames = max_grant_frames "
                    + maxFrames + ", " + used.cardinality() + " refs in use, " + leaked.cardinality() + " leaked");
        }
        long gfn = frames.allocHole();
        vm.domain().mapGrantFrame(index, gfn);
        frameGfns.add(gfn);
        LOG.debug("{}: grant frame {} at gfn 0x{}", name(), index, Long.toHexString(gfn));
    }

    /** Frames mapped so far. */
    public synchronized int frameCount() {
        return frameGfns.size();
    }

    /** Refs this client can address with its current frames. */
    public synchronized int capacity() {
        return frameGfns.size() * GrantEntryV1.PER_FRAME;
    }

    /** Refs leaked by failed revokes. */
    public synchronized BitSet leakedRefs() {
        return (BitSet) leaked.clone();
    }

    private Page framePage(int ref) {
        long gfn;
        synchronized (this) {
            gfn = frameGfns.get(ref / GrantEntryV1.PER_FRAME);
        }
        return vm.domain().memory().page(gfn);
    }

    private static int offset(int ref) {
        return (ref % GrantEntryV1.PER_FRAME) * GrantEntryV1.SIZE;
    }

    private synchronized int allocRef() {
        int ref = used.nextClearBit(FIRST_FREE_REF);
        if (ref >= capacity()) {
            addFrame();
        }
        used.set(ref);
        return ref;
    }

    /**
     * {@code GnttabPermitForeignAccess}: a free ref (growing the table if needed) granting
     * {@code domid} access to {@code gfn}, written in v1 order.
     */
    public int permitForeignAccess(int domid, long gfn, boolean readOnly) {
        if (gfn < 0 || gfn > 0xFFFF_FFFFL) {
            throw new GnttabException(-1, name() + ": gfn 0x" + Long.toHexString(gfn) + " does not fit grant_entry_v1.frame");
        }
        int ref = allocRef();
        Page p = framePage(ref);
        int off = offset(ref);
        p.putShort(off + GrantEntryV1.DOMID, (short) domid);
        kernel.preemptionPoint();
        p.putInt(off + GrantEntryV1.FRAME, (int) gfn);
        kernel.preemptionPoint();
        MemoryView.storeFence();
        p.putShort(off + GrantEntryV1.FLAGS, (short) (Gtf.PERMIT_ACCESS | (readOnly ? Gtf.READONLY : 0)));
        return ref;
    }

    /**
     * {@code GnttabRevokeForeignAccess}: ends access through {@code ref} and frees it.
     *
     * @throws GnttabException if the grantee still had it mapped or mid-copy after {@link #REVOKE_TRIES}
     *                         tries; the ref is leaked, the entry left as it was
     */
    public void revokeForeignAccess(int ref) {
        synchronized (this) {
            if (ref < FIRST_FREE_REF || !used.get(ref)) {
                throw new GnttabException(ref, name() + ": grant ref " + ref + " was not handed out by this client");
            }
        }
        Page p = framePage(ref);
        int off = offset(ref);
        for (int attempt = 1; attempt <= REVOKE_TRIES; attempt++) {
            int header = p.getIntVolatile(off);
            if ((header & (Gtf.READING | Gtf.WRITING)) == 0
                    && p.compareAndSetInt(off, header, header & 0xffff0000)) {
                p.putShort(off + GrantEntryV1.DOMID, (short) 0);
                p.putInt(off + GrantEntryV1.FRAME, 0);
                synchronized (this) {
                    used.clear(ref);
                    leaked.clear(ref);
                }
                return;
            }
            if (kernel.currentActor() != null) {
                kernel.yieldNow(); // SCHEDOP_yield; a caller outside the simulation just retries
            }
        }
        synchronized (this) {
            leaked.set(ref);
        }
        int header = p.getIntVolatile(off);
        throw new GnttabException(ref, name() + ": grant ref " + ref + " still in use by d" + (header >>> 16) + " ("
                + Gtf.describe(header & 0xffff) + ") after " + REVOKE_TRIES + " revoke attempts; ref leaked");
    }

    /** The entry as the guest sees it in its mapping of the frames. */
    public GrantEntryV1 entry(int ref) {
        synchronized (this) {
            if (ref < 0 || ref >= capacity()) {
                throw new GnttabException(ref, name() + ": grant ref " + ref + " beyond the " + capacity() + " mapped");
            }
        }
        Page p = framePage(ref);
        int off = offset(ref);
        int header = p.getIntVolatile(off);
        return new GrantEntryV1(header & 0xffff, header >>> 16, Integer.toUnsignedLong(p.getInt(off + GrantEntryV1.FRAME)));
    }

    /** The store ring gfn from grant entry 1 ({@code [bus store.c StoreGetAddress]}). */
    public long storeRingGfn() {
        return seeded(GrantTable.RESERVED_XENSTORE, "store");
    }

    /** The console ring gfn from grant entry 0 ({@code [bus console.c]}). */
    public long consoleRingGfn() {
        return seeded(GrantTable.RESERVED_CONSOLE, "console");
    }

    private long seeded(int ref, String what) {
        GrantEntryV1 e = entry(ref);
        if (!e.permitsAccess()) {
            throw new GnttabException(ref, name() + ": grant entry " + ref + " (" + what + " ring) was not seeded by the "
                    + "toolstack: " + e);
        }
        return e.frame();
    }

    /**
     * Suspend EARLY: every frame is re-added at the same index and gfn of the domain the guest runs in
     * now. In the same domain (a non-cooperative resume) the entries survive; after a restore they are
     * the new table's (only the toolstack's seeds), and owners grant their pages again.
     */
    public synchronized void resumeEarly() {
        for (int i = 0; i < frameGfns.size(); i++) {
            vm.domain().mapGrantFrame(i, frameGfns.get(i));
        }
    }

    /** gfn where grant frame {@code index} is mapped. */
    public synchronized long frameGfn(int index) {
        return frameGfns.get(index);
    }
}
