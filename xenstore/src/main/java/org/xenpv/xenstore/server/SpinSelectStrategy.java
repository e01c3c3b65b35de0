package org.xenpv.xenstore.server;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

/**
 * Netty select strategy that polls the sockets without blocking for a short while before the event loop
 * goes to sleep in {@code epoll_wait}. XenStore clients (libxenstore, pyxs, guests) are synchronous:
 * each sends its next request a few microseconds after reading a reply. Catching that request while
 * still polling saves the loop thread's sleep and wake-up, the largest part of a round trip after the
 * system calls themselves. The poll only follows activity (the loop sleeps as usual when the sockets are
 * quiet), lasts at most {@code spinNanos}, and never delays queued tasks.
 *
 * <p>Between polls the thread yields ({@code sched_yield}) rather than spinning on the CPU: when the
 * clients need this core (several of them, or a loaded machine), they get it at once and the poll costs
 * them little. A pure spin took the CPU from the clients and halved single-client throughput on a loaded
 * 2-core machine; the yielding poll (20 µs) roughly doubled it there (median 54k vs 25k requests/s, one
 * libxenstore client) and left eight clients unchanged (docs/xenstore-server.md).
 */
final class SpinSelectStrategy implements SelectStrategy {

    private final long spinNanos;

    SpinSelectStrategy(long spinNanos) {
        this.spinNanos = spinNanos;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        int ready = selectNow.get();
        if (ready > 0 || hasTasks || spinNanos <= 0) {
            return ready > 0 || hasTasks ? ready : SelectStrategy.SELECT;
        }
        long deadline = System.nanoTime() + spinNanos;
        while (System.nanoTime() < deadline) {
            Thread.yield();
            ready = selectNow.get();
            if (ready > 0) {
                return ready;
            }
        }
        return SelectStrategy.SELECT;
    }
}
