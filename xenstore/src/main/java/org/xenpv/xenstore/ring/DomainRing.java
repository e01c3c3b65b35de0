package org.xenpv.xenstore.ring;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.evtchn.EvtchnException;
import org.xenpv.core.grant.GrantException;
import org.xenpv.core.grant.GrantMapping;
import org.xenpv.core.grant.GrantOps;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.EventLog;
import org.xenpv.core.ring.ByteRing;
import org.xenpv.core.ring.RingFault;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsMessage;

/**
 * One introduced guest as cxenstored 4.17 serves it (xenstored_domain.c {@code readchn()},
 * {@code writechn()}, xenstored_core.c {@code handle_input()}, {@code write_messages()}): dom0's grant
 * mapping of the guest's {@code struct xenstore_domain_interface} page (grant ref 1,
 * {@code GNTTAB_RESERVED_XENSTORE}), dom0's end of the interdomain event channel, the request being
 * reassembled from {@code req} and the reply being written to {@code rsp}.
 *
 * <p>Every index pair is read once, checked ({@code prod - cons <= 1024}) and only then used; a bad pair
 * ignores the connection with {@code XENSTORE_ERROR_RINGIDX}, a header announcing more than 4096 payload
 * bytes with {@code XENSTORE_ERROR_PROTO}. The event channel is signalled after every index update.
 * Output is pulled from the engine one message at a time and stays queued (and accounted) there until
 * it is completely in the ring, so a guest that stops reading holds its replies and events in the daemon
 * exactly as in cxenstored. Used only on the daemon's actor.
 */
final class DomainRing {

    private static final Logger LOG = LoggerFactory.getLogger(DomainRing.class);

    final int domid;
    private final EventLog log;
    private final EventChannels dom0Evtchn;
    private final GrantOps dom0Grants;
    private final GrantMapping mapping;
    private final XenstoreRing ring;
    private final String label;
    /** dom0's port of the interdomain channel; 0 after a failed re-bind (cxenstored's {@code domain->port = 0}). */
    private int localPort;
    /** The guest's port, as INTRODUCE named it. */
    private int remotePort;
    private XsConnection conn;
    private boolean released;

    private final byte[] header = new byte[XsHeader.SIZE];
    private int headerUsed;
    private XsHeader inHeader;
    private byte[] inBody;
    private int inBodyUsed;

    private byte[] outBytes;
    private int outUsed;

    DomainRing(int domid, Kernel kernel, EventChannels dom0Evtchn, GrantOps dom0Grants, GrantMapping mapping,
               int localPort, int remotePort) {
        this.domid = domid;
        this.log = kernel.log();
        this.dom0Evtchn = dom0Evtchn;
        this.dom0Grants = dom0Grants;
        this.mapping = mapping;
        this.ring = new XenstoreRing(mapping.page(), kernel);
        this.label = "xenstore d" + domid;
        this.localPort = localPort;
        this.remotePort = remotePort;
    }

    /** The engine connection, once INTRODUCE has created it. */
    void attach(XsConnection c) {
        this.conn = c;
    }

    XsConnection connection() {
        return conn;
    }

    int localPort() {
        return localPort;
    }

    int remotePort() {
        return remotePort;
    }

    GrantMapping mapping() {
        return mapping;
    }

    /** Bytes of the message being written that are not in the ring yet. */
    int outputBacklog() {
        return outBytes == null ? 0 : outBytes.length - outUsed;
    }

    boolean inputInFlight() {
        return headerUsed > 0 || inHeader != null;
    }

    /**
     * One turn of cxenstored's main loop for this connection: at most one request read (or part of one)
     * and handed to the engine, then as much queued output written as the ring takes. With
     * {@code reconnection}, a guest's {@code connection = 1} is honoured first.
     *
     * @return whether anything moved (bytes read or written, a request handled, a reconnection)
     */
    boolean service(boolean reconnection) {
        if (!serving()) {
            return false;
        }
        if (reconnection && ring.connection() == XenstoreRing.RECONNECT) {
            reconnect();
            return true;
        }
        boolean progress = false;
        if (conn.canAcceptInput() && requestsWaiting()) {
            progress = readRequest();
        }
        if (serving()) {
            progress |= writeOutput();
        }
        return progress;
    }

    private boolean serving() {
        return !released && conn != null && !conn.isClosed() && !conn.isIgnored();
    }

    /** {@code domain_can_read()}'s ring part: the indices differ (they are checked when read). */
    private boolean requestsWaiting() {
        ByteRing req = ring.req();
        return req.cons() != req.prod();
    }

