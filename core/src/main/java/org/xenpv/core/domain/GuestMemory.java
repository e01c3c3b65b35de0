package org.xenpv.core.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.xenpv.core.mem.Page;

/**
 * A domain's guest physical memory: 4 KiB frames addressed by gfn, each an off-heap {@link Page}
 * allocated (zero-filled) the first time anyone touches it, up to {@link #maxPages()} of RAM
 * starting at gfn 0.
 *
 * <p>Xen-owned pages (the shared-info page, grant-table frames) appear in the physmap where the guest
 * asks for them with {@code XENMEM_add_to_physmap} ({@code memory.h}); such a page shadows RAM at
 * that gfn and may sit above the RAM range, in the hole where HVM drivers put it (the Windows
 * XENBUS maps them into its PCI BAR). Lookups are lock-free so backends on other threads can resolve
 * frames while the guest runs.
 */
public final class GuestMemory {

    private static final int CHUNK_SHIFT = 10;
    private static final int CHUNK = 1 << CHUNK_SHIFT;

    private final int domid;
    private final long maxPages;
    private final AtomicReferenceArray<AtomicReferenceArray<Page>> chunks;
    private final ConcurrentSkipListMap<Long, Page> xenPages = new ConcurrentSkipListMap<>();
    private final AtomicLong populated = new AtomicLong();

    /**
     * @param domid    owner, for error messages
     * @param maxPages RAM size in frames (gfn {@code 0 .. maxPages-1})
     */
    public GuestMemory(int domid, long maxPages) {
        if (maxPages < 1 || maxPages > (long) Integer.MAX_VALUE * CHUNK) {
            throw new IllegalArgumentException(DomId.name(domid) + ": bad memory size " + maxPages + " pages");
        }
        this.domid = domid;
        this.maxPages = maxPages;
        this.chunks = new AtomicReferenceArray<>((int) ((maxPages + CHUNK - 1) >>> CHUNK_SHIFT));
    }

    public int domid() {
        return domid;
    }

    /** RAM size in 4 KiB frames. */
    public long maxPages() {
        return maxPages;
    }

    /**
     * The frame at {@code gfn}: a mapped Xen page, or RAM (allocated on first use).
     *
     * @throws BadGfnException if {@code gfn} is neither RAM nor a mapped Xen page
     */
    public Page page(long gfn) {
        Page p = lookup(gfn);
        if (p == null) {
            throw new BadGfnException(domid, gfn, maxPages);
        }
        return p;
    }

    /** Like {@link #page(long)} but {@code null} for a gfn that is not guest memory (hypercall paths). */
    public Page lookup(long gfn) {
        if (!xenPages.isEmpty()) {
            Page x = xenPages.get(gfn);
            if (x != null) {
                return x;
            }
        }
        if (gfn < 0 || gfn >= maxPages) {
            return null;
        }
        AtomicReferenceArray<Page> chunk = chunk((int) (gfn >>> CHUNK_SHIFT));
        int i = (int) (gfn & (CHUNK - 1));
        Page p = chunk.get(i);
        if (p == null) {
            Page fresh = new Page();
            if (chunk.compareAndSet(i, null, fresh)) {
                populated.incrementAndGet();
                return fresh;
            }
            p = chunk.get(i);
        }
        return p;
    }

    private AtomicReferenceArray<Page> chunk(int c) {
        AtomicReferenceArray<Page> chunk = chunks.get(c);
        if (chunk == null) {
            int size = (int) Math.min(CHUNK, maxPages - ((long) c << CHUNK_SHIFT));
            chunks.compareAndSet(c, null, new AtomicReferenceArray<>(size));
            chunk = chunks.get(c);
        }
        return chunk;
    }

    /** Whether RAM at {@code gfn} has been touched (so it is backed by a page). */
    public boolean populated(long gfn) {
        if (gfn < 0 || gfn >= maxPages) {
            return false;
        }
        AtomicReferenceArray<Page> chunk = chunks.get((int) (gfn >>> CHUNK_SHIFT));
        return chunk != null && chunk.get((int) (gfn & (CHUNK - 1))) != null;
    }

