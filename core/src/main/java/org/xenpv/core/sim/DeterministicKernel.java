package org.xenpv.core.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.EventLog;

/**
 * Baton-passing scheduler: every actor is a virtual thread, exactly one of them (or the
 * controlling thread) holds the baton, and every scheduling decision is made by the controlling
 * thread with a seeded {@link SplitMix64}.
 *
 * <p>Scheduler state is touched only by the baton holder; handing the baton over is a volatile
 * write ({@link #running}, {@link Act#turn}) followed by an unpark, which orders everything the
 * previous holder wrote before everything the next one reads.
 */
final class DeterministicKernel implements Kernel {

    private static final long NONE = Long.MAX_VALUE;

    private enum State { NEW, RUNNABLE, RUNNING, BLOCKED, DONE }

    private final KernelConfig config;
    private final SplitMix64 rng;
    private final EventLog log;
    private final List<Act> actors = new ArrayList<>();
    private final ThreadLocal<Act> current = new ThreadLocal<>();
    private volatile Act running;
    private volatile Thread controller;
    private volatile boolean closed;
    private long now;
    private Act lastRun;
    private Throwable unreportedFailure;
    private String unreportedFailureActor;

    DeterministicKernel(KernelConfig config) {
        this.config = config;
        this.rng = new SplitMix64(config.seed());
        this.log = new EventLog(this::nanoTime, this::actorName, config.logCapacity());
    }

    private String actorName() {
        Act a = current.get();
        return a != null ? a.name : "kernel";
    }

    final class Act implements Actor {
        final int id;
        final String name;
        final Runnable body;
        Thread thread;
        State state = State.NEW;
        Q waitingOn;
        long deadline = NONE;
        volatile boolean turn;
        Throwable failure;

        Act(int id, String name, Runnable body) {
            this.id = id;
            this.name = name;
            this.body = body;
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
            return state == State.DONE;
        }

        @Override
        public Optional<Throwable> failure() {
            return Optional.ofNullable(failure);
        }

        String describe() {
            String what = switch (state) {
                case BLOCKED -> waitingOn != null ? "waiting on '" + waitingOn.name + "'" : "sleeping";
                default -> state.name().toLowerCase();
            };
            return name + " " + what + (deadline != NONE ? " until t=" + EventLog.seconds(deadline) : "");
        }

        @Override
        public String toString() {
            return "Actor[" + describe() + "]";
        }

        void main() {
            current.set(this);
            awaitTurn();
            try {
                body.run();
            } catch (ActorKilled killed) {
                // unwinding after close()
            } catch (Throwable t) {
                failure = t;
                if (!closed && unreportedFailure == null) {
                    unreportedFailure = t;
                    unreportedFailureActor = name;
                }
            }
            state = State.DONE;
            if (!closed) {
                log.record(new Event.ActorExit(name, failure == null ? null : failure.toString()));
                release();
            }
        }

        void awaitTurn() {
            while (!turn) {
                LockSupport.park(this);
                if (closed) {
                    throw new ActorKilled(name);
                }
            }
        }

        /** Gives the baton back to the controller and waits to be dispatched again. */
        void handBack() {
            if (closed) {
                throw new ActorKilled(name);
            }
            turn = false;
            release();
            awaitTurn();
        }

        private void release() {
            running = null;
            LockSupport.unpark(controller);
        }
    }

    final class Q implements WaitQueue {
        final String name;
        final LinkedHashSet<Act> waiters = new LinkedHashSet<>();

        Q(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean await(BooleanSupplier condition, Duration timeout) {
            return awaitUntil(condition, deadlineAfter(timeout));
        }

        @Override
        public void await(BooleanSupplier condition) {
            awaitUntil(condition, NONE);
        }

        private boolean awaitUntil(BooleanSupplier condition, long deadline) {
            Act self = requireActor("await on '" + name + "'");
            while (true) {
                if (condition.getAsBoolean()) {
                    return true;
                }
                if (deadline != NONE && now >= deadline) {
                    return false;
                }
                self.state = State.BLOCKED;
                self.waitingOn = this;
                self.deadline = deadline;
                waiters.add(self);
                self.handBack();
            }
        }

        @Override
        public void wakeAll() {
            requireBaton("wakeAll on '" + name + "'");
            if (waiters.isEmpty()) {
                return;
            }
            for (Act a : waiters) {
                a.state = State.RUNNABLE;
                a.waitingOn = null;
                a.deadline = NONE;
            }
            waiters.clear();
        }

        @Override
        public String toString() {
            return "WaitQueue[" + name + ", " + waiters.size() + " waiting]";
        }
    }

