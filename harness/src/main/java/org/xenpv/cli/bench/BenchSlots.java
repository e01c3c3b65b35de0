package org.xenpv.cli.bench;

import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.RingHalf;
import org.xenpv.core.ring.Sring;
import org.xenpv.core.ring.blkif.BlkifAbi;

/**
 * The slot geometry the benchmark's loops are compiled for: a one-page x86_64 blkif ring
 * ({@link JavaRingBench#ABI}), whose slots are {@code sizeof(union blkif_sring_entry)} = 112 bytes from
 * {@code offsetof(struct blkif_sring, ring)} = 64.
 *
 * <p>Constants, as {@code sizeof} and {@code offsetof} are to a C compiler: with a constant stride, a loop over
 * consecutive slots is a counted loop whose bounds checks C2 can hoist out of the body.
 */
final class BenchSlots {

    /** Bytes per slot of the benchmark's ring. */
    static final int ENTRY_SIZE = JavaRingBench.ABI.layout().geometry(Page.SIZE).entrySize();
    /** Offset of slot 0 in the ring page. */
    static final int FIRST_SLOT = Sring.HEADER_SIZE;

    private BenchSlots() {
    }

    /**
     * Refuses a ring the loops were not compiled for.
     *
     * @throws IllegalArgumentException naming the ring, its ABI and its slot size
     */
    static void check(RingHalf<?, ?> ring, BlkifAbi abi) {
        if (abi != JavaRingBench.ABI || ring.geometry().entrySize() != ENTRY_SIZE
                || ring.slotOffset(0) != FIRST_SLOT) {
            throw new IllegalArgumentException("ring " + ring.name() + ": the benchmark's loops are compiled for "
                    + JavaRingBench.ABI.protocol() + " blkif slots of " + ENTRY_SIZE + " bytes from offset "
                    + FIRST_SLOT + ", not " + abi.protocol() + " slots of " + ring.geometry().entrySize()
                    + " bytes from offset " + ring.slotOffset(0));
        }
    }
}
