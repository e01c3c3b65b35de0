package org.xenpv.core.grant;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.LongFunction;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.EventLog;
import org.xenpv.core.mem.Page;

/**
 * The grant-table hypercalls one domain makes on other domains' grants ({@code GNTTABOP_map_grant_ref},
 * {@code unmap_grant_ref}, {@code copy}), with the domain's maptrack table of live mappings.
 *
 * <p>Checks and statuses follow {@code xen/common/grant_table.c}: an unknown granter is
 * {@code GNTST_bad_domain}, a ref beyond the granter's table {@code GNTST_bad_gntref}, an entry that
 * is not {@code GTF_permit_access} for the mapper (or is pinned by another domain) or keeps
 * changing {@code GNTST_general_error}, a frame that is not the granter's memory
 * {@code GNTST_bad_page}, an unknown handle {@code GNTST_bad_handle}, no free handle
 * {@code GNTST_no_space}, a copy beyond a page {@code GNTST_bad_copy_arg}, a foreign gfn in a copy
 * {@code GNTST_permission_denied}. Writable access to a {@code GTF_readonly} entry is
 * {@code GNTST_permission_denied} (Xen says {@code general_error}; see {@link GrantTable}).
 *
 * <p>Handles are allocated lowest-free, so runs are deterministic.
 */
public final class GrantOps {

    /** Default maptrack size: Xen's 1024 maptrack frames of 256 entries. */
    public static final int DEFAULT_MAX_HANDLES = 1024 * 256;

    private static final String MAP = "GNTTABOP_map_grant_ref";
    private static final String UNMAP = "GNTTABOP_unmap_grant_ref";
    private static final String COPY = "GNTTABOP_copy";

    private final int domid;
    private final GrantTable own;
    private final IntFunction<GrantTable> tables;
    private final LongFunction<Page> memory;
    private final EventLog log;
    private final int maxHandles;
    /** The maptrack: handle -> mapping, guarded by itself. */
    private final TreeMap<Integer, GrantMapping> maptrack = new TreeMap<>();
    private final BitSet used = new BitSet();

    /**
     * @param domid      the calling domain
     * @param own        its own grant table (mapping one's own grants is allowed, as in Xen)
     * @param tables     domid -> that live domain's grant table, or {@code null}
     * @param memory     the caller's gfn -> page lookup, for copies to and from its own frames
     * @param maxHandles maptrack size
     */
    public GrantOps(int domid, GrantTable own, IntFunction<GrantTable> tables, LongFunction<Page> memory, EventLog log,
                    int maxHandles) {
        this.domid = domid;
        this.own = own;
        this.tables = tables;
        this.memory = memory;
        this.log = log;
        this.maxHandles = maxHandles;
    }

    public int domid() {
        return domid;
    }

    private GrantTable table(int granter) {
        return granter == domid ? own : tables.apply(granter);
    }

    private int allocHandle() {
        synchronized (maptrack) {
            int h = used.nextClearBit(0);
            if (h >= maxHandles) {
                return -1;
            }
            used.set(h);
            return h;
        }
    }

    private void freeHandle(int handle) {
        synchronized (maptrack) {
            used.clear(handle);
        }
    }

    private void logMap(int granter, int ref, boolean readOnly, int handle, int status) {
        if (log.enabled()) {
            log.record(new Event.GrantMap(domid, granter, ref, readOnly, handle, status));
        }
    }

