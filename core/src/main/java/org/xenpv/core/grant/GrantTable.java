package org.xenpv.core.grant;

import java.util.Arrays;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.EventLog;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;

/**
 * A domain's grant table, version 1: frames of {@code grant_entry_v1} owned by the granting domain,
 * plus Xen's private per-entry pin counts ({@code struct active_grant_entry}).
 *
 * <p>The public methods are the guest's side, done on the shared frames exactly as Linux and the
 * Windows XENBUS do: {@link #permit} writes {@code domid} and {@code frame}, a store fence, then
 * {@code flags}; {@link #revoke} compare-and-sets the flags to 0 and is refused while
 * {@code GTF_reading}/{@code GTF_writing} are set. Frame growth ({@code GNTTABOP_setup_table},
 * {@code XENMEM_add_to_physmap(XENMAPSPACE_grant_table)}) goes up to {@link #maxFrames()}.
 *
 * <p>Refs 0 and 1 are {@code GNTTAB_RESERVED_CONSOLE} and {@code GNTTAB_RESERVED_XENSTORE}: the
 * toolstack seeds them with the console and store ring frames; refs below
 * {@link #NR_RESERVED_ENTRIES} are the toolstack's.
 */
public final class GrantTable {

    /** Frames a fresh table has ({@code INITIAL_NR_GRANT_FRAMES}). */
    public static final int INITIAL_FRAMES = 1;
    /** Xen's default {@code max_grant_frames}. */
    public static final int DEFAULT_MAX_FRAMES = 64;
    /** {@code GNTTAB_NR_RESERVED_ENTRIES}. */
    public static final int NR_RESERVED_ENTRIES = 8;
    /** {@code GNTTAB_RESERVED_CONSOLE}. */
    public static final int RESERVED_CONSOLE = 0;
    /** {@code GNTTAB_RESERVED_XENSTORE}. */
    public static final int RESERVED_XENSTORE = 1;
    /** Compare-and-set attempts on an entry header before Xen gives up on an unstable guest. */
    private static final int SET_STATUS_TRIES = 5;

    /** {@code struct active_grant_entry}: Xen's pin state of one ref, guarded by its monitor. */
    static final class Active {
        int readers;
        int writers;
        int mapper;
        long gfn;
        Page page;

        int pins() {
            return readers + writers;
        }
    }

    private final int domid;
    private final int maxFrames;
    private final EventLog log;
    private final LongFunction<Page> memory;
    private final Object growLock = new Object();
    private volatile Page[] frames = new Page[0];
    private volatile Active[] active = new Active[0];
    private final AtomicInteger pinnedRefs = new AtomicInteger();

    /**
     * @param domid     the granting domain
     * @param maxFrames {@code max_grant_frames}
     * @param memory    the granter's gfn -> page lookup ({@code null} for a gfn that is not its memory)
     * @param log       where permit/revoke are recorded
     */
    public GrantTable(int domid, int maxFrames, LongFunction<Page> memory, EventLog log) {
        if (maxFrames < INITIAL_FRAMES) {
            throw new IllegalArgumentException(DomId.name(domid) + ": max_grant_frames " + maxFrames + " < " + INITIAL_FRAMES);
        }
        this.domid = domid;
        this.maxFrames = maxFrames;
        this.memory = memory;
        this.log = log;
        growTo(INITIAL_FRAMES);
    }

    public int domid() {
        return domid;
    }

    /** Frames in use ({@code nr_grant_frames}). */
    public int nrFrames() {
        return frames.length;
    }

    /** {@code max_grant_frames}. */
    public int maxFrames() {
        return maxFrames;
    }

    /** Number of refs the current frames hold ({@code nr_grant_entries}). */
    public int capacity() {
        return frames.length * GrantEntryV1.PER_FRAME;
    }

    /** Grant-table frame {@code index} (what {@code XENMEM_add_to_physmap} maps into the guest). */
    public Page frame(int index) {
        Page[] f = frames;
        if (index < 0 || index >= f.length) {
            throw new IllegalArgumentException(DomId.name(domid) + ": no grant frame " + index + " (table has " + f.length + ")");
        }
        return f[index];
    }

