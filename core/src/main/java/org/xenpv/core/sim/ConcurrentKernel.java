package org.xenpv.core.sim;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.EventLog;

/**
 * Real threads on the real clock, for throughput and for races the seeded search has not reached: platform
 * threads, or virtual threads on the JVM's carriers ({@link KernelConfig.ActorThreads}). A wait queue is a list of
 * parked threads that {@link WaitQueue#wakeAll()} unparks; a waiter registers before it re-checks its condition,
 * so a wake-up cannot be lost.
 */
final class ConcurrentKernel implements Kernel {

    private static final VarHandle FIRST;

    static {
        try {
            FIRST = MethodHandles.lookup().findVarHandle(Q.class, "first", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final KernelConfig config;
    private final long start = System.nanoTime();
    private final EventLog log;
    private final List<Act> actors = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Act> current = new ThreadLocal<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<String> failureActor = new AtomicReference<>();
    /** Actors running or blocked with a deadline: the world is idle when this is 0. */
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean closed;

    ConcurrentKernel(KernelConfig config) {
        this.config = config;
        this.log = new EventLog(this::nanoTime, this::actorName, config.logCapacity());
    }

    private String actorName() {
        Act a = current.get();
        return a != null ? a.name : "kernel";
    }

    final class Act implements Actor {
        final int id;
        final String name;
        final Thread thread;
        volatile boolean done;
        volatile Throwable error;

        Act(int id, String name, Runnable body) {
            this.id = id;
            this.name = name;
            Thread.Builder builder = config.actorThreads() == KernelConfig.ActorThreads.VIRTUAL
                    ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
            this.thread = builder.name("xenpv-" + name).unstarted(() -> {
                current.set(this);
                try {
                    body.run();
                } catch (ActorKilled k) {
                    // closing
                } catch (Throwable t) {
                    error = t;
                    if (!closed && failure.compareAndSet(null, t)) {
                        failureActor.set(name);
                    }
                } finally {
                    done = true;
                    busy.decrementAndGet();
                    if (!closed) {
                        log.record(new Event.ActorExit(name, error == null ? null : error.toString()));
                    }
                }
            });
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public boolean finished() {
            return done;
        }

        @Override
        public Optional<Throwable> failure() {
            return Optional.ofNullable(error);
        }
    }

    final class Q implements WaitQueue {
        final String name;
        /**
         * The first waiter, registered with one CAS and no allocation: most queues (a port's {@code SCHEDOP_poll},
         * a vCPU's upcall) have one waiter at a time. Only the thread in it clears it.
         */
        volatile Thread first;
        /** Waiters that found {@link #first} taken. */
        final ConcurrentLinkedQueue<Thread> more = new ConcurrentLinkedQueue<>();

        Q(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean await(BooleanSupplier condition, Duration timeout) {
            long n = timeout.toNanos();
            // The largest timeout means none (as in the deterministic kernel): such a waiter is idle.
            return awaitNanos(condition, n == Long.MAX_VALUE ? -1 : n <= 0 ? 0 : n);
        }

        @Override
        public void await(BooleanSupplier condition) {
            awaitNanos(condition, -1);
        }

        private boolean awaitNanos(BooleanSupplier condition, long timeoutNanos) {
            if (condition.getAsBoolean()) {
                return true;
            }
            checkOpen();
            long deadline = timeoutNanos < 0 ? 0 : System.nanoTime() + timeoutNanos;
            Thread me = Thread.currentThread();
            boolean timed = timeoutNanos >= 0;
            if (!timed) {
                busy.decrementAndGet();
            }
            // Registered once, before every re-check of the condition: a wakeAll() after the state changed
            // unparks this thread whichever check it is at, so no wake-up is lost (and a wake-up costs no
            // re-registration). Registration and wakeAll()'s read of it are volatile, as are the conditions'
            // reads and the state changes before a wakeAll(): one of the two sides sees the other.
            boolean inFirst = FIRST.compareAndSet(this, null, me);
            if (!inFirst) {
                more.add(me);
            }
            try {
                while (!condition.getAsBoolean()) {
                    if (timed) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return false;
                        }
                        LockSupport.parkNanos(this, left);
                    } else {
                        LockSupport.park(this);
                    }
                    checkOpen();
                }
                return true;
            } finally {
                if (inFirst) {
                    first = null;
                } else {
                    more.remove(me);
                }
                if (!timed) {
                    busy.incrementAndGet();
                }
            }
        }

        @Override
        public void wakeAll() {
            Thread t = first;
            if (t != null) {
                LockSupport.unpark(t);
            }
            if (!more.isEmpty()) {
                for (Thread w : more) {
                    LockSupport.unpark(w);
                }
            }
        }
    }

    final class Lock implements KernelLock {
        private final AtomicReference<Thread> owner = new AtomicReference<>();
        private final Q queue;

        Lock(String name) {
            this.queue = new Q("lock " + name);
        }

        @Override
        public void lock() {
            Thread me = Thread.currentThread();
            if (owner.get() == me) {
                throw new IllegalStateException(queue.name + " is not reentrant");
            }
            while (!owner.compareAndSet(null, me)) {
                queue.await(() -> owner.get() == null);
            }
        }

        @Override
        public void unlock() {
            if (!owner.compareAndSet(Thread.currentThread(), null)) {
                throw new IllegalStateException(queue.name + " unlocked by a non-owner");
            }
            queue.wakeAll();
        }

        @Override
        public boolean heldByCurrentActor() {
            return owner.get() == Thread.currentThread();
        }
    }

    private void checkOpen() {
        if (closed) {
            Act a = current.get();
            throw new ActorKilled(a != null ? a.name : Thread.currentThread().getName());
        }
    }

    @Override
    public Mode mode() {
        return Mode.CONCURRENT;
    }

    @Override
    public long seed() {
        return config.seed();
    }

    @Override
    public KernelConfig config() {
        return config;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime() - start;
    }

    @Override
    public EventLog log() {
        return log;
    }

    @Override
    public Actor spawn(String name, Runnable body) {
        if (closed) {
            throw new IllegalStateException("kernel closed; cannot spawn " + name);
        }
        Act a = new Act(ids.getAndIncrement(), name, body);
        actors.add(a);
        busy.incrementAndGet();
        log.record(new Event.ActorSpawn(name));
        a.thread.start();
        return a;
    }

    @Override
    public WaitQueue waitQueue(String name) {
        return new Q(name);
    }

    @Override
    public KernelLock lock(String name) {
        return new Lock(name);
    }

    @Override
    public Actor currentActor() {
        return current.get();
    }

    @Override
    public void sleep(Duration d) {
        checkOpen();
        long deadline = System.nanoTime() + d.toNanos();
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
            checkOpen();
        }
    }

    @Override
    public void yieldNow() {
        checkOpen();
        Thread.yield();
    }

    @Override
    public void preemptionPoint() {
        // Real threads are preempted by the OS.
    }

    @Override
    public boolean step() {
        throw new UnsupportedOperationException("step() needs a deterministic kernel");
    }

    private void rethrow() {
        Throwable t = failure.getAndSet(null);
        if (t != null) {
            throw new ActorFailedException(failureActor.get(), t);
        }
    }

    private void pause() {
        LockSupport.parkNanos(this, 100_000);
    }

    @Override
    public void runUntil(BooleanSupplier done, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            rethrow();
            if (System.nanoTime() > end) {
                throw new SimTimeoutException("goal not reached within " + limit + " (concurrent mode)");
            }
            pause();
        }
        rethrow();
    }

    @Override
    public void runFor(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            rethrow();
            pause();
        }
        rethrow();
    }

    @Override
    public void runUntilIdle(Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        while (busy.get() > 0) {
            rethrow();
            if (System.nanoTime() > end) {
                throw new SimTimeoutException("still busy after " + limit + " (concurrent mode)");
            }
            pause();
        }
        rethrow();
    }

    @Override
    public void close() {
        closed = true;
        for (Act a : actors) {
            a.thread.interrupt();
            LockSupport.unpark(a.thread);
        }
        for (Act a : actors) {
            try {
                a.thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
