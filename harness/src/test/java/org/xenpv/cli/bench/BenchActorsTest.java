package org.xenpv.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenpv.core.sim.KernelConfig.ActorThreads;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.BackRing;
import org.xenpv.core.ring.FrontRing;
import org.xenpv.core.ring.Sring;
import org.xenpv.core.ring.blkif.Blkif;
import org.xenpv.core.ring.blkif.BlkifAbi;
import org.xenpv.core.ring.blkif.BlkifRequest;
import org.xenpv.core.ring.blkif.BlkifResponse;
import org.xenpv.core.ring.blkif.BlkifSegment;
import org.xenpv.core.sim.ActorFailedException;
import org.xenpv.core.sim.Kernel;

/**
 * The benchmark's frontend and backend against the ring layer's codecs: what the frontend writes in place
 * decodes as the intended {@code blkif_request}, what the backend writes as the intended
 * {@code blkif_response}, and the frontend rejects a wrong response.
 */
class BenchActorsTest {

    private static final BlkifAbi ABI = JavaRingBench.ABI;
    private static final int GREF = 77;

    /** A backend built on {@link BackRing#takeRequest()}/{@link BackRing#putResponse}: status chosen per id. */
    private static Runnable codecBackend(BackRing<BlkifRequest, BlkifResponse> back, long count,
                                         List<BlkifRequest> seen, LongUnaryOperator status) {
        return () -> {
            long answered = 0;
            // Stops when the kernel closes (it interrupts its actors) if the frontend gave up early.
            while (answered < count && !Thread.currentThread().isInterrupted()) {
                int rp = back.checkedReqProd();
                while (back.reqCons() != rp) {
                    BlkifRequest req = back.takeRequest();
                    seen.add(req);
                    back.putResponse(new BlkifResponse(req.id(), req.operation(), (int) status.applyAsLong(req.id())));
                    answered++;
                }
                back.pushResponses();
            }
        };
    }

    /**
     * From ring index 0, and from 30 of the 32-slot ring, where the first 32 requests take slots 30, 31, then
     * 0..29: the frontend splits its runs of slots where the ring wraps.
     */
    @ParameterizedTest(name = "from ring index {0}")
    @ValueSource(ints = {0, 30})
    void frontendRequestsDecodeAsOneSegmentReadsAndOkayResponsesAreVerified(int start) {
        Page page = ringAt(start);
        FrontRing<BlkifRequest, BlkifResponse> front = FrontRing.attach("t", page, ABI.layout(), null, start);
        BackRing<BlkifRequest, BlkifResponse> back = BackRing.attach("t", page, ABI.layout(), null, start);
        long count = 100;
        List<BlkifRequest> seen = Collections.synchronizedList(new ArrayList<>());
        BenchFrontend fe = new BenchFrontend(front, page, ABI, null, NotifyMode.SPIN, count, GREF);
        try (Kernel k = Kernel.concurrent()) {
            var b = k.spawn("back", codecBackend(back, count, seen, id -> Blkif.RSP_OKAY));
            var f = k.spawn("front", fe);
            k.runUntil(() -> f.finished() && b.finished(), Duration.ofSeconds(30));
        }
        assertThat(fe.verified()).isEqualTo(count);
        assertThat(front.rspCons()).isEqualTo(start + (int) count);
        assertThat(seen).hasSize((int) count);
        for (int i = 0; i < count; i++) {
            assertThat(seen.get(i)).isEqualTo(read(i, 1));
        }
    }

    /** A bad response is named by its ring index: 5 from index 0; id 3 from index 30 sits in slot 1, index 33. */
    @ParameterizedTest(name = "from ring index {0}, id {1} answered ERROR")
    @CsvSource({"0, 5", "30, 3"})
    void frontendRejectsAnErrorStatusNamingTheResponse(int start, long badId) {
        Page page = ringAt(start);
        FrontRing<BlkifRequest, BlkifResponse> front = FrontRing.attach("t", page, ABI.layout(), null, start);
        BackRing<BlkifRequest, BlkifResponse> back = BackRing.attach("t", page, ABI.layout(), null, start);
        BenchFrontend fe = new BenchFrontend(front, page, ABI, null, NotifyMode.SPIN, 40, GREF);
        int badIndex = start + (int) badId;
        try (Kernel k = Kernel.concurrent()) {
            k.spawn("back", codecBackend(back, 40, new ArrayList<>(),
                    id -> id == badId ? Blkif.RSP_ERROR : Blkif.RSP_OKAY));
            k.spawn("front", fe);
            assertThatThrownBy(() -> k.runUntil(() -> false, Duration.ofSeconds(30)))
                    .isInstanceOf(ActorFailedException.class)
                    .hasRootCauseMessage("ring t response at rsp_cons=" + badIndex + ": id " + badId
                            + " operation 0 status -1; expected id " + badId + " operation 0 status 0 (BLKIF_RSP_OKAY)");
        }
        assertThat(fe.verified()).isEqualTo(badId);
        assertThat(front.rspCons()).isEqualTo(badIndex);
    }

