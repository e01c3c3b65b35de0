package org.xenpv.xenbus.fdo;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;

/**
 * One of the FDO's worker threads ({@code [bus thread.c]}: scan, suspend, balloon) as a kernel actor:
 * a synchronization event that watches and other threads set ({@code ThreadWake}, the watch's
 * {@code Event}), an alert flag that asks the body to return ({@code ThreadAlert}) and a join.
 */
final class FdoThread {

    private final Kernel kernel;
    private final String name;
    private final WaitQueue queue;
    private volatile boolean event;
    private volatile boolean alerted;
    private volatile boolean finished;
    private final AtomicLong wakes = new AtomicLong();

    FdoThread(Kernel kernel, String name) {
        this.kernel = kernel;
        this.name = name;
        this.queue = kernel.waitQueue(name + " event");
    }

    /** {@code ThreadCreate}: runs {@code body} on a new actor. */
    void start(Consumer<FdoThread> body) {
        kernel.spawn(name, () -> {
            try {
                body.accept(this);
            } finally {
                finished = true;
                queue.wakeAll();
            }
        });
    }

    /** {@code ThreadWake} / {@code KeSetEvent}: never blocks (watches call it from the store's poll). */
    void wake() {
        wakes.incrementAndGet();
        event = true;
        queue.wakeAll();
    }

    /**
     * {@code KeWaitForSingleObject} on the event, then {@code KeClearEvent}. Returns whether the
     * event was set ({@code false}: {@code timeout} passed; {@code null} waits without limit).
     */
    boolean await(Duration timeout) {
        boolean set;
        if (timeout == null) {
            queue.await(() -> event || alerted);
            set = true;
        } else {
            set = queue.await(() -> event || alerted, timeout);
        }
        event = false;
        return set;
    }

    /** {@code ThreadAlert}: the body sees {@link #alerted()} at its next wake-up. */
    void alert() {
        alerted = true;
        queue.wakeAll();
    }

    boolean alerted() {
        return alerted;
    }

    /** {@code ThreadJoin}: blocks the calling actor until the body returned. */
    void join() {
        queue.await(() -> finished);
    }

    boolean finished() {
        return finished;
    }

    long wakes() {
        return wakes.get();
    }

    @Override
    public String toString() {
        return name + (finished ? " (finished)" : alerted ? " (alerted)" : "");
    }
}
