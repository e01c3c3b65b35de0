package org.xenpv.xenstore.daemon;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.xenpv.xenstore.domain.Domain;
import org.xenpv.xenstore.perm.Accessor;
import org.xenpv.xenstore.transaction.Transaction;
import org.xenpv.xenstore.transaction.TransactionList;
import org.xenpv.xenstore.watch.Watch;
import org.xenpv.xenstore.wire.XsMessage;

/**
 * One client of the daemon ({@code struct connection} of cxenstored 4.17): a socket client (dom0,
 * privileged, no domain) or a domain's ring. Requests go in through {@link #handle}; replies and watch
 * events come out, synchronously and in cxenstored's order, through the output consumer. Output is queued
 * while no consumer is attached or while the transport reports back-pressure
 * ({@link #setOutputBlocked}); a ring transport leaves the consumer unattached and pulls messages as the ring
 * has room ({@link #peekOutput}, {@link #outputWritten}), so they stay queued and accounted until written,
 * as in cxenstored's {@code out_list}. Queued watch events of unprivileged domains time out like cxenstored's
 * (default 20 s, measured with the daemon's clock). All methods must be called on the daemon's thread.
 */
public final class XsConnection implements Accessor {

    /**
     * A reply or event waiting for the output. {@code ref} links a reply and the events its request
     * caused when the requester is unprivileged: the request counts as outstanding until all of them have
     * been delivered ({@code pend.ref.event_cnt} in cxenstored, XSA-326).
     */
    record Pending(XsMessage msg, boolean watchEvent, long timeoutMsec, int accounted, RequestRef ref) {
    }

    /** Outstanding-request bookkeeping of one request of an unprivileged domain. */
    static final class RequestRef {
        final int domid;
        int events;
        boolean replyFreed;

        RequestRef(int domid) {
            this.domid = domid;
        }
    }

    final XenStore store;
    final long traceId;
    /** {@code conn->id}. */
    final int domid;
    /** The domain of a ring connection, null for socket connections. */
    final Domain domain;
    final List<Watch> watches = new ArrayList<>();
    final TransactionList transactions = new TransactionList();
    final Deque<Pending> pending = new ArrayDeque<>();
    /** {@code conn->transaction}: the transaction of the request being processed. */
    Transaction current;
    /** The request being processed until it has been answered ({@code conn->in}). */
    XsMessage request;
    /** {@code conn->target}: connection of the SET_TARGET target domain. */
    XsConnection target;
    /** Number of SET_TARGET references on this connection (talloc references). */
    int targetRefs;
    /** {@code ta_start_time}: clock value when the first of the open transactions started. */
    long taStartMillis;
    Consumer<XsMessage> out;
    boolean outputBlocked;
    /** Listed in the daemon's connections-with-output (see {@code XenStore.outputQueued}). */
    boolean queued;
    /** Pull-mode output: part of the head of {@link #pending} is on the wire already. */
    boolean headStarted;
    boolean ignored;
    boolean closed;

    XsConnection(XenStore store, long traceId, int domid, Domain domain, Consumer<XsMessage> out) {
        this.store = store;
        this.traceId = traceId;
        this.domid = domid;
        this.domain = domain;
        this.out = out;
    }

    /**
     * Processes one request: replies and any watch events (to this or other connections) are emitted
     * before this returns. Malformed requests get cxenstored's error replies; nothing is thrown for them.
     * Requests on a closed or ignored connection are dropped, as cxenstored stops reading them. A
     * payload over 4096 bytes (which {@code XsFrameDecoder} refuses) makes the connection ignored.
     */
    public void handle(XsMessage request) {
        store.handle(this, request);
    }

    /**
     * Ends the connection. For a socket connection: its watches and transactions go away. For a domain's
     * ring connection: the domain is gone from the daemon's view (as when cxenstored notices a dying
     * domain): nodes it owns are deleted and {@code @releaseDomain} fires. dom0's own ring connection is
     * only reset (watches, transactions and queued output dropped, output detached).
     */
    public void close() {
        store.close(this);
    }

