package org.xenpv.xenstore.ring;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.log.Event;
import org.xenpv.core.mem.Page;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.ring.ByteRing;
import org.xenpv.core.ring.RingFault;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenstore.wire.XsFrameDecoder;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsProtocolException;
import org.xenpv.xenstore.wire.XsType;

/**
 * Test fixture: a guest's store client, byte for byte on its own {@code struct xenstore_domain_interface}
 * page (xs_wire.h, xenstore-ring.txt): it frames requests into {@code req}, reads replies and watch
 * events out of {@code rsp}, with free-running u32 indices that it reads from the page every time, and
 * kicks its event channel after every index update. {@link #setUp} is the toolstack's part of building
 * the guest: the ring page at a gfn, grant ref 1 ({@code GNTTAB_RESERVED_XENSTORE}) for dom0, and a store
 * port unbound for dom0 (what {@code INTRODUCE domid gfn port} names).
 *
 * <p>The non-blocking calls ({@link #writeSome}, {@link #drain}, {@link #take}) may be used from any
 * actor or the controlling thread; the blocking ones ({@link #sendBytes}, {@link #awaitReply},
 * {@link #request}, ...) only from the guest's actor, which then waits on its vCPU 0 upcall. The real
 * XENBUS store client replaces this later.
 */
public final class GuestRingClient {

    private final Kernel kernel;
    private final Domain guest;
    private final long gfn;
    private final int[] ports;
    private final XenstoreRing ring;
    private final String label;
    private XsFrameDecoder decoder = new XsFrameDecoder();
    private final ArrayDeque<XsMessage> received = new ArrayDeque<>();
    private int nextReqId = 1;

    private GuestRingClient(Kernel kernel, Domain guest, long gfn, int[] ports) {
        this.kernel = kernel;
        this.guest = guest;
        this.gfn = gfn;
        this.ports = ports.clone();
        Page page = guest.memory().page(gfn);
        this.ring = new XenstoreRing(page, kernel);
        this.label = "xenstore d" + guest.domid() + " (guest)";
    }

    /**
     * Builds the guest's store setup as the toolstack does: ring page at {@code gfn}, grant ref 1 to dom0
     * read-write, and {@code storePorts} ports allocated unbound for dom0 (the first is the one a normal
     * INTRODUCE names; more let tests re-introduce on another port).
     */
    public static GuestRingClient setUp(Kernel kernel, Domain guest, long gfn, int storePorts) {
        guest.grantTable().permit(GrantTable.RESERVED_XENSTORE, 0, gfn, false);
        int[] ports = new int[storePorts];
        for (int i = 0; i < storePorts; i++) {
            ports[i] = guest.evtchn().allocUnbound(0);
        }
        return new GuestRingClient(kernel, guest, gfn, ports);
    }

    public static GuestRingClient setUp(Kernel kernel, Domain guest, long gfn) {
        return setUp(kernel, guest, gfn, 1);
    }

    public Domain domain() {
        return guest;
    }

    public int domid() {
        return guest.domid();
    }

    public long gfn() {
        return gfn;
    }

    /** The guest's view of its ring page. */
    public XenstoreRing ring() {
        return ring;
    }

    /** The store port: the first of the set-up ports the daemon is bound to now (else the first one). */
    public int port() {
        for (int p : ports) {
            if (guest.evtchn().status(p) instanceof EvtchnStatus.Interdomain i && i.remoteDomid() == 0) {
                return p;
            }
        }
        return ports[0];
    }

    /** All ports set up for dom0, in allocation order. */
    public int[] ports() {
        return ports.clone();
    }

    /** Whether dom0 maps the ring page now ({@code GTF_reading|GTF_writing} in the guest's grant entry). */
    public boolean mappedByDom0() {
        return guest.grantTable().inUse(GrantTable.RESERVED_XENSTORE);
    }

    /** Signals the daemon. */
    public void kick() {
        guest.evtchn().send(port());
    }

    // ---------------------------------------------------------------- non-blocking

    /**
     * Producer side of {@code req}: copies as much of the bytes as there is room for, publishes
     * {@code req_prod} and kicks.
     *
     * @return bytes written (0 if the ring is full)
     * @throws IllegalStateException if the indices on the page are inconsistent
     */
    public int writeSome(byte[] bytes, int off, int len) {
        ByteRing req = ring.req();
        int cons = req.cons();
        int prod = req.prod();
        check(req, prod, cons);
        int n = Math.min(XenstoreRing.RING_SIZE - (prod - cons), len);
        if (n == 0) {
            return 0;
        }
        req.copyIn(prod, bytes, off, n);
        req.setProd(prod + n);
        if (kernel.log().enabled()) {
            kernel.log().record(new Event.RingPush(label, "req", prod, prod + n, true));
        }
        kick();
        return n;
    }

    /**
     * Consumer side of {@code rsp}: takes every available byte, publishes {@code rsp_cons}, kicks, and
     * decodes complete messages into the received queue.
     *
     * @return bytes consumed
     */
    public int drain() {
        ByteRing rsp = ring.rsp();
        int prod = rsp.prod();
        int cons = rsp.cons();
        check(rsp, prod, cons);
        int n = prod - cons;
        if (n == 0) {
            return 0;
        }
        byte[] data = new byte[n];
        rsp.copyOut(cons, data, 0, n);
        rsp.setCons(prod);
        if (kernel.log().enabled()) {
            kernel.log().record(new Event.RingConsume(label, "rsp", cons, prod));
        }
        kick();
        try {
            received.addAll(decoder.decode(data, 0, n));
        } catch (XsProtocolException e) {
            throw new IllegalStateException("domain " + guest.domid() + ": daemon sent a bad frame: " + e.getMessage(), e);
        }
        return n;
    }