    final class Lock implements KernelLock {
        private final Q queue;
        private Act owner;

        Lock(String name) {
            this.queue = new Q("lock " + name);
        }

        @Override
        public void lock() {
            Act self = requireActor("lock " + queue.name);
            if (owner == self) {
                throw new IllegalStateException(queue.name + " is not reentrant; already held by " + self.name);
            }
            queue.await(() -> owner == null);
            owner = self;
        }

        @Override
        public void unlock() {
            if (owner != current.get()) {
                throw new IllegalStateException(queue.name + " unlocked by a non-owner");
            }
            owner = null;
            queue.wakeAll();
        }

        @Override
        public boolean heldByCurrentActor() {
            return owner != null && owner == current.get();
        }
    }

    private long deadlineAfter(Duration d) {
        long n = d.toNanos();
        return n >= NONE - now ? NONE : now + Math.max(0, n);
    }

    private Act requireActor(String what) {
        Act a = current.get();
        if (a == null) {
            throw new IllegalStateException(what + ": only an actor may block (called from thread "
                    + Thread.currentThread().getName() + ")");
        }
        if (closed) {
            throw new ActorKilled(a.name);
        }
        return a;
    }

    private void requireBaton(String what) {
        Act a = current.get();
        if (a == null && running != null) {
            throw new IllegalStateException(what + " from thread " + Thread.currentThread().getName()
                    + " while actor " + running.name + " runs: deterministic kernels accept calls only from actors"
                    + " or the controlling thread");
        }
        if (a != null && a != running && !closed) {
            throw new IllegalStateException(what + " from actor " + a.name + " which does not hold the baton");
        }
    }

    @Override
    public Mode mode() {
        return Mode.DETERMINISTIC;
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
        return now;
    }

    @Override
    public EventLog log() {
        return log;
    }

    @Override
    public Actor spawn(String name, Runnable body) {
        requireBaton("spawn " + name);
        if (closed) {
            throw new IllegalStateException("kernel closed; cannot spawn " + name);
        }
        Act a = new Act(actors.size(), name, body);
        a.thread = Thread.ofVirtual().name("xenpv-" + name).unstarted(a::main);
        a.state = State.RUNNABLE;
        actors.add(a);
        log.record(new Event.ActorSpawn(name));
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
        Act self = requireActor("sleep");
        long deadline = deadlineAfter(d);
        if (deadline == now) {
            return;
        }
        self.state = State.BLOCKED;
        self.waitingOn = null;
        self.deadline = deadline;
        self.handBack();
    }

    @Override
    public void yieldNow() {
        Act self = requireActor("yield");
        self.state = State.RUNNABLE;
        self.handBack();
    }

    @Override
    public void preemptionPoint() {
        if (config.preemptionProbability() > 0 && current.get() != null
                && rng.nextDouble() < config.preemptionProbability()) {
            yieldNow();
        }
    }

    // ---- controller side -------------------------------------------------------------------

    private enum StepResult { STEPPED, IDLE, LIMIT }

    private void enterController() {
        if (current.get() != null) {
            throw new IllegalStateException("actor " + current.get().name + " may not drive the kernel");
        }
        if (closed) {
            throw new IllegalStateException("kernel closed");
        }
        controller = Thread.currentThread();
    }

    private Act pickRunnable() {
        int n = 0;
        for (Act a : actors) {
            if (a.state == State.RUNNABLE) {
                n++;
            }
        }
        if (n == 0) {
            return null;
        }
        int k = n == 1 ? 0 : rng.nextInt(n);
        for (Act a : actors) {
            if (a.state == State.RUNNABLE && k-- == 0) {
                return a;
            }
        }
        throw new AssertionError();
    }

