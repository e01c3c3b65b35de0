package org.xenpv.cli.bench;

import org.xenpv.core.evtchn.EventChannels;
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
 * as there is room, otherwise wait for the backend's event ({@code SCHEDOP_poll}, then test-and-clear the
 * port's pending bit). Requests are written and responses read in place through
 * {@link FrontRing#slotOffset(int)}: nothing is allocated per request, and each response field is read once.
 */
final class BenchFrontend implements Runnable {

    /**
     * {@code operation} (u8 @0) READ, {@code nr_segments} (u8 @1) 1 and {@code handle} (u16 @2) 0 as one
     * little-endian u32 store, as a C compiler merges the three field assignments.
     */
    private static final int HEADER = Blkif.OP_READ | 1 << 8;
    /** {@code offsetof(blkif_response, operation)}; {@code status} (s16) is at +2, after one byte of padding. */
    static final int RSP_OPERATION = 8;

    private final FrontRing<?, ?> ring;
    private final Page page;
    private final EventChannels evtchn;
    private final int port;
    private final boolean notify;
    private final long count;
    /** The request's {@code seg[0]}: {@code gref} (u32 @0), {@code first_sect} 0 (@4), {@code last_sect} 7 (@5), padding 0. */
    private final long segment;
    private final int idOffset;
    private final int sectorOffset;
    private final int segOffset;

    private long issued;
    private long done;
    private long polls;
    private long endNanos;

    BenchFrontend(FrontRing<?, ?> ring, Page page, BlkifAbi abi, EventChannels evtchn, int port, NotifyMode mode,
                  long count, int gref) {
        this.ring = ring;
        this.page = page;
        this.evtchn = evtchn;
        this.port = port;
        this.notify = mode.notifies();
        this.count = count;
        this.segment = Integer.toUnsignedLong(gref) | 7L << 40;
        this.idOffset = abi.idOffset();
        this.sectorOffset = abi.sectorOffset();
        this.segOffset = abi.segOffset();
    }

    @Override
    public void run() {
        while (done < count) {
            if (produce() && notify) {
                evtchn.send(port);
            }
            while (true) {
                consume();
                if (ring.finalCheckForResponses()) {
                    continue;
                }
                if (done >= count || (issued < count && !ring.full())) {
                    break;
                }
                if (notify) {
                    awaitEvent();
                }
            }
        }
        endNanos = System.nanoTime();
    }

    /** Fills every free slot (up to {@code count}) and pushes; returns what the push said about notifying. */
    private boolean produce() {
        int pvt = ring.reqProdPvt();
        long n = Math.min(ring.freeRequests(), count - issued);
        for (long i = 0; i < n; i++) {
            int off = ring.slotOffset(pvt);
            long id = issued;
            page.putInt(off, HEADER);
            page.putLong(off + idOffset, id);
            page.putLong(off + sectorOffset, id * 8);
            page.putLong(off + segOffset, segment);
            pvt++;
            issued = id + 1;
        }
        ring.setReqProdPvt(pvt);
        return ring.pushRequestsAndCheckNotify();
    }

    /** Consumes the responses the backend has pushed, checking each. */
    private void consume() {
        int rp = ring.checkedRspProd();
        int cons = ring.rspCons();
        long expected = done;
        while (cons != rp) {
            int off = ring.slotOffset(cons);
            long id = page.getLong(off);
            int opStatus = page.getInt(off + RSP_OPERATION);
            int op = opStatus & 0xff;
            short status = (short) (opStatus >>> 16);
            if (id != expected || op != Blkif.OP_READ || status != Blkif.RSP_OKAY) {
                ring.setRspCons(cons);
                throw new IllegalStateException("ring " + ring.name() + " response at rsp_cons=" + RingIdx.str(cons)
                        + ": id " + Long.toUnsignedString(id) + " operation " + op + " status " + status
                        + "; expected id " + expected + " operation " + Blkif.OP_READ + " status BLKIF_RSP_OKAY");
            }
            cons++;
            expected++;
        }
        ring.setRspCons(cons);
        done = expected;
    }

    /** The C model's {@code evtchn_wait}: take a pending event, or block in {@code SCHEDOP_poll} until one comes. */
    private void awaitEvent() {
        while (!evtchn.testAndClearPending(port)) {
            polls++;
            evtchn.poll(port);
        }
    }

    /** Responses received and verified. */
    long verified() {
        return done;
    }

    /** Times the frontend blocked in {@code SCHEDOP_poll}. */
    long polls() {
        return polls;
    }

    /** {@link System#nanoTime()} when the last response was verified. */
    long endNanos() {
        return endNanos;
    }
}
