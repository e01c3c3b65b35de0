package org.xenpv.cli.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.grant.GrantMapping;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.mem.Page;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.LeakReport;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.ring.BackRing;
import org.xenpv.core.ring.FrontRing;
import org.xenpv.core.ring.Sring;
import org.xenpv.core.ring.blkif.BlkifAbi;
import org.xenpv.core.ring.blkif.BlkifRequest;
import org.xenpv.core.ring.blkif.BlkifResponse;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;
import org.xenpv.core.sim.KernelConfig.ActorThreads;

/**
 * The Java side of {@code xenpv bench ring}: a blkfront actor in a guest and a blkback actor in dom0 on a
 * concurrent kernel, over the platform's real objects. The guest grants its ring page to dom0 (a v1 grant
 * entry), dom0 maps it ({@code GNTTABOP_map_grant_ref}), and they share an interdomain event channel
 * ({@code EVTCHNOP_alloc_unbound} + {@code bind_interdomain}). Everything is torn down after the run and the
 * platform's leak report must come back empty.
 *
 * <p>The actors run on platform or virtual threads ({@link BenchThreads}); by default spinning actors get
 * platform threads and blocking ones virtual threads.
 *
 * <p>The kernel's event log is off and the rings carry no kernel (no instrumentation, no preemption points):
 * this measures the protocol paths, not the debugging aids.
 */
public final class JavaRingBench {

    /** The ring's ABI: x86_64 blkif, 112-byte requests, one page holds {@code RING_SIZE} 32. */
    public static final BlkifAbi ABI = BlkifAbi.X86_64;
    /** The guest frame that holds the ring. */
    static final long RING_GFN = 0x1000;
    /** The grant ref the guest uses for the ring page (the first one not reserved). */
    static final int RING_REF = GrantTable.NR_RESERVED_ENTRIES;
    /** The grant ref the requests' one segment names (never mapped: the backend does no I/O). */
    static final int DATA_REF = RING_REF + 1;

    private final Duration timeout;

    /** @param timeout how long one run may take before it is declared hung */
    public JavaRingBench(Duration timeout) {
        this.timeout = timeout;
    }

    /** {@code RING_SIZE} of the benchmark ring. */
    public static int ringSize() {
        return ABI.layout().geometry(Page.SIZE).size();
    }

    /**
     * One run of {@code count} round trips.
     *
     * @throws IllegalStateException if a response is wrong, a side fails, the run hangs, or anything leaks
     */
    public RunResult run(NotifyMode mode, long count) {
        return run(mode, count, BenchPort.DEFAULT_YIELDS);
    }

    /**
     * One run of {@code count} round trips; in notify mode a side with no work yields up to {@code yields} times
     * before blocking ({@link BenchPort}).
     *
     * @throws IllegalStateException if a response is wrong, a side fails, the run hangs, or anything leaks
     */
    public RunResult run(NotifyMode mode, long count, int yields) {
        return run(mode, count, yields, BenchThreads.AUTO.resolve(mode));
    }

