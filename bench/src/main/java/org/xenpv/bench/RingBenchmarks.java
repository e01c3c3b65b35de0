package org.xenpv.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.BackRing;
import org.xenpv.core.ring.FrontRing;
import org.xenpv.core.ring.RingLayout;
import org.xenpv.core.ring.blkif.Blkif;
import org.xenpv.core.ring.blkif.BlkifAbi;
import org.xenpv.core.ring.blkif.BlkifRequest;
import org.xenpv.core.ring.blkif.BlkifResponse;
import org.xenpv.core.ring.blkif.BlkifSegment;
import org.xenpv.core.ring.netif.Netif;
import org.xenpv.core.ring.netif.NetifCtrlRequest;
import org.xenpv.core.ring.netif.NetifCtrlResponse;
import org.xenpv.core.ring.netif.NetifRxRequest;
import org.xenpv.core.ring.netif.NetifRxResponse;
import org.xenpv.core.ring.netif.NetifTxRequest;
import org.xenpv.core.ring.netif.NetifTxResponse;

/**
 * One request/response round trip through a one-page shared ring, front and back in one thread, per layout:
 * {@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY}, a validated {@code req_prod}, {@code RING_COPY_REQUEST} (decode),
 * the response the other way, and both {@code RING_FINAL_CHECK_*}. {@link BlkifInPlaceBenchmark} is the
 * allocation-free path {@code xenpv bench ring} takes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RingBenchmarks {

    @Param({"blkif", "blkif-x86_32", "netif-tx", "netif-rx", "netif-ctrl"})
    public String layout;

    private Case<?, ?> ring;

    /** A front and back half over one page with a sample request and response. */
    static final class Case<Q, S> {
        final FrontRing<Q, S> front;
        final BackRing<Q, S> back;
        final Q request;
        final S response;

        Case(RingLayout<Q, S> layout, Q request, S response) {
            Page page = new Page();
            this.front = FrontRing.init(layout.name(), page, layout);
            this.back = BackRing.init(layout.name(), page, layout);
            this.request = request;
            this.response = response;
        }

        /** Returns the response the frontend took; the request the backend took goes to {@code bh}. */
        S roundTrip(Blackhole bh) {
            front.putRequest(request);
            bh.consume(front.pushRequestsAndCheckNotify());
            int rp = back.checkedReqProd();
            S taken = null;
            while (back.reqCons() != rp) {
                bh.consume(back.takeRequest());
                back.putResponse(response);
            }
            bh.consume(back.pushResponsesAndCheckNotify());
            bh.consume(back.finalCheckForRequests());
            int sp = front.checkedRspProd();
            while (front.rspCons() != sp) {
                taken = front.takeResponse();
            }
            bh.consume(front.finalCheckForResponses());
            return taken;
        }
    }

    static Case<?, ?> of(String layout) {
        List<BlkifSegment> segs = List.of(new BlkifSegment(9, 0, 7));
        return switch (layout) {
            case "blkif" -> new Case<>(BlkifAbi.X86_64.layout(),
                    BlkifRequest.ReadWrite.of(Blkif.OP_READ, 0, 1, 8, segs), new BlkifResponse(1, Blkif.OP_READ, 0));
            case "blkif-x86_32" -> new Case<>(BlkifAbi.X86_32.layout(),
                    BlkifRequest.ReadWrite.of(Blkif.OP_READ, 0, 1, 8, segs), new BlkifResponse(1, Blkif.OP_READ, 0));
            case "netif-tx" -> new Case<>(Netif.TX, new NetifTxRequest(12, 0, 0, 3, 1514), new NetifTxResponse(3, 0));
            case "netif-rx" -> new Case<>(Netif.RX, new NetifRxRequest(4, 13), new NetifRxResponse(4, 0, 0, 1514));
            case "netif-ctrl" -> new Case<>(Netif.CTRL, new NetifCtrlRequest(5, 1, 0, 0, 0),
                    new NetifCtrlResponse(5, 1, 0, 0));
            default -> throw new IllegalArgumentException("unknown layout " + layout);
        };
    }

    @Setup
    public void setup() {
        ring = of(layout);
    }

    @Benchmark
    public Object codecRoundTrip(Blackhole bh) {
        return ring.roundTrip(bh);
    }
}
