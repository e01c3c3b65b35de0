package org.xenpv.xenstore.ring;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.wire.XsFrameDecoder;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsProtocolException;
import org.xenpv.xenstore.wire.XsType;

/**
 * A deliberately breakable xenstore ring server for conformance tests of guest store clients
 * (windows-pv-drivers.md §1.4/§8 XENBUS 1-4): one guest's {@code struct xenstore_domain_interface}
 * page (xen-pv-protocols.md §1.10) served byte for byte in front of the store engine
 * ({@code XenStore.connect(domid, false, out)}), as a dom0 kernel actor on the store channel. Honest by
 * default; the public fields make it misbehave: an EAGAIN storm on {@code TRANSACTION_END T}, no initial
 * watch event, replies in reverse order, replies delayed, request consumption delayed (a stalled daemon).
 * It records every request exactly as framed from the ring and counts the guest's kicks.
 *
 * <p>Used by XENBUS's store-client unit tests and the harness conformance suites. Not the daemon's ring
 * transport ({@link Xenstored} is): no INTRODUCE, no reconnection, no index validation beyond
 * {@code ByteRing}'s.
 */
public final class FaultyRingStore {

    private final Kernel kernel;
    private final Domain guest;
    private final EventChannels d0;
    private final XenstoreRing ring;
    private final XsConnection conn;
    private final int port;
    private final XsFrameDecoder decoder = new XsFrameDecoder();
    private final List<XsMessage> engineOut = new ArrayList<>();
    private final ArrayDeque<Out> out = new ArrayDeque<>();
    private final List<XsMessage> held = new ArrayList<>();
    private byte[] partial;
    private int partialOff;

    /** Every request as framed from the ring, in arrival order. */
    public final List<XsMessage> requests = Collections.synchronizedList(new ArrayList<>());
    /** Guest kicks seen on dom0's end. */
    public volatile long notifications;
    /** TRANSACTION_END T requests still to answer with EAGAIN (the engine is told F instead). */
    public volatile int eagainStorm;
    /** Drop the WATCH_EVENT a WATCH request produces at once. */
    public volatile boolean dropInitialWatchEvent;
    /** Hold replies until this many are queued, then send them in reverse order (0/1: off). */
    public volatile int reorderBatch;
    /** Delay before each reply goes on the ring. */
    public volatile Duration replyDelay = Duration.ZERO;
    /** Delay before the server reads requests it was kicked for. */
    public volatile Duration consumeDelay = Duration.ZERO;
    /** Stop serving (the actor returns after the current pass). */
    public volatile boolean stopped;

    private record Out(byte[] bytes, long dueNanos) {
    }

    /**
     * Binds dom0's end of the guest's store channel ({@code HVM_PARAM_STORE_EVTCHN}), maps the ring page
     * ({@code HVM_PARAM_STORE_PFN}) and opens the guest's connection on {@code store}.
     */
    public FaultyRingStore(Kernel kernel, Platform platform, Domain guest, XenStore store) {
        this.kernel = kernel;
        this.guest = guest;
        this.d0 = platform.dom0().evtchn();
        this.port = d0.bindInterdomain(guest.domid(), (int) guest.hvmParam(HvmParam.STORE_EVTCHN));
        this.ring = new XenstoreRing(guest.memory().page(guest.hvmParam(HvmParam.STORE_PFN)), kernel);
        this.conn = store.connect(guest.domid(), false, engineOut::add);
    }


    /** dom0's port. */
    public int port() {
        return port;
    }

    public XenstoreRing ring() {
        return ring;
    }

    public void start() {
        kernel.spawn("d0/faulty-store d" + guest.domid(), this::loop);
    }

    /**
     * From the controlling thread while the ring is idle: writes raw bytes straight onto the rsp ring and
     * kicks the guest.
     */
    public void inject(byte[] raw) {
        if (partial != null || !out.isEmpty()) {
            throw new IllegalStateException("inject while a reply is in flight");
        }
        int n = ring.rsp().write(raw, 0, raw.length);
        if (n != raw.length) {
            throw new IllegalStateException("inject: only " + n + " of " + raw.length + " bytes fit");
        }
        d0.send(port);
    }

    /** Requests of {@code type} seen so far. */
    public List<XsMessage> requests(XsType type) {
        synchronized (requests) {
            return requests.stream().filter(m -> m.type() == type.code()).toList();
        }
    }

    private void loop() {
        while (!stopped) {
            d0.poll(port);
            if (d0.testAndClearPending(port)) {
                notifications++;
            }
            if (consumeDelay.isPositive()) {
                kernel.sleep(consumeDelay);
            }
            serve();
        }
    }

    private void serve() {
        boolean moved = true;
        while (moved && !stopped) {
            moved = false;
            byte[] buf = new byte[XenstoreRing.RING_SIZE];
            int n = ring.req().read(buf, 0, buf.length);
            if (n > 0) {
                moved = true;
                try {
                    for (XsMessage m : decoder.decode(buf, 0, n)) {
                        handle(m);
                    }
                } catch (XsProtocolException e) {
                    throw new IllegalStateException("faulty ring store: d" + guest.domid() + " sent a bad frame: " + e.getMessage(), e);
                }
            }
            if (flush() > 0) {
                moved = true;
            }
            if (moved) {
                d0.send(port);
            }
        }
    }

    private void handle(XsMessage m) {
        requests.add(m);
        engineOut.clear();
        if (eagainStorm > 0 && m.type() == XsType.TRANSACTION_END.code() && m.payloadText().equals("T\0")) {
            eagainStorm--;
            conn.handle(new XsMessage(m.type(), m.reqId(), m.txId(), "F\0".getBytes(StandardCharsets.ISO_8859_1)));
            engineOut.clear();
            engineOut.add(new XsMessage(XsType.ERROR.code(), m.reqId(), m.txId(),
                    "EAGAIN\0".getBytes(StandardCharsets.ISO_8859_1)));
        } else {
            conn.handle(m);
        }
        List<XsMessage> produced = new ArrayList<>(engineOut);
        engineOut.clear();
        if (dropInitialWatchEvent && m.type() == XsType.WATCH.code()) {
            produced.removeIf(x -> x.type() == XsType.WATCH_EVENT.code());
        }
        for (XsMessage x : produced) {
            boolean reply = x.type() != XsType.WATCH_EVENT.code();
            if (reply && reorderBatch > 1) {
                held.add(x);
                if (held.size() >= reorderBatch) {
                    for (int i = held.size() - 1; i >= 0; i--) {
                        enqueue(held.get(i));
                    }
                    held.clear();
                }
            } else {
                enqueue(x);
            }
        }
    }

    private void enqueue(XsMessage x) {
        out.add(new Out(x.encode(), kernel.nanoTime() + replyDelay.toNanos()));
    }

    private int flush() {
        int total = 0;
        while (true) {
            if (partial == null) {
                Out o = out.peekFirst();
                if (o == null) {
                    return total;
                }
                long wait = o.dueNanos() - kernel.nanoTime();
                if (wait > 0) {
                    kernel.sleep(Duration.ofNanos(wait));
                }
                out.removeFirst();
                partial = o.bytes();
                partialOff = 0;
            }
            int n = ring.rsp().write(partial, partialOff, partial.length - partialOff);
            partialOff += n;
            total += n;
            if (partialOff < partial.length) {
                return total;
            }
            partial = null;
        }
    }
}
