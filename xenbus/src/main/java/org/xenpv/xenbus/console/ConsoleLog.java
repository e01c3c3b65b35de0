package org.xenpv.xenbus.console;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;
import org.xenpv.xenbus.log.LogLevel;
import org.xenpv.xenbus.log.XenbusLog;

/**
 * The FDO's log disposition onto the PV console ({@code [bus fdo.c FdoOutputBuffer]}, windows-pv-drivers.md
 * §1.8 "Logging"): installed only if the console was acquired and {@code ConsoleLogLevel} is non-zero
 * (it is 0 by default, so the console carries no driver log unless asked). Each message is copied into a
 * {@link #BUFFER_SIZE}-byte buffer with every {@code \n} turned into {@code \r\n} (what does not fit is
 * cut), then written with one non-blocking {@link Console#write}: what does not fit in the ring is
 * dropped. Dropped bytes and messages are counted here (the driver keeps no count).
 *
 * <p>{@link Console#write} takes the ring lock, which only an actor can. A message logged from an actor is
 * written at once, on that actor; one logged from outside the simulation (the controlling thread) is
 * queued, up to {@link #MAX_PENDING} (the driver's 32 log slots, the rest dropped and counted), and
 * written in order by a flush actor, standing in for the driver's log DPC. A message logged from an actor
 * does not wait behind queued ones, so the two sources keep their own order but may interleave.
 *
 * <p>The FDO removes the disposition in its D0-to-D3 step and adds it again in D3-to-D0, so
 * {@link #detach()} then {@link #attach()} across a resume.
 */
public final class ConsoleLog {

    /** {@code FDO_OUT_BUFFER_SIZE}. */
    public static final int BUFFER_SIZE = 1024;
    /** {@code LOG_NR_SLOTS}: messages that may wait for the flush actor. */
    public static final int MAX_PENDING = 32;

    private final Kernel kernel;
    private final XenbusLog log;
    private final Console console;
    private final int consoleLogLevel;
    private final WaitQueue flushWake;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong bytesDropped = new AtomicLong();
    private final AtomicLong messagesDropped = new AtomicLong();
    private XenbusLog.Disposition disposition;
    private Actor flusher;
    /** Bumped by every attach and detach: a flusher whose generation is gone ends (one flusher at a time). */
    private volatile long generation;

    /**
     * @param consoleLogLevel the {@code ConsoleLogLevel} mask ({@link LogLevel}); 0 = off
     */
    public ConsoleLog(Kernel kernel, XenbusLog log, Console console, int consoleLogLevel) {
        this.kernel = kernel;
        this.log = log;
        this.console = console;
        this.consoleLogLevel = consoleLogLevel;
        this.flushWake = kernel.waitQueue(log.name() + " console log flush");
    }

    /**
     * {@code LogAddDisposition(ConsoleLogLevel, FdoOutputBuffer)} if the console is enabled.
     *
     * @return whether the console now receives log messages (false when the level is 0 or there is no console)
     */
    public synchronized boolean attach() {
        if (disposition != null) {
            throw new IllegalStateException(log.name() + ": console log disposition already attached");
        }
        if (consoleLogLevel == LogLevel.NONE || !console.enabled()) {
            return false;
        }
        disposition = log.addDisposition(consoleLogLevel, (level, text) -> output(text));
        long gen = ++generation;
        flusher = kernel.spawn(log.name() + "/console-log", () -> flushLoop(gen));
        return true;
    }

    /** {@code LogRemoveDisposition}; queued messages are dropped and counted. */
    public synchronized void detach() {
        log.removeDisposition(disposition);
        disposition = null;
        generation++;
        synchronized (pending) {
            messagesDropped.addAndGet(pending.size());
            for (byte[] b : pending) {
                bytesDropped.addAndGet(b.length);
            }
            pending.clear();
        }
        flushWake.wakeAll();
        flusher = null;
    }

    /** Whether the disposition is installed. */
    public synchronized boolean attached() {
        return disposition != null;
    }

    /** {@code \n} to {@code \r\n}, cut at {@link #BUFFER_SIZE} bytes as {@code FdoOutputBuffer} does. */
    public static byte[] toConsole(String text) {
        byte[] in = text.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(BUFFER_SIZE, in.length * 2));
        for (byte b : in) {
            if (out.size() >= BUFFER_SIZE) {
                break;
            }
            if (b != '\n') {
                out.write(b);
                continue;
            }
            out.write('\r');
            if (out.size() >= BUFFER_SIZE) {
                break;
            }
            out.write('\n');
        }
        return out.toByteArray();
    }

    private void output(String text) {
        messages.incrementAndGet();
        byte[] full = text.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = toConsole(text);
        bytesDropped.addAndGet(full.length - b.length);
        if (kernel.currentActor() != null) {
            write(b);
            return;
        }
        synchronized (pending) {
            if (pending.size() >= MAX_PENDING) {
                messagesDropped.incrementAndGet();
                bytesDropped.addAndGet(b.length);
                return;
            }
            pending.add(b);
        }
        flushWake.wakeAll();
    }

    private void write(byte[] b) {
        int n = console.write(b);
        bytesWritten.addAndGet(n);
        if (n < b.length) {
            bytesDropped.addAndGet(b.length - n);
            if (n == 0) {
                messagesDropped.incrementAndGet();
            }
        }
    }

    private void flushLoop(long gen) {
        while (true) {
            flushWake.await(() -> generation != gen || hasPending());
            if (generation != gen) {
                return;
            }
            byte[] b;
            synchronized (pending) {
                b = pending.poll();
            }
            if (b != null) {
                write(b);
            }
        }
    }

    private boolean hasPending() {
        synchronized (pending) {
            return !pending.isEmpty();
        }
    }

    /** Messages handed to the disposition. */
    public long messages() {
        return messages.get();
    }

    /** Bytes that reached the ring. */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** Bytes dropped: cut by the buffer, not fitting in the ring, or queued beyond {@link #MAX_PENDING}. */
    public long bytesDropped() {
        return bytesDropped.get();
    }

    /** Messages of which nothing reached the ring. */
    public long messagesDropped() {
        return messagesDropped.get();
    }

    @Override
    public String toString() {
        return "ConsoleLog[" + LogLevel.describe(consoleLogLevel) + ", " + bytesWritten + " B written, " + bytesDropped
                + " B dropped]";
    }
}