    /**
     * Grows the table to {@code nrFrames} frames ({@code gnttab_grow_table}); new frames are zero.
     * Returns false if that exceeds {@link #maxFrames()}; never shrinks.
     */
    public boolean grow(int nrFrames) {
        if (nrFrames > maxFrames) {
            return false;
        }
        if (growTo(nrFrames) && log.enabled()) {
            log.note("xen-gnttab", DomId.name(domid) + " grant table grown to " + nrFrames + " frames");
        }
        return true;
    }

    /** Adds frames up to {@code nrFrames}; returns whether any were added. */
    private boolean growTo(int nrFrames) {
        synchronized (growLock) {
            Page[] f = frames;
            if (nrFrames <= f.length) {
                return false;
            }
            Active[] a = Arrays.copyOf(active, nrFrames * GrantEntryV1.PER_FRAME);
            for (int i = active.length; i < a.length; i++) {
                a[i] = new Active();
            }
            Page[] g = Arrays.copyOf(f, nrFrames);
            for (int i = f.length; i < g.length; i++) {
                g[i] = new Page();
            }
            // Publish the pin entries before the frames: readers size by frames, then index active.
            active = a;
            frames = g;
            return true;
        }
    }

    /**
     * {@code GNTTABOP_setup_table}: ensures at least {@code nrFrames} frames.
     *
     * @return {@code GNTST_okay}, or {@code GNTST_general_error} beyond {@link #maxFrames()}
     */
    public int setupTable(int nrFrames) {
        if (nrFrames < 0 || !grow(nrFrames)) {
            return GntSt.GENERAL_ERROR;
        }
        return GntSt.OKAY;
    }

    private void checkRef(int ref) {
        if (ref < 0 || ref >= capacity()) {
            throw new IllegalArgumentException(DomId.name(domid) + ": grant ref " + ref + " beyond the table (" + nrFrames()
                    + " frames = " + capacity() + " refs; grow it first)");
        }
    }

    private Page framePage(int ref) {
        return frames[ref / GrantEntryV1.PER_FRAME];
    }

    private static int offset(int ref) {
        return (ref % GrantEntryV1.PER_FRAME) * GrantEntryV1.SIZE;
    }

    // ---- guest side ---------------------------------------------------------------------------------

    /**
     * Grants {@code grantee} access to this domain's frame {@code gfn} through entry {@code ref}, in
     * the guests' order: {@code domid} and {@code frame}, store fence, then {@code flags}.
     *
     * @throws IllegalArgumentException if {@code ref} is beyond the table or {@code gfn} exceeds 32 bits
     * @throws IllegalStateException    if the entry is not free (a ref handed out twice)
     */
    public void permit(int ref, int grantee, long gfn, boolean readOnly) {
        checkRef(ref);
        if (gfn < 0 || gfn > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(DomId.name(domid) + ": gfn 0x" + Long.toHexString(gfn)
                    + " does not fit grant_entry_v1.frame (u32)");
        }
        if (grantee < 0 || grantee > 0xFFFF) {
            throw new IllegalArgumentException(DomId.name(domid) + ": grantee " + grantee + " is not a domid_t");
        }
        Page p = framePage(ref);
        int off = offset(ref);
        int flags = p.getIntVolatile(off) & 0xffff;
        if (flags != 0) {
            throw new IllegalStateException(DomId.name(domid) + ": grant ref " + ref + " is not free: " + entry(ref));
        }
        p.putShort(off + GrantEntryV1.DOMID, (short) grantee);
        p.putInt(off + GrantEntryV1.FRAME, (int) gfn);
        MemoryView.storeFence();
        p.putShort(off + GrantEntryV1.FLAGS, (short) (Gtf.PERMIT_ACCESS | (readOnly ? Gtf.READONLY : 0)));
        if (log.enabled()) {
            log.record(new Event.GrantPermit(domid, ref, grantee, gfn, readOnly));
        }
    }

