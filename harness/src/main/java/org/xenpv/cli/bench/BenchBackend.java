package org.xenpv.cli.bench;

import org.xenpv.core.evtchn.EventChannels;
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
    private final EventChannels evtchn;
    private final int port;
    private final boolean notify;
    private final long count;
    private final int idOffset;
    private final int size;

    private long answered;
    private long polls;

    BenchBackend(BackRing<?, ?> ring, Page page, BlkifAbi abi, EventChannels evtchn, int port, NotifyMode mode,
                 long count) {
        this.ring = ring;
        this.page = page;
        this.evtchn = evtchn;
        this.port = port;
        this.notify = mode.notifies();
        this.count = count;
        this.idOffset = abi.idOffset();
        this.size = ring.size();
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
                evtchn.send(port);
            }
            if (!ring.finalCheckForRequests() && answered < count) {
                awaitEvent();
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
        // RING_REQUEST_CONS_OVERFLOW: never consume a request there is no response slot for.
        while (cons != rp && Integer.compareUnsigned(cons - prod, size) < 0) {
            int off = ring.slotOffset(cons);
            int opSegments = page.getShort(off);
            int op = opSegments & 0xff;
            int segments = opSegments >>> 8 & 0xff;
            long id = page.getLong(off + idOffset);
            cons++;
            int status = op == Blkif.OP_READ && segments >= 1 && segments <= Blkif.MAX_SEGMENTS_PER_REQUEST
                    ? Blkif.RSP_OKAY : Blkif.RSP_ERROR;
            int roff = ring.slotOffset(prod);
            page.putLong(roff, id);
            // operation (u8 @8), padding (@9), status (s16 @10): one u32 store.
            page.putInt(roff + BenchFrontend.RSP_OPERATION, op | status << 16);
            prod++;
            n++;
        }
        ring.setReqCons(cons);
        ring.setRspProdPvt(prod);
        answered = n;
    }

    private void awaitEvent() {
        while (!evtchn.testAndClearPending(port)) {
            polls++;
            evtchn.poll(port);
        }
    }

    long answered() {
        return answered;
    }

    long polls() {
        return polls;
    }
}
