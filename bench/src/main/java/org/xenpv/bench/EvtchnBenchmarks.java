package org.xenpv.bench;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.evtchn.EvtchnAbi;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Kernel;

/**
 * Event-channel notification from dom0 to a guest over an interdomain channel (event log off), on the 2-level
 * and the FIFO ABI ({@code -p abi=2-level|fifo}): {@code EVTCHNOP_send} then the guest's test-and-clear of the
 * pending bit (what a poller does after {@code SCHEDOP_poll}), a send into an already pending port (coalesced),
 * a send consumed by the upcall handler ({@code dispatch}), and {@code SCHEDOP_poll} on a pending port.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class EvtchnBenchmarks {

    static final long CONTROL_GFN = 0x200;
    static final long ARRAY_GFN = 0x201;

    @Param({"2-level", "fifo"})
    public String abi;

    private Kernel kernel;
    private EventChannels guestEvtchn;
    private EventChannels dom0Evtchn;
    private int guestPort;
    private int dom0Port;

    @Setup
    public void setup() {
        kernel = Kernel.concurrent();
        kernel.log().setEnabled(false);
        Platform platform = new Platform(kernel);
        Domain guest = platform.createDomain("bench-guest");
        guestEvtchn = guest.evtchn();
        dom0Evtchn = platform.dom0().evtchn();
        switch (abi) {
            case "2-level" -> { }
            case "fifo" -> {
                guestEvtchn.initControl(CONTROL_GFN, 0, 0);
                guestEvtchn.expandArray(ARRAY_GFN);
            }
            default -> throw new IllegalArgumentException("abi " + abi + ": 2-level or fifo");
        }
        guestPort = guestEvtchn.allocUnbound(0);
        dom0Port = dom0Evtchn.bindInterdomain(guest.domid(), guestPort);
        dom0Evtchn.testAndClearPending(dom0Port);
        guestEvtchn.dispatch(0, p -> { });
    }

    @TearDown
    public void tearDown() {
        kernel.close();
    }

    /** Send, then the guest takes the event; returns whether it was pending (always). */
    @Benchmark
    public boolean sendTestAndClear() {
        dom0Evtchn.send(dom0Port);
        return guestEvtchn.testAndClearPending(guestPort);
    }

    /** Send into a port that stays pending: Xen's coalescing path. */
    @Benchmark
    public boolean sendCoalesced() {
        dom0Evtchn.send(dom0Port);
        return guestEvtchn.pending(guestPort);
    }

    /** Send, then the guest's upcall handler finds and clears the port; returns the ports handled (1). */
    @Benchmark
    public int sendDispatch(Blackhole bh) {
        dom0Evtchn.send(dom0Port);
        return guestEvtchn.dispatch(0, bh::consume);
    }

    /** Send, {@code SCHEDOP_poll} (returns at once: the port is pending), test-and-clear. */
    @Benchmark
    public boolean sendPollClear() {
        dom0Evtchn.send(dom0Port);
        guestEvtchn.poll(guestPort);
        return guestEvtchn.testAndClearPending(guestPort);
    }

    EvtchnAbi guestAbi() {
        return guestEvtchn.abi();
    }

    boolean guestPending() {
        return guestEvtchn.pending(guestPort);
    }
}