    /**
     * Ends foreign access through {@code ref}: compare-and-sets {@code flags} to 0 unless
     * {@code GTF_reading} or {@code GTF_writing} is set, then clears {@code domid} and {@code frame}.
     *
     * @return true if the entry is now invalid; false if the grantee still uses it (nothing changed)
     */
    public boolean revoke(int ref) {
        checkRef(ref);
        Page p = framePage(ref);
        int off = offset(ref);
        while (true) {
            int header = p.getIntVolatile(off);
            if ((header & (Gtf.READING | Gtf.WRITING)) != 0) {
                if (log.enabled()) {
                    log.record(new Event.GrantRevoke(domid, ref, false));
                }
                return false;
            }
            if (p.compareAndSetInt(off, header, header & 0xffff0000)) {
                break;
            }
        }
        p.putShort(off + GrantEntryV1.DOMID, (short) 0);
        p.putInt(off + GrantEntryV1.FRAME, 0);
        if (log.enabled()) {
            log.record(new Event.GrantRevoke(domid, ref, true));
        }
        return true;
    }

    /** Whether the grantee has {@code ref} mapped or is copying through it ({@code GTF_reading|GTF_writing}). */
    public boolean inUse(int ref) {
        checkRef(ref);
        return (framePage(ref).getIntVolatile(offset(ref)) & (Gtf.READING | Gtf.WRITING)) != 0;
    }

    /** The entry as it is in the frame now. */
    public GrantEntryV1 entry(int ref) {
        checkRef(ref);
        Page p = framePage(ref);
        int off = offset(ref);
        int header = p.getIntVolatile(off);
        return new GrantEntryV1(header & 0xffff, header >>> 16, Integer.toUnsignedLong(p.getInt(off + GrantEntryV1.FRAME)));
    }