    private long nextDeadline() {
        long t = NONE;
        for (Act a : actors) {
            if (a.state == State.BLOCKED && a.deadline < t) {
                t = a.deadline;
            }
        }
        return t;
    }

    private void advanceTo(long t) {
        if (t > now) {
            log.record(new Event.ClockAdvance(now, t));
            now = t;
        }
        for (Act a : actors) {
            if (a.state == State.BLOCKED && a.deadline <= now) {
                if (a.waitingOn != null) {
                    a.waitingOn.waiters.remove(a);
                    a.waitingOn = null;
                }
                a.deadline = NONE;
                a.state = State.RUNNABLE;
            }
        }
    }

    private void dispatch(Act a) {
        if (config.logActorSwitches() && a != lastRun) {
            log.record(new Event.ActorRun(a.name));
        }
        lastRun = a;
        a.state = State.RUNNING;
        running = a;
        a.turn = true;
        if (a.thread.getState() == Thread.State.NEW) {
            a.thread.start();
        } else {
            LockSupport.unpark(a.thread);
        }
        while (running != null) {
            LockSupport.park(this);
        }
        if (a.state == State.RUNNING) {
            throw new AssertionError("actor " + a.name + " returned the baton while still running");
        }
        if (unreportedFailure != null) {
            Throwable t = unreportedFailure;
            String who = unreportedFailureActor;
            unreportedFailure = null;
            throw new ActorFailedException(who, t);
        }
    }

    private StepResult stepBefore(long limit) {
        Act next = pickRunnable();
        if (next == null) {
            long t = nextDeadline();
            if (t == NONE) {
                return StepResult.IDLE;
            }
            if (t > limit) {
                return StepResult.LIMIT;
            }
            advanceTo(t);
            next = pickRunnable();
        }
        dispatch(next);
        return StepResult.STEPPED;
    }

    @Override
    public boolean step() {
        enterController();
        return stepBefore(NONE) == StepResult.STEPPED;
    }

    @Override
    public void runUntil(BooleanSupplier done, Duration limit) {
        enterController();
        long end = deadlineAfter(limit);
        while (!done.getAsBoolean()) {
            switch (stepBefore(end)) {
                case STEPPED -> { }
                case IDLE -> throw new DeadlockException("no actor can run and no timer is pending at t="
                        + EventLog.seconds(now) + "; goal not reached. Actors: " + describeActors());
                case LIMIT -> {
                    advanceTo(end);
                    if (done.getAsBoolean()) {
                        return;
                    }
                    throw new SimTimeoutException("goal not reached within " + limit + " of virtual time (t="
                            + EventLog.seconds(now) + "). Actors: " + describeActors());
                }
            }
        }
    }

    @Override
    public void runFor(Duration d) {
        enterController();
        long end = deadlineAfter(d);
        while (stepBefore(end) == StepResult.STEPPED) {
            if (now > end) {
                break;
            }
        }
        if (end != NONE) {
            advanceTo(end);
        }
    }

    @Override
    public void runUntilIdle(Duration limit) {
        enterController();
        long end = deadlineAfter(limit);
        while (true) {
            switch (stepBefore(end)) {
                case STEPPED -> { }
                case IDLE -> {
                    return;
                }
                case LIMIT -> throw new SimTimeoutException("still busy after " + limit + " of virtual time. Actors: "
                        + describeActors());
            }
        }
    }

    /** Every actor that is not finished, with what it waits for. */
    String describeActors() {
        StringBuilder sb = new StringBuilder();
        for (Act a : actors) {
            if (a.state != State.DONE) {
                sb.append(sb.isEmpty() ? "" : "; ").append(a.describe());
            }
        }
        return sb.isEmpty() ? "(none left)" : sb.toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Act a : actors) {
            if (a.thread.getState() != Thread.State.NEW && a.thread.isAlive()) {
                LockSupport.unpark(a.thread);
            }
        }
        for (Act a : actors) {
            if (a.thread.getState() != Thread.State.NEW) {
                try {
                    a.thread.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "DeterministicKernel[seed=" + config.seed() + ", t=" + EventLog.seconds(now) + ", " + describeActors() + "]";
    }
}
