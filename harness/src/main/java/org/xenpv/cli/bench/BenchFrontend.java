package org.xenpv.cli.bench;

import static org.xenpv.cli.bench.BenchSlots.ENTRY_SIZE;
import static org.xenpv.cli.bench.BenchSlots.FIRST_SLOT;

import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.FrontRing;
import org.xenpv.core.ring.RingIdx;
import org.xenpv.core.ring.blkif.Blkif;
import org.xenpv.core.ring.blkif.BlkifAbi;

/**
 * The benchmark's blkfront: keeps the ring full of one-segment {@code BLKIF_OP_READ} requests
 * ({@code id} = sequence number, {@code sector_number = id * 8}, one segment of sectors 0..7 of grant
 * {@code gref}) until {@code count} have been answered, and checks every response: {@code id} in order,
 * {@code operation} READ, {@code status} {@code BLKIF_RSP_OKAY}.
 *
 * <p>The loop is the one of {@code ringbench.c}: fill, {@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY} (send
 * if asked), then consume responses until {@code RING_FINAL_CHECK_FOR_RESPONSES} finds none; refill as soon
 * as there is room, otherwise wait for the backend's event ({@link BenchPort#await()}). Requests are written
 * and responses read in place, at the slot offsets of {@link BenchSlots}: nothing is allocated per request,
 * and each response field is read once.
 */
final class BenchFrontend implements Runnable {

    /**
     * {@code operation} (u8 @0) READ, {@code nr_segments} (u8 @1) 1 and {@code handle} (u16 @2) 0 as one
     * little-endian u32 store, as a C compiler merges the three field assignments.
     */
    private static final int HEADER = Blkif.OP_READ | 1 << 8;
    /** {@code offsetof(blkif_response, operation)}; {@code status} (s16) is at +2, after one byte of padding. */
    static final int RSP_OPERATION = 8;
    /** {@code operation} READ, padding 0, {@code status} {@code BLKIF_RSP_OKAY}: the u32 at {@link #RSP_OPERATION}. */
    static final int RSP_READ_OKAY = Blkif.OP_READ | (Blkif.RSP_OKAY & 0xffff) << 16;
    /** {@code offsetof(blkif_request, id)}, {@code sector_number} and {@code seg[0]} in the benchmark's ABI. */
    private static final int ID = JavaRingBench.ABI.idOffset();
    private static final int SECTOR = JavaRingBench.ABI.sectorOffset();
    private static final int SEG = JavaRingBench.ABI.segOffset();

    private final FrontRing<?, ?> ring;
    private final Page page;
    /** The event channel end; {@code null} in spin mode. */
    private final BenchPort port;
    private final boolean notify;
    private final long count;
    /** The request's {@code seg[0]}: {@code gref} (u32 @0), {@code first_sect} 0 (@4), {@code last_sect} 7 (@5), padding 0. */
    private final long segment;
    /** {@code RING_SIZE}. */
    private final int size;

    private long issued;
    private long done;
    private long endNanos;

    BenchFrontend(FrontRing<?, ?> ring, Page page, BlkifAbi abi, BenchPort port, NotifyMode mode,
                  long count, int gref) {
        this.ring = ring;
        this.page = page;
        this.port = port;
        this.notify = mode.notifies();
        if (notify && port == null) {
            throw new IllegalArgumentException("notify mode needs an event channel port");
        }
        this.count = count;
        this.segment = Integer.toUnsignedLong(gref) | 7L << 40;
        this.size = ring.size();
        BenchSlots.check(ring, abi);
    }

    @Override
    public void run() {
        // One loop per mode, so that neither compiles with the other's branch profile.
        if (notify) {
            runNotify();
        } else {
            runSpin();
        }
        endNanos = System.nanoTime();
    }

    // Both loops keep the ring and its page in locals and pass the page to the ring's index operations: compiled
    // Java reloads every field after each full fence, and an index load whose address hangs off this.ring.view
    // waits for those loads (Sring says more). C keeps its ring struct in registers.

    private void runNotify() {
        FrontRing<?, ?> r = ring;
        Page p = page;
        while (done < count) {
            produce();
            if (r.pushRequestsAndCheckNotify(p)) {
                port.send();
            }
            while (true) {
                takeResponses(r, p);
                if (r.finalCheckForResponses(p)) {
                    continue;
                }
                if (done >= count || (issued < count && !r.full())) {
                    break;
                }
                port.await();
            }
        }
    }

