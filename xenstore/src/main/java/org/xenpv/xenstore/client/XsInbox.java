package org.xenpv.xenstore.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Messages received on one connection, in arrival order, shared between the thread that reads the
 * transport and the caller. Replies and {@code WATCH_EVENT}s are interleaved as they came (the
 * daemon may send an event anywhere, even before the reply to the request that caused it;
 * reference §1.1); callers take the next message of any kind, the next one matching a predicate, or
 * all events so far. Once the transport ends, messages already received can still be taken, then
 * every call fails with the recorded cause.
 *
 * <p>Real-transport code: it blocks the calling thread with a lock and condition, which is why it
 * lives in the client package (exempt from the simulation blocking rules).
 */
public final class XsInbox {

    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final LinkedList<XsSocketMessage> messages = new LinkedList<>();
    private XsClientException end;

    /** @param name the connection's name, used in timeout messages */
    public XsInbox(String name) {
        this.name = name;
    }

    /** Called by the transport reader for every decoded message. */
    public void add(XsSocketMessage m) {
        lock.lock();
        try {
            messages.add(m);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Called by the transport once nothing more will arrive; the first cause wins. */
    public void end(XsClientException cause) {
        lock.lock();
        try {
            if (end == null) {
                end = cause;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The cause recorded by {@link #end}, or {@code null} while the transport is live. */
    public XsClientException endCause() {
        lock.lock();
        try {
            return end;
        } finally {
            lock.unlock();
        }
    }

    /** Removes and returns the oldest message; waits up to {@code timeout} for one. */
    public XsSocketMessage next(Duration timeout) throws XsClientException {
        return take(m -> true, "any message", timeout);
    }

    /**
     * Removes and returns the oldest message matching {@code which}, leaving the others in place;
     * waits up to {@code timeout}.
     *
     * @throws XsTimeoutException if none arrived in time
     * @throws XsClosedException (or the transport's other cause) if the stream ended without one
     */
    public XsSocketMessage take(Predicate<XsSocketMessage> which, String what, Duration timeout)
            throws XsClientException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Iterator<XsSocketMessage> it = messages.iterator(); it.hasNext(); ) {
                    XsSocketMessage m = it.next();
                    if (which.test(m)) {
                        it.remove();
                        return m;
                    }
                }
                if (end != null) {
                    throw end;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new XsTimeoutException(name + ": no " + what + " within " + timeout.toMillis() + " ms ("
                            + messages.size() + " other message(s) waiting)");
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XsTimeoutException(name + ": interrupted while waiting for " + what);
        } finally {
            lock.unlock();
        }
    }

    /** Removes and returns every message matching {@code which} received so far, in arrival order. */
    public List<XsSocketMessage> drain(Predicate<XsSocketMessage> which) {
        lock.lock();
        try {
            List<XsSocketMessage> out = new ArrayList<>();
            for (Iterator<XsSocketMessage> it = messages.iterator(); it.hasNext(); ) {
                XsSocketMessage m = it.next();
                if (which.test(m)) {
                    it.remove();
                    out.add(m);
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** A copy of the messages received and not yet taken, in arrival order. */
    public List<XsSocketMessage> snapshot() {
        lock.lock();
        try {
            return List.copyOf(messages);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for {@code timeout} or until the transport ends, whichever is first. Unused time is not an error. */
    public void awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            long left;
            while (end == null && (left = deadline - System.nanoTime()) > 0) {
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
