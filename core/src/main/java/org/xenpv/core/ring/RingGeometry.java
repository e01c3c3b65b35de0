package org.xenpv.core.ring;

import org.xenpv.core.mem.Page;

/**
 * The shape of a shared ring: how many bytes it spans, the size of one entry (the request/response
 * union), and the number of entries, computed as {@code __RING_SIZE} in {@code io/ring.h} does:
 * {@code (bytes - offsetof(sring, ring)) / sizeof(entry)} rounded <em>down</em> to a power of two
 * ({@code __RD32}), so that an index is reduced to a slot with {@code idx & (size - 1)}.
 *
 * <p>Multi-page rings (blkif {@code ring-page-order}) span {@code 4096 << order} bytes; see
 * {@link #forOrder(int, int)} and {@link org.xenpv.core.mem.PageSpan}.
 *
 * @param bytes     bytes of shared memory the ring occupies (header included)
 * @param entrySize {@code sizeof(union <name>_sring_entry)}
 * @param size      {@code RING_SIZE}: number of entries, a power of two
 */
public record RingGeometry(int bytes, int entrySize, int size) {

    /** Largest {@code ring-page-order} accepted (4 MiB of ring; Linux and Windows stop at 4). */
    public static final int MAX_ORDER = 10;

    public RingGeometry {
        if (entrySize <= 0) {
            throw new IllegalArgumentException("ring entry size must be positive: " + entrySize);
        }
        if (size <= 0 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two: " + size);
        }
        if ((long) Sring.HEADER_SIZE + (long) size * entrySize > bytes) {
            throw new IllegalArgumentException(
                    size + " entries of " + entrySize + " bytes do not fit in a " + bytes + "-byte ring");
        }
    }

    /** {@code __RING_SIZE} for a ring of {@code bytes} bytes holding {@code entrySize}-byte entries. */
    public static int ringSize(int bytes, int entrySize) {
        if (entrySize <= 0) {
            throw new IllegalArgumentException("ring entry size must be positive: " + entrySize);
        }
        int fit = bytes < Sring.HEADER_SIZE ? 0 : (bytes - Sring.HEADER_SIZE) / entrySize;
        if (fit == 0) {
            throw new IllegalArgumentException(
                    "a " + bytes + "-byte ring has no room for one " + entrySize + "-byte entry after its 64-byte header");
        }
        return Integer.highestOneBit(fit);
    }

    /** The geometry of a ring over {@code bytes} bytes. */
    public static RingGeometry of(int bytes, int entrySize) {
        return new RingGeometry(bytes, entrySize, ringSize(bytes, entrySize));
    }

    /** The geometry of a ring over {@code 2^order} pages ({@code ring-page-order}). */
    public static RingGeometry forOrder(int order, int entrySize) {
        return of(bytesForOrder(order), entrySize);
    }

    /** {@code XEN_PAGE_SIZE << order}, with the order checked. */
    public static int bytesForOrder(int order) {
        if (order < 0 || order > MAX_ORDER) {
            throw new IllegalArgumentException("ring page order " + order + " outside 0.." + MAX_ORDER);
        }
        return Page.SIZE << order;
    }

    /** {@code idx & (RING_SIZE - 1)}: the slot number of ring index {@code idx}. */
    public int slot(int idx) {
        return idx & (size - 1);
    }

    /** Byte offset of the slot of ring index {@code idx}: {@code &sring->ring[idx & (size - 1)]}. */
    public int slotOffset(int idx) {
        return Sring.HEADER_SIZE + (idx & (size - 1)) * entrySize;
    }

    /** Bytes after the last entry that belong to no slot. */
    public int tailBytes() {
        return bytes - Sring.HEADER_SIZE - size * entrySize;
    }
}
