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
import org.junit.jupiter.params.provider.EnumSource;
import org.xenpv.core.sim.KernelConfig.ActorThreads;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.BackRing;
import org.xenpv.core.ring.FrontRing;
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

    @Test
    void frontendRequestsDecodeAsOneSegmentReadsAndOkayResponsesAreVerified() {
        Page page = new Page();
        FrontRing<BlkifRequest, BlkifResponse> front = FrontRing.init("t", page, ABI.layout());
        BackRing<BlkifRequest, BlkifResponse> back = BackRing.init("t", page, ABI.layout());
        long count = 100;
        List<BlkifRequest> seen = Collections.synchronizedList(new ArrayList<>());
        BenchFrontend fe = new BenchFrontend(front, page, ABI, null, NotifyMode.SPIN, count, GREF);
        try (Kernel k = Kernel.concurrent()) {
            var b = k.spawn("back", codecBackend(back, count, seen, id -> Blkif.RSP_OKAY));
            var f = k.spawn("front", fe);
            k.runUntil(() -> f.finished() && b.finished(), Duration.ofSeconds(30));
        }
        assertThat(fe.verified()).isEqualTo(count);
        assertThat(seen).hasSize((int) count);
        for (int i = 0; i < count; i++) {
            assertThat(seen.get(i)).isEqualTo(new BlkifRequest.ReadWrite(Blkif.OP_READ, 1, 0, i, i * 8L,
                    List.of(new BlkifSegment(GREF, 0, 7))));
        }
    }

    @Test
    void frontendRejectsAnErrorStatusNamingTheResponse() {
        Page page = new Page();
        FrontRing<BlkifRequest, BlkifResponse> front = FrontRing.init("t", page, ABI.layout());
        BackRing<BlkifRequest, BlkifResponse> back = BackRing.init("t", page, ABI.layout());
        BenchFrontend fe = new BenchFrontend(front, page, ABI, null, NotifyMode.SPIN, 40, GREF);
        try (Kernel k = Kernel.concurrent()) {
            k.spawn("back", codecBackend(back, 40, new ArrayList<>(), id -> id == 5 ? Blkif.RSP_ERROR : Blkif.RSP_OKAY));
            k.spawn("front", fe);
            assertThatThrownBy(() -> k.runUntil(() -> false, Duration.ofSeconds(30)))
                    .isInstanceOf(ActorFailedException.class)
                    .hasRootCauseMessage("ring t response at rsp_cons=5: id 5 operation 0 status -1; expected id 5 "
                            + "operation 0 status 0 (BLKIF_RSP_OKAY)");
        }
        assertThat(fe.verified()).isEqualTo(5);
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
