package org.xenpv.xenbus.sync;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;

/**
 * What XENBUS's {@code [bus sync.c]} does to the guest's processors around a suspend
 * (windows-pv-drivers.md §1.5 steps 3 and 6), for a guest whose "processors" are kernel actors.
 *
 * <p>On Windows {@code SyncCapture} queues a DPC on every other CPU that spins there at
 * {@code DISPATCH_LEVEL}, so no thread runs and no other DPC starts until {@code SyncRelease};
 * {@code SyncDisableInterrupts} then has every CPU turn interrupts off, and
 * {@code SyncEnableInterrupts} turns them back on before the LATE callbacks. Code that must not be
 * split by a suspend (a store request, which spins at {@code DISPATCH_LEVEL} until its reply:
 * "make sure we don't suspend" in {@code [bus store.c StoreSubmitRequest]}) keeps the capture
 * waiting until it is done.
 *
 * <p>Here the same guarantees are given to the actors that stand for those CPUs and threads:
 * <ul>
 *   <li>Dispatch sections ({@link #enterDispatch}/{@link #exitDispatch}): store requests, DPC
 *       callbacks, the store watchdog. {@link #capture} waits until none is running and blocks new
 *       ones until {@link #release}, except on the capturing actor itself and on an actor already
 *       inside a section (a DPC callback making a store request).</li>
 *   <li>Interrupt sections ({@link #tryEnterInterrupt}/{@link #exitInterrupt}): the event-channel
 *       ISR's scan. {@link #disableInterrupts} waits until none is running; none starts until
 *       {@link #enableInterrupts}.</li>
 * </ul>
 * Actors that sleep on their own wait queues (ISR, DPC) register a {@link #onChange wake-up} so
 * they re-check when interrupts come back on or the capture ends.
 */
public final class ProcessorSync {

    /** Where the guest's processors are in the suspend sequence. */
    public enum State {
        /** Normal running. */
        RUNNING,
        /** {@code SyncCapture}: threads and DPCs held, interrupts still on. */
        CAPTURED,
        /** {@code SyncDisableInterrupts}: captured and interrupts off. */
        INTERRUPTS_DISABLED
    }

    private final Kernel kernel;
    private final String name;
    private final WaitQueue changed;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Guarded by this. */
    private final Map<Actor, Integer> dispatchDepth = new IdentityHashMap<>();
    /** Guarded by this. */
    private int interruptSections;
    /** Guarded by this. */
    private State state = State.RUNNING;
    /** The actor that captured, or null. Guarded by this. */
    private Actor owner;
    /** Guarded by this. */
    private long captures;

    public ProcessorSync(Vm vm) {
        this.kernel = vm.kernel();
        this.name = DomId.name(vm.domid());
        this.changed = kernel.waitQueue(name + "/xenbus sync");
    }

    /** Registers a wake-up run whenever interrupts come back on or a capture ends (must not block). */
    public void onChange(Runnable wakeUp) {
        listeners.add(wakeUp);
    }

    /** Removes a wake-up registered with {@link #onChange}. */
    public void removeOnChange(Runnable wakeUp) {
        listeners.remove(wakeUp);
    }

    public synchronized State state() {
        return state;
    }

    /** Whether threads and DPCs are held (between {@link #capture} and {@link #release}). */
    public synchronized boolean captured() {
        return state != State.RUNNING;
    }

    public synchronized boolean interruptsEnabled() {
        return state != State.INTERRUPTS_DISABLED;
    }

    /** How many times {@link #capture} ran. */
    public synchronized long captures() {
        return captures;
    }

    /**
     * {@code SyncCapture}: waits until no other actor is inside a dispatch section, then holds every
     * new one until {@link #release}. Must be called from an actor; that actor stays free to run.
     *
     * @throws IllegalStateException if already captured
     */
    public void capture() {
        Actor me = requireActor("SyncCapture");
        synchronized (this) {
            if (state != State.RUNNING) {
                throw new IllegalStateException(name + ": SyncCapture while " + state + " (by " + owner.name() + ")");
            }
            state = State.CAPTURED;
            owner = me;
            captures++;
        }
        changed.await(() -> othersInDispatch(me) == 0);
    }