    /**
     * {@code GNTTABOP_map_grant_ref}: maps {@code granter}'s grant {@code ref} into this domain.
     *
     * @throws GrantException with the {@code GNTST_*} status on failure (the mapping is not made)
     */
    public GrantMapping map(int granter, int ref, boolean readOnly) {
        GrantTable gt = table(granter);
        if (gt == null) {
            logMap(granter, ref, readOnly, -1, GntSt.BAD_DOMAIN);
            throw new GrantException(MAP, GntSt.BAD_DOMAIN, domid, granter, ref, "ref", "no domain " + DomId.name(granter));
        }
        int handle = allocHandle();
        if (handle < 0) {
            logMap(granter, ref, readOnly, -1, GntSt.NO_SPACE);
            throw new GrantException(MAP, GntSt.NO_SPACE, domid, granter, ref, "ref",
                    "all " + maxHandles + " maptrack handles in use");
        }
        Page page;
        try {
            page = gt.pin(MAP, domid, ref, readOnly);
        } catch (GrantException e) {
            freeHandle(handle);
            logMap(granter, ref, readOnly, -1, e.status());
            throw e;
        }
        GrantMapping m = new GrantMapping(domid, granter, ref, handle, readOnly, gt.pinnedGfn(ref),
                readOnly ? page.readOnlyView() : page, gt);
        synchronized (maptrack) {
            maptrack.put(handle, m);
        }
        logMap(granter, ref, readOnly, handle, GntSt.OKAY);
        return m;
    }

    /**
     * Maps several refs of one granter (a multi-page ring): all or nothing. On failure the refs
     * mapped so far are unmapped again and the first failure is thrown.
     */
    public List<GrantMapping> map(int granter, int[] refs, boolean readOnly) {
        List<GrantMapping> out = new ArrayList<>(refs.length);
        try {
            for (int ref : refs) {
                out.add(map(granter, ref, readOnly));
            }
        } catch (GrantException e) {
            for (GrantMapping m : out) {
                unmap(m.handle());
            }
            throw e;
        }
        return out;
    }

    /**
     * {@code GNTTABOP_unmap_grant_ref} of {@code m}.
     *
     * @throws GrantException {@code GNTST_bad_handle} if it is not mapped (unmapped twice), or
     *                        {@code GNTST_bad_virt_addr} if its handle now belongs to another mapping
     */
    public void unmap(GrantMapping m) {
        int status;
        synchronized (maptrack) {
            GrantMapping cur = maptrack.get(m.handle());
            status = cur == null ? GntSt.BAD_HANDLE : cur != m ? GntSt.BAD_VIRT_ADDR : GntSt.OKAY;
        }
        if (status != GntSt.OKAY) {
            if (log.enabled()) {
                log.record(new Event.GrantUnmap(domid, m.granter(), m.ref(), m.handle(), status));
            }
            throw new GrantException(UNMAP, status, domid, m.granter(), m.handle(), "handle",
                    status == GntSt.BAD_HANDLE ? "not mapped (unmapped twice?)"
                            : "handle now maps " + maptrack.get(m.handle()));
        }
        status = unmap(m.handle());
        if (status != GntSt.OKAY) {
            throw new GrantException(UNMAP, status, domid, m.granter(), m.handle(), "handle", "raced with another unmap");
        }
    }

    /**
     * {@code GNTTABOP_unmap_grant_ref} by handle.
     *
     * @return {@code GNTST_okay} or {@code GNTST_bad_handle}
     */
    public int unmap(int handle) {
        GrantMapping m;
        synchronized (maptrack) {
            m = maptrack.remove(handle);
            if (m != null) {
                used.clear(handle);
            }
        }
        if (m == null) {
            if (log.enabled()) {
                log.record(new Event.GrantUnmap(domid, -1, -1, handle, GntSt.BAD_HANDLE));
            }
            return GntSt.BAD_HANDLE;
        }
        m.table.unpin(m.ref(), m.readOnly());
        if (log.enabled()) {
            log.record(new Event.GrantUnmap(domid, m.granter(), m.ref(), handle, GntSt.OKAY));
        }
        return GntSt.OKAY;
    }

    /** Live mappings, by handle. */
    public List<GrantMapping> mappings() {
        synchronized (maptrack) {
            return List.copyOf(maptrack.values());
        }
    }

    /** Number of live mappings. */
    public int mappingCount() {
        synchronized (maptrack) {
            return maptrack.size();
        }
    }

    /** Domain destruction ({@code gnttab_release_mappings}): unmaps everything this domain still maps. */
    public void releaseAll() {
        for (GrantMapping m : mappings()) {
            unmap(m.handle());
        }
    }

    // ---- GNTTABOP_copy ------------------------------------------------------------------------------

