package org.xenpv.cli.bench;

import java.util.Objects;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.sim.Kernel;

/**
 * One side's end of the benchmark's interdomain event channel in {@link NotifyMode#NOTIFY}: {@code EVTCHNOP_send}
 * to the peer, and the wait of a side that has no work after {@code RING_FINAL_CHECK_FOR_*}.
 *
 * <p>The wait is the one of {@code evtchn_wait} in {@code ringbench.c}, step for step: take the port's pending
 * bit (test-and-clear); if it was clear, yield the vCPU ({@code SCHEDOP_yield}, {@link Kernel#yieldNow()}) and
 * look again, at most {@code yields} times; then block in {@code SCHEDOP_poll} until the port is pending and take
 * it. {@code yields} is {@code --yields} of {@code xenpv bench ring}, which the command hands to both
 * implementations, so Java and C follow the same policy; {@code 0} blocks at once.
 */
final class BenchPort {

    /**
     * The default of {@code --yields}: one look after yielding the CPU before blocking. When the peer is runnable
     * on the same CPU it then answers without a block/wake pair; when it is not, the side blocks as with 0.
     */
    static final int DEFAULT_YIELDS = 1;

    private final Kernel kernel;
    private final EventChannels evtchn;
    private final int port;
    private final int yields;

    private long waits;

    /**
     * @param kernel the actor's kernel ({@link Kernel#yieldNow()})
     * @param evtchn the domain's event channels
     * @param port   the local port
     * @param yields times to yield and look again before blocking, at least 0
     */
    BenchPort(Kernel kernel, EventChannels evtchn, int port, int yields) {
        if (yields < 0) {
            throw new IllegalArgumentException("yields " + yields + " < 0");
        }
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.evtchn = Objects.requireNonNull(evtchn, "evtchn");
        this.port = port;
        this.yields = yields;
    }

    /** {@code EVTCHNOP_send} on the local port: the peer's port becomes pending. */
    void send() {
        evtchn.send(port);
    }

    /** Takes the port's pending event, yielding up to {@code yields} times and then blocking until one comes. */
    void await() {
        int yielded = 0;
        while (!evtchn.testAndClearPending(port)) {
            if (yielded < yields) {
                yielded++;
                kernel.yieldNow();
            } else {
                waits++;
                evtchn.poll(port);
            }
        }
    }

    /** Times this side blocked in {@code SCHEDOP_poll}. */
    long waits() {
        return waits;
    }

    int yields() {
        return yields;
    }
}