    /**
     * Copies of every populated RAM frame by gfn (Xen pages excluded): the memory part of a saved
     * image. Not atomic against concurrent writers; callers save a domain that is shut down.
     */
    public NavigableMap<Long, byte[]> ramSnapshot() {
        NavigableMap<Long, byte[]> out = new TreeMap<>();
        for (int c = 0; c < chunks.length(); c++) {
            AtomicReferenceArray<Page> chunk = chunks.get(c);
            if (chunk == null) {
                continue;
            }
            for (int i = 0; i < chunk.length(); i++) {
                Page p = chunk.get(i);
                if (p != null) {
                    byte[] copy = new byte[Page.SIZE];
                    p.getBytes(0, copy, 0, Page.SIZE);
                    out.put(((long) c << CHUNK_SHIFT) + i, copy);
                }
            }
        }
        return out;
    }

    /**
     * Writes saved frames into RAM (the memory part of a restore).
     *
     * @throws BadGfnException if a gfn is outside this domain's RAM
     * @throws IllegalArgumentException if a frame is not exactly one page
     */
    public void loadRam(Map<Long, byte[]> frames) {
        for (Map.Entry<Long, byte[]> e : frames.entrySet()) {
            long gfn = e.getKey();
            if (gfn < 0 || gfn >= maxPages) {
                throw new BadGfnException(domid, gfn, maxPages);
            }
            if (e.getValue().length != Page.SIZE) {
                throw new IllegalArgumentException(DomId.name(domid) + ": saved frame at gfn 0x" + Long.toHexString(gfn)
                        + " is " + e.getValue().length + " bytes, not " + Page.SIZE);
            }
            AtomicReferenceArray<Page> chunk = chunk((int) (gfn >>> CHUNK_SHIFT));
            int i = (int) (gfn & (CHUNK - 1));
            Page p = chunk.get(i);
            if (p == null) {
                lookup(gfn);
                p = chunk.get(i);
            }
            p.putBytes(0, e.getValue(), 0, Page.SIZE);
        }
    }

    /** Number of RAM frames backed so far. */
    public long populatedPages() {
        return populated.get();
    }

    /**
     * Puts a Xen-owned page at {@code gfn} ({@code XENMEM_add_to_physmap}); it shadows RAM there.
     * Returns the Xen page previously at that gfn, or {@code null}.
     */
    public Page addXenPage(long gfn, Page page) {
        if (gfn < 0) {
            throw new BadGfnException(domid, gfn, maxPages);
        }
        return xenPages.put(gfn, page);
    }

    /** Removes a Xen page from the physmap (RAM at that gfn, if any, shows again). */
    public Page removeXenPage(long gfn) {
        return xenPages.remove(gfn);
    }

    /** Xen pages currently in the physmap, by gfn (ascending). */
    public Map<Long, Page> xenPages() {
        return Collections.unmodifiableMap(new TreeMap<>(xenPages));
    }

    /** Copies {@code length} bytes of guest-physical memory starting at byte address {@code gpa}. */
    public byte[] read(long gpa, int length) {
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            long a = gpa + done;
            int off = (int) (a & (Page.SIZE - 1));
            int n = Math.min(length - done, Page.SIZE - off);
            page(a >>> Page.SHIFT).getBytes(off, out, done, n);
            done += n;
        }
        return out;
    }

    /** Writes {@code data} to guest-physical memory starting at byte address {@code gpa}. */
    public void write(long gpa, byte[] data) {
        int done = 0;
        while (done < data.length) {
            long a = gpa + done;
            int off = (int) (a & (Page.SIZE - 1));
            int n = Math.min(data.length - done, Page.SIZE - off);
            page(a >>> Page.SHIFT).putBytes(off, data, done, n);
            done += n;
        }
    }

    /** The frames {@code gfn .. gfn+count-1}, in order (for multi-page structures). */
    public List<Page> pages(long gfn, int count) {
        List<Page> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(page(gfn + i));
        }
        return out;
    }

    @Override
    public String toString() {
        return "GuestMemory[" + DomId.name(domid) + ", " + populated.get() + "/" + maxPages + " pages, "
                + xenPages.size() + " Xen pages]";
    }
}