    /** {@code GNTTABOP_copy} of a batch; returns each operation's status, in order. */
    public int[] copy(List<GrantCopy> ops) {
        int[] status = new int[ops.size()];
        for (int i = 0; i < status.length; i++) {
            status[i] = copy(ops.get(i));
        }
        return status;
    }

    /** {@code GNTTABOP_copy} of one operation; returns its {@code GNTST_*} status. */
    public int copy(GrantCopy op) {
        int status;
        try {
            copyOne(op);
            status = GntSt.OKAY;
        } catch (GrantException e) {
            status = e.status();
        }
        if (log.enabled()) {
            log.record(new Event.GrantCopy(domid, op.source().describe(), op.dest().describe(), op.length(), status));
        }
        return status;
    }

    /** Like {@link #copy(GrantCopy)} but throws the failure, naming what was wrong. */
    public void copyOrThrow(GrantCopy op) {
        int status = GntSt.OKAY;
        try {
            copyOne(op);
        } catch (GrantException e) {
            status = e.status();
            throw e;
        } finally {
            if (log.enabled()) {
                log.record(new Event.GrantCopy(domid, op.source().describe(), op.dest().describe(), op.length(), status));
            }
        }
    }

    /** One end of a copy, claimed: the frame, and the pin to drop afterwards. */
    private record Claim(Page page, GrantTable pinned, int ref, boolean readOnly) {
        void release() {
            if (pinned != null) {
                pinned.unpin(ref, readOnly);
            }
        }
    }

    /** {@code gnttab_copy_lock_domain}: the table of a gref end, or the check that a gfn end is local. */
    private GrantTable lockDomain(GrantCopy.Ptr p, String side) {
        int dom = p.domid() == DomId.DOMID_SELF ? domid : p.domid();
        GrantTable gt = table(dom);
        if (gt == null) {
            throw new GrantException(COPY, GntSt.BAD_DOMAIN, domid, p.domid(), -1, "", side + ": no domain "
                    + DomId.name(p.domid()));
        }
        if (!p.isRef() && dom != domid) {
            throw new GrantException(COPY, GntSt.PERMISSION_DENIED, domid, p.domid(), -1, "", side
                    + ": only the caller's own frames may be named by gfn");
        }
        return gt;
    }

    private Claim claim(GrantCopy.Ptr p, GrantTable gt, boolean source) {
        if (p.isRef()) {
            if (p.refOrGfn() > Integer.MAX_VALUE) {
                throw new GrantException(COPY, GntSt.BAD_GNTREF, domid, gt.domid(), -1, "",
                        "ref " + p.refOrGfn() + " beyond any table");
            }
            int ref = (int) p.refOrGfn();
            return new Claim(gt.pin(COPY, domid, ref, source), gt, ref, source);
        }
        Page page = memory.apply(p.refOrGfn());
        if (page == null) {
            throw new GrantException(COPY, GntSt.BAD_PAGE, domid, domid, -1, "", (source ? "source" : "dest")
                    + " gfn 0x" + Long.toHexString(p.refOrGfn()) + " is not guest memory");
        }
        return new Claim(page, null, 0, source);
    }

    private void copyOne(GrantCopy op) {
        GrantTable srcTable = lockDomain(op.source(), "source");
        GrantTable dstTable = lockDomain(op.dest(), "dest");
        Claim src = claim(op.source(), srcTable, true);
        try {
            Claim dst = claim(op.dest(), dstTable, false);
            try {
                int len = op.length();
                int so = op.source().offset();
                int d = op.dest().offset();
                if (len < 0 || len > 0xFFFF || so < 0 || so > 0xFFFF || d < 0 || d > 0xFFFF
                        || so + len > Page.SIZE || d + len > Page.SIZE) {
                    throw new GrantException(COPY, GntSt.BAD_COPY_ARG, domid, -1, -1, "",
                            "copy beyond page area: source +" + so + ", dest +" + d + ", len " + len);
                }
                Page.copy(src.page(), so, dst.page(), d, len);
            } finally {
                dst.release();
            }
        } finally {
            src.release();
        }
    }

    @Override
    public String toString() {
        return "GrantOps[" + DomId.name(domid) + ", " + mappingCount() + " mappings]";
    }
}