    private void runSpin() {
        FrontRing<?, ?> r = ring;
        Page p = page;
        while (done < count) {
            produce();
            r.pushRequestsAndCheckNotify(p);
            while (true) {
                takeResponses(r, p);
                if (r.finalCheckForResponses(p)) {
                    continue;
                }
                if (done >= count || (issued < count && !r.full())) {
                    break;
                }
            }
        }
    }

    private void produce() {
        int room = (int) Math.min(ring.freeRequests(), count - issued);
        if (room > 0) {
            fill(room);
        }
    }

    private void takeResponses(FrontRing<?, ?> r, Page p) {
        int rp = r.checkedRspProd(p);
        if (rp != r.rspCons()) {
            consume(rp);
        }
    }

    // The hot loops sit in methods entered only when there is work: C2 inlines the page accessors of a loop
    // whose body runs on every call, not of one that most calls skip (spinning callers find nothing most times).
    // A run of slots is split where it wraps, and each part is a counted loop whose variable is the slot's offset,
    // stepping by a constant stride (ENTRY_SIZE): C2 then hoists the page's bounds checks out of the loop (range check
    // elimination), as a C compiler's loop over RING_GET_REQUEST has none. A loop that steps off by a variable
    // and wraps it inside keeps a bounds check on every access, which costs about a sixth of the round trips.

    /** Writes {@code n} requests at {@code req_prod_pvt} (not yet pushed). */
    private void fill(int n) {
        int pvt = ring.reqProdPvt();
        int slot = ring.geometry().slot(pvt);
        int first = Math.min(n, size - slot);
        int from = FIRST_SLOT + slot * ENTRY_SIZE;
        fillSlots(from, from + first * ENTRY_SIZE, issued);
        if (first < n) {
            fillSlots(FIRST_SLOT, FIRST_SLOT + (n - first) * ENTRY_SIZE, issued + first);
        }
        ring.setReqProdPvt(pvt + n);
        issued += n;
    }

    /** Writes requests {@code id, id + 1, ...} into the slots at offsets {@code from, from + ENTRY_SIZE, ... < to}. */
    private void fillSlots(int from, int to, long id) {
        long seq = id;
        for (int off = from; off < to; off += ENTRY_SIZE) {
            page.putInt(off, HEADER);
            page.putLong(off + ID, seq);
            page.putLong(off + SECTOR, seq * 8);
            page.putLong(off + SEG, segment);
            seq++;
        }
    }

    /** Consumes the responses up to {@code rp} (a validated {@code rsp_prod}), checking each. */
    private void consume(int rp) {
        int cons = ring.rspCons();
        int n = rp - cons;
        int slot = ring.geometry().slot(cons);
        int first = Math.min(n, size - slot);
        int from = FIRST_SLOT + slot * ENTRY_SIZE;
        checkSlots(from, from + first * ENTRY_SIZE, cons, done);
        if (first < n) {
            checkSlots(FIRST_SLOT, FIRST_SLOT + (n - first) * ENTRY_SIZE, cons + first, done + first);
        }
        ring.setRspCons(rp);
        done += n;
    }

    /**
     * Checks the responses in the slots at offsets {@code from, from + ENTRY_SIZE, ... < to}: ring index
     * {@code cons} and expected id {@code expected} first, and on from there.
     */
    private void checkSlots(int from, int to, int cons, long expected) {
        long want = expected;
        for (int off = from; off < to; off += ENTRY_SIZE) {
            long id = page.getLong(off);
            int opStatus = page.getInt(off + RSP_OPERATION);
            if (id != want || opStatus != RSP_READ_OKAY) {
                // The responses before this one were good: consumed, and counted as verified.
                int bad = cons + (int) (want - expected);
                ring.setRspCons(bad);
                done = want;
                throw badResponse(bad, id, opStatus, want);
            }
            want++;
        }
    }

    private IllegalStateException badResponse(int cons, long id, int opStatus, long expected) {
        return new IllegalStateException("ring " + ring.name() + " response at rsp_cons=" + RingIdx.str(cons)
                + ": id " + Long.toUnsignedString(id) + " operation " + (opStatus & 0xff) + " status "
                + (short) (opStatus >>> 16) + "; expected id " + expected + " operation " + Blkif.OP_READ
                + " status " + Blkif.RSP_OKAY + " (BLKIF_RSP_OKAY)");
    }

    /** Responses received and verified. */
    long verified() {
        return done;
    }

    /** Times this side blocked in {@code SCHEDOP_poll}. */
    long polls() {
        return port == null ? 0 : port.waits();
    }

    /** {@link System#nanoTime()} when the last response was verified. */
    long endNanos() {
        return endNanos;
    }
}
