package org.xenpv.xenbus.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.xenpv.core.sim.WaitQueue;

/**
 * A watch registered with {@link StoreClient#watchAdd} ({@code XENBUS_STORE_WATCH}, windows-pv-drivers.md
 * §1.4 "Watches"). A matching event only <em>sets</em> the watch's event (the driver's {@code KeSetEvent}
 * on the owner's KEVENT), so events arriving before the owner waits coalesce into one; the owner then
 * re-reads the keys it cares about.
 */
public final class StoreWatch {

    private final String path;
    private final int id;
    private final long caller;
    private final String token;
    private final WaitQueue queue;
    private final Runnable event;
    private final AtomicLong sets = new AtomicLong();
    private volatile boolean signalled;
    private volatile boolean active = true;
    private volatile boolean removed;

    StoreWatch(String path, int id, long caller, WaitQueue queue, Runnable event) {
        this.path = path;
        this.id = id;
        this.caller = caller;
        this.token = WatchToken.format(caller, id);
        this.queue = queue;
        this.event = event;
    }

    /** The watched path as sent ({@code prefix/node} or {@code node}). */
    public String path() {
        return path;
    }

    /** The 16-bit watch id in the token. */
    public int id() {
        return id;
    }

    /** The caller value printed in the token. */
    public long caller() {
        return caller;
    }

    /** {@code TOK|<caller>|<id>}, 25 characters. */
    public String token() {
        return token;
    }

    /** False once suspend made the watch stale (it is not re-registered; its owner must re-add it). */
    public boolean active() {
        return active;
    }

    boolean removed() {
        return removed;
    }

    void markRemoved() {
        removed = true;
        queue.wakeAll();
    }

    void deactivate() {
        active = false;
    }

    /** {@code KeSetEvent}. */
    void set() {
        sets.incrementAndGet();
        signalled = true;
        queue.wakeAll();
        if (event != null) {
            event.run();
        }
    }

    /** How many times the event was set (events delivered to this watch, before coalescing). */
    public long sets() {
        return sets.get();
    }

    /** Whether the event is set and not yet consumed. */
    public boolean signalled() {
        return signalled;
    }

    /**
     * Waits (as a kernel actor) until the event is set, then clears it (a synchronization event).
     *
     * @return whether it was set within {@code timeout}
     */
    public boolean await(Duration timeout) {
        boolean ok = queue.await(() -> signalled || removed, timeout) && signalled;
        signalled = false;
        return ok;
    }

    /** Clears the event without waiting; returns whether it was set. */
    public boolean consume() {
        boolean was = signalled;
        signalled = false;
        return was;
    }

    @Override
    public String toString() {
        return "watch " + String.format("%04X", id) + " on " + path + (active ? "" : " (EXPIRED)");
    }
}
