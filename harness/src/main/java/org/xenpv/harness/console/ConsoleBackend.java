package org.xenpv.harness.console;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.grant.GrantMapping;
import org.xenpv.core.grant.GrantOps;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.ring.ByteRing;
import org.xenpv.core.ring.RingFault;
import org.xenpv.core.ring.RingIndexException;
import org.xenpv.core.ring.console.ConsoleRing;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.toolstack.GuestDomain;

/**
 * A simulated xenconsoled for one guest's primary PV console: a dom0 actor that maps the console page
 * through grant entry 0 ({@code GNTTAB_RESERVED_CONSOLE}), waits on dom0's end of the console channel,
 * copies {@code out[out_cons..out_prod)} into {@link #output()} and feeds {@link #input} into {@code in}, with
 * an event to the guest whenever it moved bytes (io/console.h; windows-pv-drivers.md §1.8, §5).
 *
 * <p>The guest is untrusted. Before every copy the indices are checked: {@code out_prod - out_cons} or
 * {@code in_prod - in_cons} beyond the ring's size means the guest broke the ring (the check xenconsoled
 * and hvc_xen make since XSA-376). The backend then stops serving that console, keeps the fault
 * ({@link #broken()}) and logs it; it throws nothing into the simulation.
 *
 * <p>Input may be given from the controlling thread or an actor. The {@code in} direction is written
 * without preemption points under one monitor, so two writers never interleave inside a copy; the
 * {@code out} direction is read by the actor alone, with preemption points, so seeded runs explore the
 * guest's and backend's index updates.
 */
public final class ConsoleBackend implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleBackend.class);

    private final Kernel kernel;
    private final int domid;
    private final int port;
    private final EventChannels d0;
    private final GrantOps d0Grants;
    private final GrantMapping mapping;
    private final ByteRing out;
    private final ByteRing in;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final ArrayDeque<byte[]> pendingInput = new ArrayDeque<>();
    private final Object inputLock = new Object();
    private volatile RingFault fault;
    private volatile boolean stopped;
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong kicks = new AtomicLong();

    /**
     * Maps the guest's console page and starts serving.
     *
     * @param domid    the guest
     * @param dom0Port dom0's end of the console channel (bound already, as the toolstack's introduce hook does)
     */
    public ConsoleBackend(Kernel kernel, Platform platform, int domid, int dom0Port) {
        this.kernel = kernel;
        this.domid = domid;
        this.port = dom0Port;
        this.d0 = platform.dom0().evtchn();
        this.d0Grants = platform.dom0().grants();
        this.mapping = d0Grants.map(domid, GrantTable.RESERVED_CONSOLE, false);
        ConsoleRing instrumented = new ConsoleRing(mapping.page(), kernel);
        this.out = instrumented.out();
        // No kernel: the copy into `in` has no preemption point, so the monitor around it never holds the baton.
        this.in = new ConsoleRing(mapping.page()).in();
        kernel.spawn("d0/xenconsoled " + DomId.name(domid), this::loop);
    }

    /** A backend for a guest the toolstack built (its dom0 console port bound). */
    public static ConsoleBackend of(Platform platform, GuestDomain guest) {
        if (guest.dom0ConsolePort() < 0) {
            throw new IllegalStateException(guest + ": dom0's end of the console channel is not bound");
        }
        return new ConsoleBackend(platform.kernel(), platform, guest.domid(), guest.dom0ConsolePort());
    }

    /** dom0's port. */
    public int port() {
        return port;
    }

    /** Every byte read from the guest's {@code out} ring so far (ISO-8859-1). */
    public String output() {
        synchronized (received) {
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** {@link #output()} as bytes. */
    public byte[] outputBytes() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    /** Queues keyboard input for the guest and writes what fits now, with an event if anything moved. */
    public void input(String text) {
        input(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** {@link #input(String)} for bytes. */
    public void input(byte[] bytes) {
        synchronized (inputLock) {
            pendingInput.add(bytes.clone());
        }
        if (flushInput() > 0) {
            kick();
        }
    }

    /** Input bytes not yet in the ring (it was full). */
    public int inputPending() {
        synchronized (inputLock) {
            return pendingInput.stream().mapToInt(b -> b.length).sum();
        }
    }

    /** The ring fault that made the backend stop ({@code "console out: illegal ring indices ..."}), if any. */
    public Optional<String> broken() {
        RingFault f = fault;
        return f == null ? Optional.empty() : Optional.of(DomId.name(domid) + " " + f);
    }

    /** Events received from the guest. */
    public long notifications() {
        return notifications.get();
    }

    /** Events sent to the guest. */
    public long kicks() {
        return kicks.get();
    }

    private void kick() {
        if (!stopped) {
            d0.send(port);
            kicks.incrementAndGet();
        }
    }

    private void loop() {
        // Like xenconsoled starting on a running guest: what is already in the ring is read before the first event.
        if (drainOutput()) {
            kick();
        }
        while (!stopped) {
            d0.poll(port);
            if (stopped) {
                return;
            }
            if (d0.testAndClearPending(port)) {
                notifications.incrementAndGet();
            }
            boolean moved = drainOutput() | flushInput() > 0;
            if (moved) {
                kick();
            }
        }
    }

    private boolean drainOutput() {
        if (fault != null) {
            return false;
        }
        byte[] buf = new byte[ConsoleRing.OUT_SIZE];
        boolean any = false;
        try {
            int n;
            while ((n = out.read(buf, 0, buf.length)) > 0) {
                synchronized (received) {
                    received.write(buf, 0, n);
                }
                any = true;
            }
        } catch (RingIndexException e) {
            broke(e.fault());
        }
        return any;
    }

    private int flushInput() {
        synchronized (inputLock) {
            if (fault != null || stopped) {
                return 0;
            }
            int total = 0;
            try {
                while (!pendingInput.isEmpty()) {
                    byte[] head = pendingInput.peek();
                    int n = in.write(head, 0, head.length);
                    total += n;
                    if (n < head.length) {
                        pendingInput.poll();
                        byte[] rest = new byte[head.length - n];
                        System.arraycopy(head, n, rest, 0, rest.length);
                        pendingInput.addFirst(rest);
                        break;
                    }
                    pendingInput.poll();
                }
            } catch (RingIndexException e) {
                broke(e.fault());
            }
            return total;
        }
    }

    private void broke(RingFault f) {
        if (fault == null) {
            fault = f;
            LOG.error("xenconsoled: {} broke its console ring: {}; console disabled", DomId.name(domid), f);
        }
    }

    /** Stops serving and unmaps the page (the actor ends at its next wake-up). */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        kernel.log().note("xenconsoled", DomId.name(domid) + " console closed");
        try {
            d0Grants.unmap(mapping);
        } catch (RuntimeException e) {
            LOG.debug("xenconsoled: unmap of {}'s console page: {}", DomId.name(domid), e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "ConsoleBackend[" + DomId.name(domid) + ", port " + port + (fault == null ? "" : ", BROKEN") + "]";
    }
}