    @Test
    void backendAnswersWhatTheCodecEncodesAndRejectsBadRequests() {
        Page page = new Page();
        FrontRing<BlkifRequest, BlkifResponse> front = FrontRing.init("t", page, ABI.layout());
        BackRing<BlkifRequest, BlkifResponse> back = BackRing.init("t", page, ABI.layout());
        BenchBackend be = new BenchBackend(back, page, ABI, null, NotifyMode.SPIN, 3);
        front.putRequest(BlkifRequest.ReadWrite.of(Blkif.OP_READ, 0, 0xfeed_0000_0001L, 8, List.of(new BlkifSegment(1, 0, 7))));
        front.putRequest(BlkifRequest.ReadWrite.of(Blkif.OP_WRITE, 0, 2, 16, List.of(new BlkifSegment(1, 0, 7))));
        front.putRequest(BlkifRequest.ReadWrite.of(Blkif.OP_READ, 0, 3, 24, List.of()));
        front.pushRequests();
        be.run();
        assertThat(be.answered()).isEqualTo(3);
        assertThat(front.checkedRspProd()).isEqualTo(3);
        assertThat(front.takeResponse()).isEqualTo(new BlkifResponse(0xfeed_0000_0001L, Blkif.OP_READ, Blkif.RSP_OKAY));
        // Only one-to-eleven-segment READs are what this backend serves.
        assertThat(front.takeResponse()).isEqualTo(new BlkifResponse(2, Blkif.OP_WRITE, Blkif.RSP_ERROR));
        assertThat(front.takeResponse()).isEqualTo(new BlkifResponse(3, Blkif.OP_READ, Blkif.RSP_ERROR));
    }

    /** A shared ring whose indices all stand at {@code start} (req_prod, rsp_prod; events one past). */
    private static Page ringAt(int start) {
        Page page = new Page();
        Sring sring = new Sring(page);
        sring.init();
        sring.setReqProd(start);
        sring.setRspProd(start);
        sring.setReqEvent(start + 1);
        sring.setRspEvent(start + 1);
        return page;
    }

    private static BlkifRequest read(long id, int segments) {
        return BlkifRequest.ReadWrite.of(Blkif.OP_READ, 0, id, id * 8, Collections.nCopies(segments,
                new BlkifSegment(GREF, 0, 7)));
    }