    private boolean readRequest() {
        boolean progress = false;
        if (inHeader == null) {
            int n = read(header, headerUsed, XsHeader.SIZE - headerUsed);
            if (n < 0) {
                return true;
            }
            headerUsed += n;
            progress = n > 0;
            if (headerUsed < XsHeader.SIZE) {
                return progress;
            }
            inHeader = XsHeader.decode(ByteBuffer.wrap(header));
            headerUsed = 0;
            if (inHeader.unsignedLen() > XsHeader.PAYLOAD_MAX) {
                fault("request header len " + inHeader.unsignedLen() + " > XENSTORE_PAYLOAD_MAX " + XsHeader.PAYLOAD_MAX
                        + " (type " + Integer.toUnsignedString(inHeader.type()) + ", req_id "
                        + Integer.toUnsignedString(inHeader.reqId()) + ")");
                ignore(XenstoreRing.ERROR_PROTO);
                return true;
            }
            inBody = new byte[inHeader.len()];
            inBodyUsed = 0;
        }
        if (inBodyUsed < inBody.length) {
            int n = read(inBody, inBodyUsed, inBody.length - inBodyUsed);
            if (n < 0) {
                return true;
            }
            inBodyUsed += n;
            progress |= n > 0;
            if (inBodyUsed < inBody.length) {
                return progress;
            }
        }
        XsMessage request = new XsMessage(inHeader.type(), inHeader.reqId(), inHeader.txId(), inBody);
        inHeader = null;
        inBody = null;
        conn.handle(request);
        return true;
    }

    /** {@code readchn()}: up to {@code len} bytes of {@code req}; -1 if the indices were bad (connection ignored). */
    private int read(byte[] dst, int off, int len) {
        ByteRing req = ring.req();
        int cons = req.cons();
        int prod = req.prod();
        Optional<RingFault> f = req.check(prod, cons);
        if (f.isPresent()) {
            fault(f.get().message());
            ignore(XenstoreRing.ERROR_RINGIDX);
            return -1;
        }
        int n = Math.min(prod - cons, len);
        if (n == 0) {
            return 0;
        }
        req.copyOut(cons, dst, off, n);
        req.setCons(cons + n);
        if (log.enabled()) {
            log.record(new Event.RingConsume(label, "req", cons, cons + n));
        }
        notifyGuest();
        return n;
    }

    /** {@code write_messages()} until the ring is full or nothing is queued. */
    private boolean writeOutput() {
        boolean progress = false;
        while (serving()) {
            if (outBytes == null) {
                XsMessage m = conn.peekOutput();
                if (m == null) {
                    return progress;
                }
                outBytes = m.encode();
                outUsed = 0;
            }
            int n = write(outBytes, outUsed, outBytes.length - outUsed);
            if (n < 0) {
                return true;
            }
            if (n == 0) {
                if (outUsed == 0) {
                    // Not started: it may still time out or be discarded; take it afresh next time.
                    outBytes = null;
                }
                return progress;
            }
            if (outUsed == 0) {
                conn.outputStarted();
            }
            outUsed += n;
            progress = true;
            if (outUsed == outBytes.length) {
                outBytes = null;
                conn.outputWritten();
            }
        }
        return progress;
    }

    /** {@code writechn()}: as much of the bytes as {@code rsp} has room for; -1 if the indices were bad. */
    private int write(byte[] src, int off, int len) {
        ByteRing rsp = ring.rsp();
        int cons = rsp.cons();
        int prod = rsp.prod();
        Optional<RingFault> f = rsp.check(prod, cons);
        if (f.isPresent()) {
            fault(f.get().message());
            ignore(XenstoreRing.ERROR_RINGIDX);
            return -1;
        }
        int n = Math.min(XenstoreRing.RING_SIZE - (prod - cons), len);
        if (n == 0) {
            return 0;
        }
        rsp.copyIn(prod, src, off, n);
        rsp.setProd(prod + n);
        boolean notified = localPort > 0;
        if (log.enabled()) {
            log.record(new Event.RingPush(label, "rsp", prod, prod + n, notified));
        }
        notifyGuest();
        return n;
    }

    /** {@code ignore_connection()} through the engine, which calls back {@link #ringError}. */
    private void ignore(int reason) {
        conn.protocolError(reason);
    }

    /** Engine callback of {@code ignore_connection()}: the guest learns why through {@code error}. */
    void ringError(int reason) {
        dropPartial();
        if (!released) {
            ring.setError(reason);
        }
        note("connection ignored, error = " + reason + " (" + errorName(reason) + ")");
    }