    private void check(ByteRing r, int prod, int cons) {
        Optional<RingFault> f = r.check(prod, cons);
        if (f.isPresent()) {
            throw new IllegalStateException("domain " + guest.domid() + ": " + f.get());
        }
    }

    /** Removes and returns the oldest received message matching {@code which}. */
    public Optional<XsMessage> take(Predicate<XsMessage> which) {
        for (Iterator<XsMessage> it = received.iterator(); it.hasNext();) {
            XsMessage m = it.next();
            if (which.test(m)) {
                it.remove();
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Removes and returns every received {@code WATCH_EVENT}, in arrival order. */
    public List<XsMessage> takeEvents() {
        List<XsMessage> out = new ArrayList<>();
        for (Iterator<XsMessage> it = received.iterator(); it.hasNext();) {
            XsMessage m = it.next();
            if (m.type() == XsType.WATCH_EVENT.code()) {
                it.remove();
                out.add(m);
            }
        }
        return out;
    }

    /** Received, not yet taken messages, in arrival order. */
    public List<XsMessage> received() {
        return List.copyOf(received);
    }

    public int nextReqId() {
        return nextReqId++;
    }

    // ---------------------------------------------------------------- blocking (guest actor only)

    /**
     * Waits for an event-channel upcall on vCPU 0 (or {@code extra}), then acknowledges every pending
     * port as the guest's interrupt handler does.
     */
    public void awaitNotification(BooleanSupplier extra) {
        guest.upcall().queue().await(() -> guest.upcall().pending() || extra.getAsBoolean());
        guest.evtchn().dispatch(0, p -> { });
    }

    /** Like {@link #awaitNotification(BooleanSupplier)} with a kernel-time limit; returns whether one came. */
    public boolean awaitNotification(Duration timeout) {
        boolean got = guest.upcall().await(timeout);
        guest.evtchn().dispatch(0, p -> { });
        return got;
    }

    /** Writes all the bytes, waiting for room as the daemon consumes (reading replies meanwhile). */
    public void sendBytes(byte[] bytes) {
        int off = 0;
        while (off < bytes.length) {
            int n = writeSome(bytes, off, bytes.length - off);
            off += n;
            if (n == 0) {
                drain();
                awaitNotification(() -> false);
            }
        }
    }

    public void send(XsMessage m) {
        sendBytes(m.encode());
    }

    /** Sends a request with a fresh req_id and returns the id. */
    public int send(XsType type, int txId, byte[] payload) {
        int id = nextReqId();
        send(new XsMessage(type.code(), id, txId, payload));
        return id;
    }

    /** Waits for the reply carrying {@code reqId}; events and other replies stay queued. */
    public XsMessage awaitReply(int reqId) {
        return await(m -> m.type() != XsType.WATCH_EVENT.code() && m.reqId() == reqId);
    }

    /** The reply carrying {@code reqId} if it arrives within {@code timeout} of kernel time. */
    public Optional<XsMessage> awaitReply(int reqId, Duration timeout) {
        long end = kernel.nanoTime() + timeout.toNanos();
        Predicate<XsMessage> which = m -> m.type() != XsType.WATCH_EVENT.code() && m.reqId() == reqId;
        while (true) {
            drain();
            Optional<XsMessage> m = take(which);
            if (m.isPresent()) {
                return m;
            }
            long left = end - kernel.nanoTime();
            if (left <= 0 || !awaitNotification(Duration.ofNanos(left))) {
                drain();
                return take(which);
            }
        }
    }

    /** Waits for the next {@code WATCH_EVENT}. */
    public XsMessage awaitEvent() {
        return await(m -> m.type() == XsType.WATCH_EVENT.code());
    }

    /** Waits until a received message matches. */
    public XsMessage await(Predicate<XsMessage> which) {
        while (true) {
            drain();
            Optional<XsMessage> m = take(which);
            if (m.isPresent()) {
                return m.get();
            }
            awaitNotification(() -> false);
        }
    }

    /** One request/reply exchange; the reply may be an ERROR. */
    public XsMessage request(XsType type, int txId, byte[] payload) {
        return awaitReply(send(type, txId, payload));
    }

    /** A request whose payload is the NUL-terminated strings. */
    public XsMessage request(XsType type, String... args) {
        return request(type, 0, XsPayload.strings(args));
    }

    /** WRITE {@code path\0value}. */
    public XsMessage write(int txId, String path, byte[] value) {
        return request(XsType.WRITE, txId, XsPayload.pathAndValue(path, value));
    }

    public XsMessage write(String path, String value) {
        return write(0, path, value.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** READ; the reply payload (or the error reply). */
    public XsMessage read(String path) {
        return request(XsType.READ, path);
    }

    /** Asks for a reconnection (xenstore-ring.txt): {@code connection = 1}, kick, wait for 0. */
    public void reconnect() {
        ring.setConnection(XenstoreRing.RECONNECT);
        kick();
        while (ring.connection() != XenstoreRing.CONNECTED) {
            awaitNotification(() -> ring.connection() == XenstoreRing.CONNECTED);
        }
        received.clear();
        decoder = new XsFrameDecoder();
    }

    @Override
    public String toString() {
        return "GuestRingClient[d" + guest.domid() + ", gfn 0x" + Long.toHexString(gfn) + ", port " + port() + ", " + ring
                + "]";
    }
}