    /**
     * The transport saw a framing violation ({@code XsProtocolException}) or a bad ring index: cxenstored
     * ignores the connection ({@code ignore_connection()}; logs {@code CONN <p> ignored, reason N}),
     * drops its watches and transactions, closes a socket connection, and keeps a ring connection in an
     * ignored state until the domain is released (XSA-325).
     */
    public void protocolError(int reason) {
        store.ignoreConnection(this, reason);
    }

    /** Attaches (or replaces) the output and delivers what was queued. */
    public void setOutput(Consumer<XsMessage> output) {
        store.setOutput(this, output);
    }

    /**
     * Pull-mode output, for a transport that writes replies as space allows (a ring; cxenstored's
     * {@code write_messages()}): with no output consumer attached, messages stay queued and accounted
     * (memory, outstanding requests, duplicate-event suppression) until the transport reports them
     * written. Returns the message at the head of the queue, or {@code null}; watch events whose
     * unread timeout expired are dropped first ({@code check_event_timeout()}).
     */
    public XsMessage peekOutput() {
        return store.peekOutput(this);
    }

    /**
     * Pull-mode output: the first bytes of the head message are on the wire. From now on it can no
     * longer time out ({@code check_event_timeout()} skips buffers with data already written).
     */
    public void outputStarted() {
        store.outputStarted(this);
    }

    /** Pull-mode output: the head message is completely written; it leaves the queue and its accounting. */
    public void outputWritten() {
        store.outputWritten(this);
    }

    /**
     * Resets the connection as a reconnection does ({@code domain_conn_reset()} without touching a
     * ring): watches, transactions, queued output and the request in flight are discarded; the
     * connection stays open (and stays ignored if it was). Nothing is traced and no event fires.
     */
    public void reset() {
        store.resetConnection(this);
    }

    /** Back-pressure from the transport (e.g. ring full): output stays queued while blocked. */
    public void setOutputBlocked(boolean blocked) {
        store.setOutputBlocked(this, blocked);
    }

    /**
     * Whether cxenstored would read another request from this connection now ({@code domain_can_read()}):
     * false for unprivileged domains at or over the hard memory quota or the outstanding-request quota,
     * and for ignored or closed connections. Transports should stop consuming input while false.
     */
    public boolean canAcceptInput() {
        return store.canAcceptInput(this);
    }

    /** {@code conn->id}: 0 for socket connections. */
    public int domid() {
        return domid;
    }

    public boolean privileged() {
        return !unprivileged();
    }

    /** {@code domain_is_unprivileged(conn)}. */
    boolean unprivileged() {
        return domain != null && store.core.domidIsUnprivileged(domain.domid);
    }

    public boolean isDomainConnection() {
        return domain != null;
    }

    /** Pseudo pointer identifying this connection in traces. */
    public long traceId() {
        return traceId;
    }

    public boolean isClosed() {
        return closed;
    }

    public boolean isIgnored() {
        return ignored;
    }

    /** Messages waiting for the output. */
    public int pendingOutput() {
        return pending.size();
    }

    public int watchCount() {
        return watches.size();
    }

    /** The registered watches, in registration order. */
    public List<Watch> watches() {
        return Collections.unmodifiableList(new ArrayList<>(watches));
    }

    public int openTransactions() {
        return transactions.started();
    }

    @Override
    public int accessorDomid() {
        return domid;
    }

    @Override
    public boolean accessorPrivileged() {
        return !unprivileged();
    }

    @Override
    public Integer accessorTarget() {
        return target == null ? null : target.domid;
    }

    @Override
    public String toString() {
        return (domain == null ? "socket" : "domain") + " connection " + XsTraceSink.pointer(traceId) + " d"
                + Integer.toUnsignedString(domid) + (closed ? " closed" : "") + (ignored ? " ignored" : "");
    }
}