    /**
     * Engine callback of {@code domain_conn_reset()} (every INTRODUCE): partial messages dropped, all four
     * indices zeroed; a guest waiting in {@code connection = 1} is told the ring is connected again.
     */
    void introduced(int serverFeatures) {
        dropPartial();
        if (released) {
            return;
        }
        resetIndexes();
        if (serverFeatures != 0) {
            ring.setServerFeatures(ring.serverFeatures() | serverFeatures);
        }
        if (ring.connection() == XenstoreRing.RECONNECT) {
            ring.setConnection(XenstoreRing.CONNECTED);
            note("connection = 1 found on INTRODUCE: reset, connection = 0");
            notifyGuest();
        }
    }

    /** Advertises {@code server_features} before anything is read or written (xenstore-ring.txt). */
    void advertise(int serverFeatures) {
        if (serverFeatures != 0) {
            ring.setServerFeatures(ring.serverFeatures() | serverFeatures);
        }
    }

    /**
     * The ring reconnection of xenstore-ring.txt: partial packets dropped, both queues emptied, requests,
     * watches and transactions discarded, {@code connection} back to 0, event channel signalled.
     */
    private void reconnect() {
        dropPartial();
        conn.reset();
        resetIndexes();
        ring.setConnection(XenstoreRing.CONNECTED);
        note("reconnection: partial packets dropped, queues emptied, watches and transactions discarded, connection = 0");
        notifyGuest();
    }

    private void resetIndexes() {
        ring.req().setCons(0);
        ring.req().setProd(0);
        ring.rsp().setCons(0);
        ring.rsp().setProd(0);
        note("req_cons = req_prod = rsp_cons = rsp_prod = 0");
    }

    private void dropPartial() {
        headerUsed = 0;
        inHeader = null;
        inBody = null;
        inBodyUsed = 0;
        outBytes = null;
        outUsed = 0;
    }

    /** INTRODUCE of an introduced domain: cxenstored unbinds the old port and binds the new one. */
    void rebind(int port) {
        unbind();
        remotePort = port;
        try {
            localPort = dom0Evtchn.bindInterdomain(domid, port);
            dom0Evtchn.mask(localPort);
        } catch (EvtchnException e) {
            localPort = 0;
            LOG.warn("xenstored: re-INTRODUCE of domain {}: cannot bind its port {}: {}", domid, port, e.getMessage());
            note("re-bind to d" + domid + " port " + port + " failed: " + e.getMessage());
        }
    }

    /** Signals the guest (cxenstored's {@code xenevtchn_notify()} after every index update). */
    void notifyGuest() {
        if (localPort <= 0) {
            return;
        }
        try {
            dom0Evtchn.send(localPort);
        } catch (EvtchnException e) {
            LOG.debug("xenstored: notify of domain {} on port {} failed: {}", domid, localPort, e.getMessage());
        }
    }

    /** {@code destroy_domain()}: the channel is unbound, then the ring page unmapped. */
    void release() {
        if (released) {
            return;
        }
        unbind();
        try {
            dom0Grants.unmap(mapping);
        } catch (GrantException e) {
            LOG.warn("xenstored: unmapping the ring of domain {} failed: {}", domid, e.getMessage());
        }
        released = true;
        dropPartial();
        note("released: ring unmapped (grant handle " + mapping.handle() + ")");
    }

    private void unbind() {
        if (localPort <= 0) {
            return;
        }
        try {
            dom0Evtchn.close(localPort);
        } catch (EvtchnException e) {
            LOG.warn("xenstored: unbinding port {} of domain {} failed: {}", localPort, domid, e.getMessage());
        }
        localPort = 0;
    }

    boolean released() {
        return released;
    }

    private void fault(String what) {
        if (log.enabled()) {
            log.record(new Event.Fault("xenstored", "d" + domid + " " + what));
        }
        LOG.info("xenstored: domain {}: {}", domid, what);
    }

    private void note(String what) {
        if (log.enabled()) {
            log.note("xenstored", "d" + domid + " " + what);
        }
    }

    static String errorName(int reason) {
        return switch (reason) {
            case XenstoreRing.ERROR_NONE -> "XENSTORE_ERROR_NONE";
            case XenstoreRing.ERROR_COMM -> "XENSTORE_ERROR_COMM";
            case XenstoreRing.ERROR_RINGIDX -> "XENSTORE_ERROR_RINGIDX";
            case XenstoreRing.ERROR_PROTO -> "XENSTORE_ERROR_PROTO";
            default -> "error " + reason;
        };
    }

    @Override
    public String toString() {
        return "DomainRing[d" + domid + " port " + localPort + " <-> d" + domid + " port " + remotePort + ", " + ring
                + (released ? ", released" : "") + "]";
    }
}