    /** Every entry currently of type {@code GTF_permit_access}, by ref. */
    public SortedMap<Integer, GrantEntryV1> permittedRefs() {
        TreeMap<Integer, GrantEntryV1> out = new TreeMap<>();
        int n = capacity();
        for (int ref = 0; ref < n; ref++) {
            if ((framePage(ref).getIntVolatile(offset(ref)) & Gtf.TYPE_MASK) == Gtf.PERMIT_ACCESS) {
                out.put(ref, entry(ref));
            }
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /** Refs some domain currently has pinned (mapped, or mid-copy). */
    public int pinnedRefs() {
        return pinnedRefs.get();
    }

    /** Xen's pin counts of {@code ref}: read-only and writable pins. */
    public Pins pins(int ref) {
        checkRef(ref);
        Active a = active[ref];
        synchronized (a) {
            return new Pins(a.readers, a.writers, a.pins() == 0 ? -1 : a.mapper);
        }
    }

    /** Pin counts of one ref; {@code mapper} is -1 when unpinned. */
    public record Pins(int readOnly, int writable, int mapper) { }

    // ---- hypervisor side (used by GrantOps) -----------------------------------------------------------

    /**
     * Pins {@code ref} for {@code mapper} ({@code map_grant_ref} / {@code acquire_grant_for_copy}):
     * the first pin checks the entry and sets {@code GTF_reading} (and {@code GTF_writing} for a
     * writable pin) with at most five compare-and-sets, then resolves the frame.
     *
     * @return the granted frame (writable view; the caller narrows it)
     * @throws GrantException with the GNTST status on failure
     */
    Page pin(String op, int mapper, int ref, boolean readOnly) {
        if (ref < 0 || ref >= capacity()) {
            throw new GrantException(op, GntSt.BAD_GNTREF, mapper, domid, ref, "ref",
                    "table has " + capacity() + " refs");
        }
        Active a = active[ref];
        synchronized (a) {
            boolean pinned = a.pins() > 0;
            if (pinned && a.mapper != mapper) {
                throw new GrantException(op, GntSt.GENERAL_ERROR, mapper, domid, ref, "ref",
                        "already pinned by " + DomId.name(a.mapper));
            }
            if (!pinned || (!readOnly && a.writers == 0)) {
                setStatus(op, mapper, ref, readOnly, pinned);
                if (!pinned) {
                    Page p = framePage(ref);
                    long gfn = Integer.toUnsignedLong(p.getInt(offset(ref) + GrantEntryV1.FRAME));
                    Page page = memory.apply(gfn);
                    if (page == null) {
                        clearFlags(ref, Gtf.READING | (readOnly ? 0 : Gtf.WRITING));
                        throw new GrantException(op, GntSt.BAD_PAGE, mapper, domid, ref, "ref",
                                "frame 0x" + Long.toHexString(gfn) + " is not " + DomId.name(domid) + "'s memory");
                    }
                    a.mapper = mapper;
                    a.gfn = gfn;
                    a.page = page;
                    pinnedRefs.incrementAndGet();
                }
            }
            if (readOnly) {
                a.readers++;
            } else {
                a.writers++;
            }
            return a.page;
        }
    }

    /** The gfn a pinned ref resolved to. */
    long pinnedGfn(int ref) {
        Active a = active[ref];
        synchronized (a) {
            return a.gfn;
        }
    }

    /** {@code _set_status_v1}: sets the in-use flags on the shared entry header. */
    private void setStatus(String op, int mapper, int ref, boolean readOnly, boolean pinned) {
        Page p = framePage(ref);
        int off = offset(ref);
        int header = p.getIntVolatile(off);
        for (int attempt = 1; ; attempt++) {
            int flags = header & 0xffff;
            int entryDomid = header >>> 16;
            if (!pinned) {
                if ((flags & (Gtf.TYPE_MASK | Gtf.SUB_PAGE)) != Gtf.PERMIT_ACCESS) {
                    throw new GrantException(op, GntSt.GENERAL_ERROR, mapper, domid, ref, "ref",
                            "entry not permitted: flags " + Gtf.describe(flags));
                }
                if (entryDomid != mapper) {
                    throw new GrantException(op, GntSt.GENERAL_ERROR, mapper, domid, ref, "ref",
                            "entry grants " + DomId.name(entryDomid) + ", not " + DomId.name(mapper));
                }
            }
            int updated = flags | Gtf.READING;
            if (!readOnly) {
                if ((flags & Gtf.READONLY) != 0) {
                    // Xen itself answers GNTST_general_error ("Attempt to write-pin a r/o grant entry");
                    // the project's platform contract asks for the more precise permission_denied.
                    throw new GrantException(op, GntSt.PERMISSION_DENIED, mapper, domid, ref, "ref",
                            "write access to a GTF_readonly entry");
                }
                updated |= Gtf.WRITING;
            }
            if (p.compareAndSetInt(off, header, (header & 0xffff0000) | updated)) {
                return;
            }
            if (attempt == SET_STATUS_TRIES) {
                throw new GrantException(op, GntSt.GENERAL_ERROR, mapper, domid, ref, "ref",
                        "shared grant entry is unstable (changed " + SET_STATUS_TRIES + " times)");
            }
            header = p.getIntVolatile(off);
        }
    }

    /** Drops one pin ({@code unmap_common} / {@code release_grant_for_copy}), clearing the in-use flags as pins end. */
    void unpin(int ref, boolean readOnly) {
        Active a = active[ref];
        synchronized (a) {
            if (readOnly) {
                a.readers--;
            } else {
                a.writers--;
            }
            int clear = 0;
            if (!readOnly && a.writers == 0) {
                clear |= Gtf.WRITING;
            }
            if (a.pins() == 0) {
                clear |= Gtf.READING;
                a.page = null;
                pinnedRefs.decrementAndGet();
            }
            if (clear != 0) {
                clearFlags(ref, clear);
            }
        }
    }

    /** {@code gnttab_clear_flags}: atomic clear of flag bits in the shared header. */
    private void clearFlags(int ref, int bits) {
        Page p = framePage(ref);
        int off = offset(ref);
        while (true) {
            int header = p.getIntVolatile(off);
            if ((header & bits) == 0 || p.compareAndSetInt(off, header, header & ~bits)) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "GrantTable[" + DomId.name(domid) + ", " + nrFrames() + "/" + maxFrames + " frames, " + pinnedRefs.get()
                + " refs pinned]";
    }
}
