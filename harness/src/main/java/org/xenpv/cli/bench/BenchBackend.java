package org.xenpv.cli.bench;

import static org.xenpv.cli.bench.BenchSlots.ENTRY_SIZE;
import static org.xenpv.cli.bench.BenchSlots.FIRST_SLOT;

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

    /** {@code offsetof(blkif_request, id)} in the benchmark's ABI. */
    private static final int ID = JavaRingBench.ABI.idOffset();

    private final BackRing<?, ?> ring;
    private final Page page;
    /** The event channel end; {@code null} in spin mode. */
    private final BenchPort port;
    private final boolean notify;
    private final long count;
    /** {@code RING_SIZE}. */
    private final int size;

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
    }

    // Both loops keep the ring and its page in locals, as BenchFrontend's do.

    private void runNotify() {
        BackRing<?, ?> r = ring;
        Page p = page;
        while (answered < count) {
            takeRequests(r, p);
            if (r.pushResponsesAndCheckNotify(p)) {
                port.send();
            }
            if (!r.finalCheckForRequests(p) && answered < count) {
                port.await();
            }
        }
    }

    private void runSpin() {
        BackRing<?, ?> r = ring;
        Page p = page;
        while (answered < count) {
            takeRequests(r, p);
            r.pushResponsesAndCheckNotify(p);
            r.finalCheckForRequests(p);
        }
    }

    private void takeRequests(BackRing<?, ?> r, Page p) {
        int rp = r.checkedReqProd(p);
        if (rp != r.reqCons()) {
            answer(rp);
        }
    }

    /** Answers the requests up to {@code rp} (a validated {@code req_prod}); entered only when there are some. */
    private void answer(int rp) {
        int cons = ring.reqCons();
        if (ring.rspProdPvt() != cons) {
            answerApart(rp);
            return;
        }
        // Each response goes into its own request's slot: rsp_prod_pvt == req_cons, and both advance together.
        // gcc proves this of ringbench.c's backend and compiles one index and no RING_REQUEST_CONS_OVERFLOW test
        // (0 < RING_SIZE); C2 cannot see it across calls, so the test above says it once per batch. The loops
        // are counted loops, as in BenchFrontend.
        int n = rp - cons;
        int slot = ring.geometry().slot(cons);
        int first = Math.min(n, size - slot);
        int from = FIRST_SLOT + slot * ENTRY_SIZE;
        answerInPlace(from, from + first * ENTRY_SIZE);
        if (first < n) {
            answerInPlace(FIRST_SLOT, FIRST_SLOT + (n - first) * ENTRY_SIZE);
        }
        ring.setReqCons(rp);
        ring.setRspProdPvt(rp);
        answered += n;
    }

    /** Answers the requests in the slots at offsets {@code from, from + ENTRY_SIZE, ... < to}, each in its slot. */
    private void answerInPlace(int from, int to) {
        for (int off = from; off < to; off += ENTRY_SIZE) {
            int opSegments = page.getShort(off);
            long id = page.getLong(off + ID);
            page.putLong(off, id);
            // operation (u8 @8), padding (@9), status (s16 @10): one u32 store.
            page.putInt(off + BenchFrontend.RSP_OPERATION, response(opSegments));
        }
    }

    /**
     * The general case, where responses trail requests by {@code req_cons - rsp_prod_pvt} slots (a backend that
     * took requests it has not answered yet): stops at {@code RING_REQUEST_CONS_OVERFLOW}.
     */
    private void answerApart(int rp) {
        int cons = ring.reqCons();
        int prod = ring.rspProdPvt();
        long n = answered;
        while (cons != rp && Integer.compareUnsigned(cons - prod, size) < 0) {
            int off = ring.slotOffset(cons);
            int opSegments = page.getShort(off);
            long id = page.getLong(off + ID);
            cons++;
            int roff = ring.slotOffset(prod);
            page.putLong(roff, id);
            page.putInt(roff + BenchFrontend.RSP_OPERATION, response(opSegments));
            prod++;
            n++;
        }
        ring.setReqCons(cons);
        ring.setRspProdPvt(prod);
        answered = n;
    }

    /**
     * The response's {@code operation}, padding and {@code status} as one u32, for a request whose
     * {@code operation} and {@code nr_segments} are the low and high byte of {@code opSegments}: OKAY for a
     * 1-to-{@code BLKIF_MAX_SEGMENTS_PER_REQUEST}-segment READ, ERROR otherwise.
     */
    private static int response(int opSegments) {
        int op = opSegments & 0xff;
        int segments = opSegments >>> 8 & 0xff;
        int status = op == Blkif.OP_READ && segments >= 1 && segments <= Blkif.MAX_SEGMENTS_PER_REQUEST
                ? Blkif.RSP_OKAY : Blkif.RSP_ERROR;
        return op | status << 16;
    }

    long answered() {
        return answered;
    }

    /** Times this side blocked in {@code SCHEDOP_poll}. */
    long polls() {
        return port == null ? 0 : port.waits();
    }
}
