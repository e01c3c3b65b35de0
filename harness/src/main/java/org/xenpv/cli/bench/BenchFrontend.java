package org.xenpv.cli.bench;

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
 * and responses read in place through {@link FrontRing#slotOffset(int)}: nothing is allocated per request,
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

    private final FrontRing<?, ?> ring;
    private final Page page;
    /** The event channel end; {@code null} in spin mode. */
    private final BenchPort port;
    private final boolean notify;
    private final long count;
    /** The request's {@code seg[0]}: {@code gref} (u32 @0), {@code first_sect} 0 (@4), {@code last_sect} 7 (@5), padding 0. */
    private final long segment;
    private final int idOffset;
    private final int sectorOffset;
    private final int segOffset;
    /** {@code sizeof} a slot, and the offsets of the first slot and just past the last: slots are walked in order. */
    private final int entrySize;
    private final int firstSlot;
    private final int slotsEnd;

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
        this.idOffset = abi.idOffset();
        this.sectorOffset = abi.sectorOffset();
        this.segOffset = abi.segOffset();
        this.entrySize = ring.geometry().entrySize();
        this.firstSlot = ring.slotOffset(0);
        this.slotsEnd = firstSlot + ring.size() * entrySize;
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

    private void runNotify() {
        while (done < count) {
            produce();
            if (ring.pushRequestsAndCheckNotify()) {
                port.send();
            }
            while (true) {
                takeResponses();
                if (ring.finalCheckForResponses()) {
                    continue;
                }
                if (done >= count || (issued < count && !ring.full())) {
                    break;
                }
                port.await();
            }
        }
    }

    private void runSpin() {
        while (done < count) {
            produce();
            ring.pushRequestsAndCheckNotify();
            while (true) {
                takeResponses();
                if (ring.finalCheckForResponses()) {
                    continue;
                }
                if (done >= count || (issued < count && !ring.full())) {
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

    private void takeResponses() {
        int rp = ring.checkedRspProd();
        if (rp != ring.rspCons()) {
            consume(rp);
        }
    }

    // The hot loops sit in methods entered only when there is work: C2 inlines the page accessors of a loop
    // whose body runs on every call, not of one that most calls skip (spinning callers find nothing most times).
    // They step from slot to slot (add, wrap at the end) instead of computing (idx & (size - 1)) * entrySize each
    // time, as a C compiler strength-reduces RING_GET_REQUEST in a loop.

    /** Writes {@code n} requests at {@code req_prod_pvt} (not yet pushed). */
    private void fill(int n) {
        int pvt = ring.reqProdPvt();
        long id = issued;
        int off = ring.slotOffset(pvt);
        for (int i = 0; i < n; i++) {
            page.putInt(off, HEADER);
            page.putLong(off + idOffset, id);
            page.putLong(off + sectorOffset, id * 8);
            page.putLong(off + segOffset, segment);
            pvt++;
            id++;
            off += entrySize;
            if (off == slotsEnd) {
                off = firstSlot;
            }
        }
        ring.setReqProdPvt(pvt);
        issued = id;
    }

    /** Consumes the responses up to {@code rp} (a validated {@code rsp_prod}), checking each. */
    private void consume(int rp) {
        int cons = ring.rspCons();
        long expected = done;
        int off = ring.slotOffset(cons);
        while (cons != rp) {
            long id = page.getLong(off);
            int opStatus = page.getInt(off + RSP_OPERATION);
            if (id != expected || opStatus != RSP_READ_OKAY) {
                ring.setRspCons(cons);
                done = expected;
                throw badResponse(cons, id, opStatus, expected);
            }
            cons++;
            expected++;
            off += entrySize;
            if (off == slotsEnd) {
                off = firstSlot;
            }
        }
        ring.setRspCons(cons);
        done = expected;
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