    /** {@code SyncDisableInterrupts}: no ISR starts from now on; waits for one that is running. */
    public void disableInterrupts() {
        requireOwner("SyncDisableInterrupts");
        synchronized (this) {
            state = State.INTERRUPTS_DISABLED;
        }
        changed.await(this::noInterruptSections);
    }

    /** {@code SyncEnableInterrupts}: ISRs may run again (threads and DPCs stay held). */
    public void enableInterrupts() {
        requireOwner("SyncEnableInterrupts");
        synchronized (this) {
            state = State.CAPTURED;
        }
        notifyChange();
    }

    /** {@code SyncRelease}: threads and DPCs run again. */
    public void release() {
        requireOwner("SyncRelease");
        synchronized (this) {
            state = State.RUNNING;
            owner = null;
        }
        notifyChange();
    }

    /**
     * Enters a dispatch section (raise to {@code DISPATCH_LEVEL}): waits while captured unless the
     * caller is the capturing actor or already inside a section. Pair with {@link #exitDispatch}.
     * Outside an actor (the controlling thread of a test) this is a no-op.
     */
    public void enterDispatch() {
        Actor me = kernel.currentActor();
        if (me == null) {
            return;
        }
        changed.await(() -> tryEnterDispatch(me));
    }

    private synchronized boolean tryEnterDispatch(Actor me) {
        Integer depth = dispatchDepth.get(me);
        if (state != State.RUNNING && owner != me && depth == null) {
            return false;
        }
        dispatchDepth.put(me, depth == null ? 1 : depth + 1);
        return true;
    }

    /**
     * Enters a dispatch section only if that needs no waiting; returns whether it did. For actors
     * that wait on queues of their own (DPC workers) and re-check after an {@link #onChange} wake-up.
     */
    public boolean tryEnterDispatch() {
        Actor me = kernel.currentActor();
        return me == null || tryEnterDispatch(me);
    }

    /** Leaves a dispatch section. */
    public void exitDispatch() {
        Actor me = kernel.currentActor();
        if (me == null) {
            return;
        }
        synchronized (this) {
            Integer depth = dispatchDepth.get(me);
            if (depth == null) {
                throw new IllegalStateException(name + ": " + me.name() + " leaves a dispatch section it never entered");
            }
            if (depth == 1) {
                dispatchDepth.remove(me);
            } else {
                dispatchDepth.put(me, depth - 1);
            }
        }
        changed.wakeAll();
    }

    /** Starts an ISR pass if interrupts are on; returns whether it did. Pair with {@link #exitInterrupt}. */
    public synchronized boolean tryEnterInterrupt() {
        if (state == State.INTERRUPTS_DISABLED) {
            return false;
        }
        interruptSections++;
        return true;
    }

    /** Ends an ISR pass. */
    public void exitInterrupt() {
        synchronized (this) {
            interruptSections--;
        }
        changed.wakeAll();
    }

    /** Blocks the calling actor until threads and DPCs may run (not captured, or it is the capturer). */
    public void awaitRunnable() {
        Actor me = kernel.currentActor();
        if (me == null) {
            return;
        }
        changed.await(() -> {
            synchronized (this) {
                return state == State.RUNNING || owner == me;
            }
        });
    }

    private synchronized int othersInDispatch(Actor me) {
        int n = 0;
        for (Map.Entry<Actor, Integer> e : dispatchDepth.entrySet()) {
            if (e.getKey() != me) {
                n++;
            }
        }
        return n;
    }

    private synchronized boolean noInterruptSections() {
        return interruptSections == 0;
    }

    private void notifyChange() {
        changed.wakeAll();
        for (Runnable r : listeners) {
            r.run();
        }
    }

    private Actor requireActor(String what) {
        Actor me = kernel.currentActor();
        if (me == null) {
            throw new IllegalStateException(name + ": " + what + " must run on a guest actor (the suspending vCPU)");
        }
        return me;
    }

    private void requireOwner(String what) {
        Actor me = requireActor(what);
        synchronized (this) {
            if (owner != me) {
                throw new IllegalStateException(name + ": " + what + " by " + me.name() + ", but "
                        + (owner == null ? "nobody" : owner.name()) + " captured");
            }
        }
    }

    @Override
    public synchronized String toString() {
        return "ProcessorSync[" + name + " " + state + (owner == null ? "" : " by " + owner.name()) + ", "
                + dispatchDepth.size() + " in dispatch, " + interruptSections + " in ISR]";
    }
}
