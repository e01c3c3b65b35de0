package org.xenpv.cli.bench;

import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.BackRing;
import org.xenpv.core.ring.blkif.Blkif;
import org.xenpv.core.ring.blkif.BlkifAbi;

/**
 * The benchmark's blkback: answers each request with {@code BLKIF_RSP_OKAY} (a one-to-eleven-segment
 * {@code READ}; anything else gets {@code BLKIF_RSP_ERROR}), through a grant mapping of the frontend's ring.
 *
 * <p>The loop is the one of {@code ringbench.c}: consume up to a validated {@code req_prod}
 * ({@code RING_REQUEST_PROD_OVERFLOW} is a fault, {@code RING_REQUEST_CONS_OVERFLOW} stops consuming),
 * {@code RING_PUSH_RESPONSES_AND_CHECK_NOTIFY} (send if asked), {@code RING_FINAL_CHECK_FOR_REQUESTS}, and
 * wait for the frontend's event when there is no work. Each request field it needs is read once, in place.
 */
final class BenchBackend implements Runnable {

    private final BackRing<?, ?> ring;
    private final Page page;
    /** The event channel end; {@code null} in spin mode. */
    private final BenchPort port;
    private final boolean notify;
    private final long count;
    private final int idOffset;
    private final int size;
    /** {@code sizeof} a slot, and the offsets of the first slot and just past the last: slots are walked in order. */
    private final int entrySize;
    private final int firstSlot;
    private final int slotsEnd;

    private long answered;

    BenchBackend(BackRing<?, ?> ring, Page page, BlkifAbi abi, BenchPort port, NotifyMode mode,
                 long count) {
        this.ring = ring;
        this.page = page;
        this.port = port;
        this.notify = mode.notifies();
        if (notify && port == null) {
            throw new IllegalArgumentException("notify mode needs an event channel port");
        }
        this.count = count;
        this.idOffset = abi.idOffset();
        this.size = ring.size();
        this.entrySize = ring.geometry().entrySize();
        this.firstSlot = ring.slotOffset(0);
        this.slotsEnd = firstSlot + size * entrySize;
    }

    @Override
    public void run() {
        // One loop per mode, so that neither compiles with the other's branch profile.
        if (notify) {
            runNotify();
        } else {
            runSpin();
        }
    }

    private void runNotify() {
        while (answered < count) {
            takeRequests();
            if (ring.pushResponsesAndCheckNotify()) {
                port.send();
            }
            if (!ring.finalCheckForRequests() && answered < count) {
                port.await();
            }
        }
    }

    private void runSpin() {
        while (answered < count) {
            takeRequests();
            ring.pushResponsesAndCheckNotify();
            ring.finalCheckForRequests();
        }
    }

    private void takeRequests() {
        int rp = ring.checkedReqProd();
        if (rp != ring.reqCons()) {
            answer(rp);
        }
    }

    /** Answers the requests up to {@code rp} (a validated {@code req_prod}); entered only when there are some. */
    private void answer(int rp) {
        int cons = ring.reqCons();
        int prod = ring.rspProdPvt();
        long n = answered;
        int off = ring.slotOffset(cons);
        int roff = ring.slotOffset(prod);
        // RING_REQUEST_CONS_OVERFLOW: never consume a request there is no response slot for.
        while (cons != rp && Integer.compareUnsigned(cons - prod, size) < 0) {
            int opSegments = page.getShort(off);
            int op = opSegments & 0xff;
            int segments = opSegments >>> 8 & 0xff;
            long id = page.getLong(off + idOffset);
            cons++;
            int status = op == Blkif.OP_READ && segments >= 1 && segments <= Blkif.MAX_SEGMENTS_PER_REQUEST
                    ? Blkif.RSP_OKAY : Blkif.RSP_ERROR;
            page.putLong(roff, id);
            // operation (u8 @8), padding (@9), status (s16 @10): one u32 store.
            page.putInt(roff + BenchFrontend.RSP_OPERATION, op | status << 16);
            prod++;
            n++;
            off += entrySize;
            if (off == slotsEnd) {
                off = firstSlot;
            }
            roff += entrySize;
            if (roff == slotsEnd) {
                roff = firstSlot;
            }
        }
        ring.setReqCons(cons);
        ring.setRspProdPvt(prod);
        answered = n;
    }

    long answered() {
        return answered;
    }

    /** Times this side blocked in {@code SCHEDOP_poll}. */
    long polls() {
        return port == null ? 0 : port.waits();
    }
}
