package org.xenpv.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.LeakReport;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;
import org.xenpv.core.sim.KernelConfig.ActorThreads;

/**
 * What a blocked vCPU's wake-up costs on a concurrent kernel, per kind of actor thread ({@code -p threads=PLATFORM|VIRTUAL}):
 * a guest actor and a dom0 actor bounce one event over an interdomain channel, each sending
 * ({@code EVTCHNOP_send}) and then blocking in {@code SCHEDOP_poll} until its own port is pending. Every
 * operation is one round trip, two sends and two block/wake pairs, so the figure is dominated by the kernel's
 * park/unpark: an OS futex sleep and wake-up for platform threads, an unmount and re-queue for virtual threads.
 * This is the cost that {@code xenpv bench ring --mode notify} pays every time a side runs out of work.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class EvtchnPingPongBenchmark {

    /** Round trips per benchmark invocation: enough to make the world's set-up and teardown negligible. */
    public static final int ROUND_TRIPS = 2_000;

    @Param({"PLATFORM", "VIRTUAL"})
    public String threads;

    /** Runs {@link #ROUND_TRIPS} round trips in a fresh world and returns how many the guest completed. */
    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public long pingPong() {
        try (Kernel kernel = Kernel.create(KernelConfig.concurrent().withLogCapacity(1)
                .withActorThreads(ActorThreads.valueOf(threads)))) {
            kernel.log().setEnabled(false);
            Platform platform = new Platform(kernel);
            Domain guest = platform.createDomain("bench-guest");
            EventChannels guestEvtchn = guest.evtchn();
            EventChannels dom0Evtchn = platform.dom0().evtchn();
            int guestPort = guestEvtchn.allocUnbound(0);
            int dom0Port = dom0Evtchn.bindInterdomain(guest.domid(), guestPort);
            dom0Evtchn.testAndClearPending(dom0Port);
            long[] done = new long[1];
            Actor pong = kernel.spawn("d0/pong", () -> {
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    take(dom0Evtchn, dom0Port);
                    dom0Evtchn.send(dom0Port);
                }
            });
            Actor ping = kernel.spawn("d" + guest.domid() + "/ping", () -> {
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    guestEvtchn.send(guestPort);
                    take(guestEvtchn, guestPort);
                    done[0]++;
                }
            });
            kernel.runUntil(() -> ping.finished() && pong.finished(), Duration.ofSeconds(60));
            dom0Evtchn.close(dom0Port);
            guestEvtchn.close(guestPort);
            LeakReport leaks = platform.leakReport();
            if (!leaks.isEmpty()) {
                throw new IllegalStateException("ping-pong leaked: " + leaks);
            }
            return done[0];
        }
    }

    /** Blocks in {@code SCHEDOP_poll} until {@code port} is pending, then takes the event. */
    private static void take(EventChannels evtchn, int port) {
        while (!evtchn.testAndClearPending(port)) {
            evtchn.poll(port);
        }
    }
}
