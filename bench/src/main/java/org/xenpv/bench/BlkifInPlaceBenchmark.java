package org.xenpv.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.BackRing;
import org.xenpv.core.ring.FrontRing;
import org.xenpv.core.ring.blkif.Blkif;
import org.xenpv.core.ring.blkif.BlkifAbi;
import org.xenpv.core.ring.blkif.BlkifRequest;
import org.xenpv.core.ring.blkif.BlkifResponse;

/**
 * The blkif x86_64 round trip of {@code xenpv bench ring} in one thread: a one-segment READ written in place at
 * {@code slotOffset} (merged stores), pushed, read in place by the back half and answered
 * {@code BLKIF_RSP_OKAY} in place, taken by the front half. Nothing is allocated per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class BlkifInPlaceBenchmark {

    private Page page;
    private FrontRing<BlkifRequest, BlkifResponse> blkFront;
    private BackRing<BlkifRequest, BlkifResponse> blkBack;
    private long nextId;

    @Setup
    public void setup() {
        page = new Page();
        blkFront = FrontRing.init("blkif", page, BlkifAbi.X86_64.layout());
        blkBack = BackRing.init("blkif", page, BlkifAbi.X86_64.layout());
        nextId = 0;
    }

    /** Returns the id of the response the front half took (the request's id). */
    @Benchmark
    public long roundTrip(Blackhole bh) {
        long id = nextId++;
        int pvt = blkFront.reqProdPvt();
        int off = blkFront.slotOffset(pvt);
        page.putInt(off, Blkif.OP_READ | 1 << 8);
        page.putLong(off + 8, id);
        page.putLong(off + 16, id * 8);
        page.putLong(off + 24, 9L | 7L << 40);
        blkFront.setReqProdPvt(pvt + 1);
        bh.consume(blkFront.pushRequestsAndCheckNotify());

        int rp = blkBack.checkedReqProd();
        int cons = blkBack.reqCons();
        int prod = blkBack.rspProdPvt();
        while (cons != rp) {
            int q = blkBack.slotOffset(cons++);
            int opSegs = page.getShort(q);
            long reqId = page.getLong(q + 8);
            int r = blkBack.slotOffset(prod++);
            page.putLong(r, reqId);
            page.putInt(r + 8, opSegs & 0xff);
        }
        blkBack.setReqCons(cons);
        blkBack.setRspProdPvt(prod);
        bh.consume(blkBack.pushResponsesAndCheckNotify());
        bh.consume(blkBack.finalCheckForRequests());

        int sp = blkFront.checkedRspProd();
        int c = blkFront.rspCons();
        long got = -1;
        while (c != sp) {
            int r = blkFront.slotOffset(c++);
            got = page.getLong(r);
            bh.consume(page.getInt(r + 8));
        }
        blkFront.setRspCons(c);
        bh.consume(blkFront.finalCheckForResponses());
        return got;
    }
}