    /**
     * One run of {@code count} round trips with the actors on {@code threads}.
     *
     * @throws IllegalStateException if a response is wrong, a side fails, the run hangs, or anything leaks
     */
    public RunResult run(NotifyMode mode, long count, int yields, ActorThreads threads) {
        try (Kernel kernel = Kernel.create(KernelConfig.concurrent().withLogCapacity(1).withActorThreads(threads))) {
            kernel.log().setEnabled(false);
            Platform platform = new Platform(kernel);
            Domain guest = platform.createDomain("bench-blkfront");
            Domain dom0 = platform.dom0();
            EventChannels guestEvtchn = guest.evtchn();
            EventChannels dom0Evtchn = dom0.evtchn();

            // Frontend: allocate the ring page, SHARED_RING_INIT, grant it, offer an event channel.
            Page ringPage = guest.memory().page(RING_GFN);
            new Sring(ringPage).init();
            guest.grantTable().permit(RING_REF, dom0.domid(), RING_GFN, false);
            int frontPort = guestEvtchn.allocUnbound(dom0.domid());

            // Backend: map the ring, bind the channel (binding leaves the new port pending: consume it).
            GrantMapping mapping = dom0.grants().map(guest.domid(), RING_REF, false);
            Page backPage = mapping.page();
            int backPort = dom0Evtchn.bindInterdomain(guest.domid(), frontPort);
            dom0Evtchn.testAndClearPending(backPort);

            // Each side builds its private ring state (FRONT_RING_INIT / BACK_RING_INIT) in its own thread, as a
            // driver keeps it in its own memory: the two sides' private indices then never share a cache line.
            CountDownLatch finished = new CountDownLatch(2);
            AtomicReference<BenchFrontend> feRef = new AtomicReference<>();
            AtomicReference<BenchBackend> beRef = new AtomicReference<>();
            AtomicReference<FrontRing<?, ?>> frontRef = new AtomicReference<>();
            AtomicReference<BackRing<?, ?>> backRef = new AtomicReference<>();
            long start = System.nanoTime();
            Actor backend = kernel.spawn("d0/blkback", countingDown(finished, () -> {
                BackRing<BlkifRequest, BlkifResponse> back = BackRing.init("bench-blkif", backPage, ABI.layout());
                backRef.set(back);
                BenchBackend be = new BenchBackend(back, backPage, ABI,
                        mode.notifies() ? new BenchPort(kernel, dom0Evtchn, backPort, yields) : null, mode, count);
                beRef.set(be);
                be.run();
            }));
            Actor frontend = kernel.spawn("d" + guest.domid() + "/blkfront", countingDown(finished, () -> {
                FrontRing<BlkifRequest, BlkifResponse> front =
                        FrontRing.attach("bench-blkif", ringPage, ABI.layout(), null, 0);
                frontRef.set(front);
                BenchFrontend fe = new BenchFrontend(front, ringPage, ABI,
                        mode.notifies() ? new BenchPort(kernel, guestEvtchn, frontPort, yields) : null, mode, count, DATA_REF);
                feRef.set(fe);
                fe.run();
            }));
            awaitBoth(finished, kernel, frontend, backend, frontRef, backRef);
            BenchFrontend fe = feRef.get();
            BenchBackend be = beRef.get();
            long nanos = fe.endNanos() - start;

            if (fe.verified() != count || be.answered() != count) {
                throw new IllegalStateException("run ended with " + fe.verified() + " verified responses and "
                        + be.answered() + " answered requests of " + count);
            }
            long notifies = guestEvtchn.counters(frontPort).sent() + dom0Evtchn.counters(backPort).sent();

            dom0Evtchn.close(backPort);
            guestEvtchn.close(frontPort);
            dom0.grants().unmap(mapping);
            if (!guest.grantTable().revoke(RING_REF)) {
                throw new IllegalStateException("grant ref " + RING_REF + " of " + guest + " still in use after unmap");
            }
            LeakReport leaks = platform.leakReport();
            if (!leaks.isEmpty()) {
                throw new IllegalStateException("the benchmark leaked: " + leaks);
            }
            return new RunResult(mode, count, nanos, notifies, fe.polls() + be.polls());
        }
    }

    private static Runnable countingDown(CountDownLatch finished, Runnable body) {
        return () -> {
            try {
                body.run();
            } finally {
                finished.countDown();
            }
        };
    }

    private void awaitBoth(CountDownLatch finished, Kernel kernel, Actor frontend, Actor backend,
                           AtomicReference<FrontRing<?, ?>> front, AtomicReference<BackRing<?, ?>> back) {
        boolean done;
        try {
            done = finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the benchmark actors", e);
        }
        // Rethrows an actor's failure (a bad response, a ring fault) as ActorFailedException.
        kernel.runUntil(() -> frontend.finished() && backend.finished(), done ? Duration.ofSeconds(5) : Duration.ZERO);
        if (!done) {
            throw new IllegalStateException("benchmark run did not finish within " + timeout + ":\n" + front.get() + "\n" + back.get());
        }
    }
}