    @Test
    void backendAnswersEachRequestInItsOwnSlotAcrossTheRingsEnd() {
        Page page = ringAt(29);
        FrontRing<BlkifRequest, BlkifResponse> front = FrontRing.attach("t", page, ABI.layout(), null, 29);
        BackRing<BlkifRequest, BlkifResponse> back = BackRing.attach("t", page, ABI.layout(), null, 29);
        // Slots 29, 30, 31, 0, 1, 2: the WRITE and the twelve-segment READ after the wrap get ERROR.
        List<BlkifRequest> sent = List.of(read(10, 1), read(11, 11), read(12, 1),
                BlkifRequest.ReadWrite.of(Blkif.OP_WRITE, 0, 13, 8, List.of(new BlkifSegment(GREF, 0, 7))),
                new BlkifRequest.ReadWrite(Blkif.OP_READ, 12, 0, 14, 112, List.of(new BlkifSegment(GREF, 0, 7))),
                read(15, 2));
        sent.forEach(front::putRequest);
        front.pushRequests();
        BenchBackend be = new BenchBackend(back, page, ABI, null, NotifyMode.SPIN, sent.size());
        be.run();
        assertThat(be.answered()).isEqualTo(sent.size());
        assertThat(back.reqCons()).isEqualTo(35);
        assertThat(back.rspProdPvt()).isEqualTo(35);
        assertThat(front.checkedRspProd()).isEqualTo(35);
        List<BlkifResponse> got = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            got.add(front.takeResponse());
        }
        assertThat(got).containsExactly(
                new BlkifResponse(10, Blkif.OP_READ, Blkif.RSP_OKAY),
                new BlkifResponse(11, Blkif.OP_READ, Blkif.RSP_OKAY),
                new BlkifResponse(12, Blkif.OP_READ, Blkif.RSP_OKAY),
                new BlkifResponse(13, Blkif.OP_WRITE, Blkif.RSP_ERROR),
                new BlkifResponse(14, Blkif.OP_READ, Blkif.RSP_ERROR),
                new BlkifResponse(15, Blkif.OP_READ, Blkif.RSP_OKAY));
    }

    @Test
    void backendAnswersIntoTheSlotsOfEarlierRequestsWhenItTookSomeBeforehand() {
        Page page = new Page();
        FrontRing<BlkifRequest, BlkifResponse> front = FrontRing.init("t", page, ABI.layout());
        BackRing<BlkifRequest, BlkifResponse> back = BackRing.init("t", page, ABI.layout());
        front.putRequest(read(1, 1));
        front.putRequest(read(2, 1));
        front.putRequest(read(3, 1));
        front.pushRequests();
        // Another part of the backend took request 1 and has not answered it: rsp_prod_pvt 0, req_cons 1.
        assertThat(back.takeRequest()).isEqualTo(read(1, 1));
        BenchBackend be = new BenchBackend(back, page, ABI, null, NotifyMode.SPIN, 2);
        be.run();
        assertThat(be.answered()).isEqualTo(2);
        assertThat(back.reqCons()).isEqualTo(3);
        assertThat(back.rspProdPvt()).isEqualTo(2);
        assertThat(front.checkedRspProd()).isEqualTo(2);
        // Responses go in order into slots 0 and 1: they answer requests 2 and 3.
        assertThat(front.takeResponse()).isEqualTo(new BlkifResponse(2, Blkif.OP_READ, Blkif.RSP_OKAY));
        assertThat(front.takeResponse()).isEqualTo(new BlkifResponse(3, Blkif.OP_READ, Blkif.RSP_OKAY));
    }

    @Test
    void loopsRefuseARingTheyWereNotCompiledFor() {
        Page page = new Page();
        FrontRing<BlkifRequest, BlkifResponse> front = FrontRing.init("t32", page, BlkifAbi.X86_32.layout());
        BackRing<BlkifRequest, BlkifResponse> back = BackRing.init("t32", page, BlkifAbi.X86_32.layout());
        assertThatThrownBy(() -> new BenchFrontend(front, page, BlkifAbi.X86_32, null, NotifyMode.SPIN, 1, GREF))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ring t32: the benchmark's loops are compiled for x86_64-abi blkif slots of 112 bytes "
                        + "from offset 64, not x86_32-abi slots of 108 bytes from offset 64");
        assertThatThrownBy(() -> new BenchBackend(back, page, BlkifAbi.X86_32, null, NotifyMode.SPIN, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ring t32: the benchmark's loops are compiled for x86_64-abi");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ActorThreads.class)
    void javaRunTearsDownCleanlyAndCountsEveryResponse(ActorThreads threads) {
        JavaRingBench bench = new JavaRingBench(Duration.ofSeconds(60));
        for (NotifyMode mode : NotifyMode.values()) {
            if (mode == NotifyMode.SPIN && threads == ActorThreads.VIRTUAL
                    && Runtime.getRuntime().availableProcessors() < 2) {
                // Two spinning virtual threads on one carrier never let each other run (BenchThreads): not a case.
                continue;
            }
            RunResult r = bench.run(mode, 2_000, BenchPort.DEFAULT_YIELDS, threads);
            assertThat(r.count()).isEqualTo(2_000);
            assertThat(r.nanos()).isPositive();
            if (mode == NotifyMode.SPIN) {
                assertThat(r.notifies()).isZero();
            } else {
                assertThat(r.notifies()).isPositive();
            }
        }
    }

    @Test
    void autoGivesSpinningActorsPlatformThreadsAndBlockingOnesVirtualThreads() {
        assertThat(BenchThreads.AUTO.resolve(NotifyMode.SPIN)).isEqualTo(ActorThreads.PLATFORM);
        assertThat(BenchThreads.AUTO.resolve(NotifyMode.NOTIFY)).isEqualTo(ActorThreads.VIRTUAL);
        for (NotifyMode mode : NotifyMode.values()) {
            assertThat(BenchThreads.PLATFORM.resolve(mode)).isEqualTo(ActorThreads.PLATFORM);
            assertThat(BenchThreads.VIRTUAL.resolve(mode)).isEqualTo(ActorThreads.VIRTUAL);
        }
        assertThat(BenchThreads.describe(ActorThreads.PLATFORM)).isEqualTo("platform threads");
        assertThat(BenchThreads.describe(ActorThreads.VIRTUAL)).matches("virtual threads \\(\\d+ carriers?\\)");
    }
}
