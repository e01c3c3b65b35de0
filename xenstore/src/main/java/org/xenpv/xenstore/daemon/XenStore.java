package org.xenpv.xenstore.daemon;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.control.ControlCommands;
import org.xenpv.xenstore.control.ControlContext;
import org.xenpv.xenstore.domain.Domain;
import org.xenpv.xenstore.domain.SimpleDomainPlatform;
import org.xenpv.xenstore.domain.XsDomainPlatform;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.domain.XsQuotaConfig;
import org.xenpv.xenstore.perm.NodePerms;
import org.xenpv.xenstore.store.NodeRecord;
import org.xenpv.xenstore.store.XsPath;
import org.xenpv.xenstore.transaction.Transaction;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;

/**
 * The XenStore daemon with cxenstored 4.17 semantics (Debian xen-utils-4.17; xen-pv-protocols.md §1),
 * independent of any transport. Transports create connections with {@link #connect}, feed requests to
 * {@link XsConnection#handle} and receive replies and watch events through the connection's output
 * consumer, in the order cxenstored puts them on the wire: per connection, events caused by a request
 * come before that request's reply (own-watch events precede the WRITE reply); across connections, output
 * is delivered in connection-creation order after the request has been processed.
 *
 * <p>Single-threaded: the caller serializes all calls (a request issued from inside an output consumer is
 * queued and processed after the current one). Deterministic: no wall clock (time comes from the
 * supplied {@link LongSupplier} in milliseconds), stable iteration orders. At construction the daemon
 * does what cxenstored does at start-up: domain 0 is introduced (with its own, unattached ring
 * connection) and the tree holds "/", "/tool" and "/tool/xenstored".
 */
public final class XenStore {

    private static final Logger LOG = LoggerFactory.getLogger(XenStore.class);

    /** Configuration ({@code xenstored} command-line options that matter here). */
    public static final class Builder {
        private XsQuotaConfig quotas = new XsQuotaConfig();
        private XsDomainPlatform platform;
        private LongSupplier clock = () -> 0L;
        private XsTraceSink trace = XsTraceSink.NONE;
        private int privDomid;
        private boolean keepOrphans;

        /** Quota values (defaults of cxenstored 4.17 unless changed). */
        public Builder quotas(XsQuotaConfig q) {
            this.quotas = q;
            return this;
        }

        /** Hypervisor side (domain existence, INTRODUCE); default {@link SimpleDomainPlatform}. */
        public Builder platform(XsDomainPlatform p) {
            this.platform = p;
            return this;
        }

        /** Monotonic milliseconds for timeouts and quota log throttling; default constant 0. */
        public Builder clock(LongSupplier millis) {
            this.clock = millis;
            return this;
        }

        public Builder trace(XsTraceSink sink) {
            this.trace = sink;
            return this;
        }

        /** {@code -p/--priv-domid}: a second privileged domain besides dom0. */
        public Builder privDomid(int domid) {
            this.privDomid = domid;
            return this;
        }

        /** {@code -K/--keep-orphans}: nodes of destroyed domains move to the privileged domain. */
        public Builder keepOrphans(boolean keep) {
            this.keepOrphans = keep;
            return this;
        }

        public XenStore build() {
            return new XenStore(this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A daemon with default configuration and no trace. */
    public static XenStore create() {
        return builder().build();
    }

    final Core core;
    private final Requests requests;
    private final ControlCommands control = new ControlCommands();
    private final LongSupplier clock;
    private final XsTraceSink trace;
    private boolean traceEnabled = true;
    private final Set<XsConnection> connections = new LinkedHashSet<>();
    /**
     * Connections that have queued output ({@link XsConnection#queued}), so that delivery and event expiry
     * look at these only instead of every connection on every request.
     */
    private final List<XsConnection> withOutput = new ArrayList<>();
    private final Deque<Runnable> deferred = new ArrayDeque<>();
    private boolean busy;
    /** Connection whose request is being processed and its successor in the connection list. */
    private XsConnection processing;
    private XsConnection processingNext;
    private final List<XsConnection> deferredDestroy = new ArrayList<>();
    private long nextTraceId = 0x5650885ca670L;

    private XenStore(Builder b) {
        this.clock = b.clock;
        this.trace = b.trace;
        XsDomainPlatform platform = b.platform == null ? new SimpleDomainPlatform() : b.platform;
        this.core = new Core(this, b.quotas, platform, b.privDomid, b.keepOrphans);
        this.requests = new Requests(this, core, control);
        // dom0_init(): introduce the master domain (its ring connection comes first), then the tree.
        Domain dom0 = core.domains.alloc(core.masterDomid, core.generation);
        dom0.introduced = true;
        newDomainConnection(dom0, null);
        core.setupStructure();
        core.tree.checkStore();
    }

    // ---------------------------------------------------------------- public API

    /**
     * Opens a connection. {@code domid 0, privileged} is a Unix-socket client (cxenstored treats every
     * socket client as dom0). Any other domid is that domain's ring connection, as if the domain had been
     * introduced before (no {@code @introduceDomain} event; cxenstored does the same when it restores
     * connections after live update); {@code privileged} makes that domid privileged like
     * {@code --priv-domid}.
     *
     * @param out where replies and watch events go; null to attach later with {@link XsConnection#setOutput}
     * @throws IllegalArgumentException for an unprivileged domid 0
     * @throws IllegalStateException if the domain already has a live connection
     */
    public XsConnection connect(int domid, boolean privileged, Consumer<XsMessage> out) {
        if (domid == 0) {
            if (!privileged) {
                throw new IllegalArgumentException("domid 0 is always privileged");
            }
            XsConnection c = new XsConnection(this, newTraceId(), 0, null, out);
            connections.add(c);
            traceCreate(XsTraceSink.Kind.CONNECTION, c.traceId, c);
            return c;
        }
        Domain d = core.domains.find(domid);
        if (d != null && d.introduced && d.connection instanceof XsConnection existing && !existing.closed) {
            throw new IllegalStateException("domain " + Integer.toUnsignedString(domid) + " already has connection "
                    + existing);
        }
        if (d == null) {
            d = core.domains.alloc(domid, core.generation);
        }
        if (privileged) {
            core.privilegedDomids.add(domid);
        }
        d.introduced = true;
        XsConnection c = newDomainConnection(d, out);
        core.platform.domainConnected(domid);
        return c;
    }

    /**
     * INTRODUCE done by the platform itself rather than by a dom0 request: creates the ring connection of
     * {@code domid} with the given output and fires {@code @introduceDomain}, or resets the existing one.
     *
     * @return the domain's connection
     */
    public XsConnection introduce(int domid, int port, Consumer<XsMessage> out) {
        if (port == 0) {
            throw new IllegalArgumentException("INTRODUCE needs a non-zero event channel port");
        }
        run(() -> requests.introduce(null, XsPayload.strings(Integer.toUnsignedString(domid), "0",
                Integer.toUnsignedString(port)), out, true));
        return domainConnection(domid).orElseThrow();
    }

    /** The ring connection of an introduced domain (dom0's exists from the start). */
    public Optional<XsConnection> domainConnection(int domid) {
        Domain d = core.domains.findIntroduced(domid);
        return d != null && d.connection instanceof XsConnection c && !c.closed ? Optional.of(c) : Optional.empty();
    }

    /** Whether the daemon considers the domain introduced ({@code IS_DOMAIN_INTRODUCED}). */
    public boolean isIntroduced(int domid) {
        return core.domains.findIntroduced(domid) != null;
    }

    /**
     * {@code check_domains()}, what cxenstored does on {@code VIRQ_DOM_EXC}: asks the platform about
     * every known domain; dying or vanished introduced domains are destroyed ({@code @releaseDomain},
     * their nodes deleted, XSA-322/419); a newly shut down one fires {@code @releaseDomain}.
     */
    public void checkDomains() {
        run(this::doCheckDomains);
    }

    /** Periodic work: drops queued watch events whose unread timeout expired. */
    public void poll() {
        run(() -> { });
    }

    public XsQuotaConfig quotas() {
        return core.quotas;
    }

    /** The global generation counter (what DIRECTORY_PART reports for the last written node). */
    public long generation() {
        return core.generation;
    }

    /** Open connections in creation order. */
    public List<XsConnection> connections() {
        return List.copyOf(connections);
    }

    /**
     * Side-effect-free view of a main-tree node (no transaction, no permission check), or empty.
     */
    public Optional<NodeRecord> node(String path) {
        return Optional.ofNullable(core.tdb.fetch(path));
    }

    /** All main-tree nodes by path, depth first in child order (a {@code xenstore-ls -f} like dump). */
    public Map<String, NodeRecord> dump() {
        Map<String, NodeRecord> out = new LinkedHashMap<>();
        dumpInto("/", out);
        return Collections.unmodifiableMap(out);
    }

    private void dumpInto(String path, Map<String, NodeRecord> out) {
        NodeRecord r = core.tdb.fetch(path);
        if (r == null) {
            return;
        }
        out.put(path, r);
        for (String c : r.childNames()) {
            dumpInto(XsPath.child(path, c), out);
        }
    }

    /** Number of database records including transaction-private copies. */
    public int databaseSize() {
        return core.tdb.size();
    }

    /** Per-domain accounting: nodes, watches, memory (for tests and the {@code quota <domid>} report). */
    public Optional<DomainUsage> domainUsage(int domid) {
        Domain d = core.domains.find(domid);
        return d == null ? Optional.empty()
                : Optional.of(new DomainUsage(d.domid, d.introduced, d.nbentry, d.nbwatch, d.memory,
                        d.connection instanceof XsConnection c ? c.transactions.started() : 0));
    }

    /** Snapshot of a domain's quota counters. */
    public record DomainUsage(int domid, boolean introduced, int nodes, int watches, int memory, int transactions) {
    }

    /** Permissions of {@code @introduceDomain} / {@code @releaseDomain}. */
    public NodePerms specialPerms(String name) {
        NodePerms p = core.specialPerms(name);
        if (p == null) {
            throw new IllegalArgumentException("not a special node: " + name);
        }
        return p;
    }

    // ---------------------------------------------------------------- processing

    void handle(XsConnection conn, XsMessage msg) {
        if (msg.length() > org.xenpv.xenstore.wire.XsHeader.PAYLOAD_MAX) {
            // The transport should have refused this frame; cxenstored drops such a connection.
            LOG.warn("{}: request with {} payload bytes (> 4096), ignoring the connection", conn, msg.length());
            ignoreConnection(conn, org.xenpv.xenstore.wire.XsProtocolException.ERROR_PROTO);
            return;
        }
        run(() -> {
            if (conn.closed || conn.ignored) {
                LOG.debug("dropping request on {}: {}", conn, msg);
                return;
            }
            if (traceEnabled) {
                trace.in(conn, msg);
            }
            processing = conn;
            processingNext = successor(conn);
            try {
                requests.process(conn, msg);
            } catch (RuntimeException e) {
                // A daemon bug must not take the transport down: answer EIO like a corrupt store would.
                LOG.error("internal error processing {} on {}", msg, conn, e);
                conn.current = null;
                if (conn.request != null) {
                    core.output.sendError(conn, org.xenpv.xenstore.store.Errno.EIO);
                }
            }
            conn.request = null;
            core.requester = null;
            core.requesterRef = null;
            processing = null;
            processingNext = null;
            if (!deferredDestroy.isEmpty()) {
                List<XsConnection> late = new ArrayList<>(deferredDestroy);
                deferredDestroy.clear();
                for (XsConnection c : late) {
                    destroyConnection(c);
                }
            }
        });
    }

    /**
     * The connection after {@code conn} in the connection list. cxenstored's main loop holds a talloc
     * reference on it (and on {@code conn}) while {@code conn}'s request is processed, so freeing either
     * of them then (RELEASE) only takes effect when the loop reaches it, after the request's reply.
     */
    private XsConnection successor(XsConnection conn) {
        boolean found = false;
        for (XsConnection c : connections) {
            if (found) {
                return c;
            }
            found = c == conn;
        }
        return null;
    }

    /** Runs an action, then delivers output; re-entrant calls are queued. */
    private void run(Runnable action) {
        if (busy) {
            deferred.add(action);
            return;
        }
        busy = true;
        try {
            expireEvents();
            action.run();
            flush();
            while (!deferred.isEmpty()) {
                deferred.poll().run();
                flush();
            }
        } finally {
            busy = false;
        }
    }

    /** Delivers queued output, connection by connection in creation order. */
    private void flush() {
        int n = withOutput.size();
        if (n == 0) {
            return;
        }
        if (n == 1) {
            XsConnection c = withOutput.get(0);
            deliverQueued(c);
            if (!c.queued) {
                withOutput.clear();
            }
            return;
        }
        XsConnection[] now = withOutput.toArray(new XsConnection[0]);
        // Trace ids grow with creation, so this is connection-creation order.
        java.util.Arrays.sort(now, java.util.Comparator.comparingLong(c -> c.traceId));
        for (XsConnection c : now) {
            deliverQueued(c);
        }
        withOutput.removeIf(c -> !c.queued);
    }

    /** Delivers a connection's queued output; it stays listed only while output remains (blocked, detached). */
    private void deliverQueued(XsConnection c) {
        if (!c.closed && connections.contains(c)) {
            deliver(c);
        }
        if (c.closed || c.pending.isEmpty()) {
            c.queued = false;
        }
    }

    /** Called whenever a reply or event is queued on {@code c}. */
    void outputQueued(XsConnection c) {
        if (!c.queued) {
            c.queued = true;
            withOutput.add(c);
        }
    }

    private void deliver(XsConnection c) {
        while (!c.outputBlocked && c.out != null && !c.pending.isEmpty()) {
            XsConnection.Pending p = c.pending.poll();
            c.headStarted = false;
            core.output.releasePending(c, p);
            if (traceEnabled) {
                trace.out(c, p.msg());
            }
            try {
                c.out.accept(p.msg());
            } catch (RuntimeException e) {
                LOG.error("output consumer of {} failed on {}", c, p.msg(), e);
            }
        }
    }

    /** {@code check_event_timeout()} for all domain connections. */
    private void expireEvents() {
        if (withOutput.isEmpty()) {
            return;
        }
        long now = nowMillis();
        for (XsConnection c : withOutput) {
            if (c.domain == null || c.closed) {
                continue;
            }
            boolean head = true;
            for (Iterator<XsConnection.Pending> it = c.pending.iterator(); it.hasNext();) {
                XsConnection.Pending p = it.next();
                boolean started = head && c.headStarted;
                head = false;
                if (!started && p.timeoutMsec() != 0 && p.timeoutMsec() <= now) {
                    it.remove();
                    traceNote("watch event path " + XsPayload.cString(p.msg().sharedPayload(), 0) + " for domain "
                            + Integer.toUnsignedString(c.domid) + " timed out");
                    core.output.releasePending(c, p);
                }
            }
        }
    }

    void setOutput(XsConnection c, Consumer<XsMessage> out) {
        c.out = out;
        run(() -> { });
    }

    void setOutputBlocked(XsConnection c, boolean blocked) {
        c.outputBlocked = blocked;
        if (!blocked) {
            run(() -> { });
        }
    }

    boolean canAcceptInput(XsConnection c) {
        if (c.closed || c.ignored) {
            return false;
        }
        if (c.unprivileged()) {
            Domain d = c.domain;
            if (d.nboutstanding >= core.quota(XsQuota.OUTSTANDING, d.domid)) {
                return false;
            }
            int hard = core.quota(XsQuota.MEMORY, d.domid);
            return !(d.memory >= hard && hard != 0);
        }
        return true;
    }

    void discardOutput(XsConnection c) {
        c.headStarted = false;
        while (!c.pending.isEmpty()) {
            core.output.releasePending(c, c.pending.poll());
        }
    }

    XsMessage peekOutput(XsConnection c) {
        run(() -> { });
        XsConnection.Pending p = c.pending.peek();
        return p == null ? null : p.msg();
    }

    void outputStarted(XsConnection c) {
        c.headStarted = !c.pending.isEmpty();
    }

    void outputWritten(XsConnection c) {
        run(() -> {
            XsConnection.Pending p = c.pending.poll();
            c.headStarted = false;
            if (p == null) {
                return;
            }
            core.output.releasePending(c, p);
            if (traceEnabled) {
                trace.out(c, p.msg());
            }
        });
    }

    void resetConnection(XsConnection c) {
        run(() -> {
            if (c.closed) {
                return;
            }
            requests.deleteAllWatches(c);
            core.txops.deleteAllTransactions(c);
            discardOutput(c);
            c.request = null;
        });
    }

    void close(XsConnection c) {
        run(() -> {
            if (c.closed) {
                return;
            }
            if (c.domain != null && c.domain.domid == core.masterDomid) {
                // dom0 never dies under xenstored: its ring connection is only reset.
                requests.deleteAllWatches(c);
                core.txops.deleteAllTransactions(c);
                discardOutput(c);
                c.out = null;
                return;
            }
            destroyConnection(c);
        });
    }

    /** {@code ignore_connection()}. */
    void ignoreConnection(XsConnection c, int reason) {
        run(() -> {
            if (c.closed) {
                return;
            }
            traceNote("CONN " + XsTraceSink.pointer(c.traceId) + " ignored, reason " + reason);
            if (c.domain != null) {
                core.platform.ringError(c.domid, reason);
            }
            c.ignored = true;
            requests.deleteAllWatches(c);
            core.txops.deleteAllTransactions(c);
            discardOutput(c);
            c.request = null;
            if (c.domain == null) {
                destroyConnection(c);
            }
        });
    }

    /**
     * {@code talloc_free(conn)}: {@code destroy_conn()} (queued output and watches go, DESTROY connection
     * is traced), then the connection's children: its transactions (newest first) and, for a ring
     * connection, its domain ({@code destroy_domain()}). A connection still referenced by SET_TARGET only
     * loses that reference, as with talloc.
     */
    void destroyConnection(XsConnection c) {
        if (c.closed) {
            return;
        }
        if (c == processing || c == processingNext) {
            if (!deferredDestroy.contains(c)) {
                deferredDestroy.add(c);
            }
            return;
        }
        if (c.targetRefs > 0) {
            c.targetRefs--;
            return;
        }
        discardOutput(c);
        requests.deleteAllWatches(c);
        connections.remove(c);
        c.closed = true;
        control.connectionGone(c.traceId);
        traceDestroy(XsTraceSink.Kind.CONNECTION, c.traceId, c);
        List<Transaction> txs = c.transactions.snapshot();
        Collections.reverse(txs);
        for (Transaction t : txs) {
            core.txops.destroyTransaction(c, t);
        }
        c.current = null;
        if (c.domain != null && c.domain.connection == c) {
            destroyDomain(c.domain);
        }
    }

    /** {@code destroy_domain()}: owned nodes deleted (XSA-419), special perms cleaned, {@code @releaseDomain}. */
    private void destroyDomain(Domain d) {
        domainTreeRemove(d);
        core.domains.remove(d);
        d.connection = null;
        if (!d.introduced) {
            return;
        }
        core.platform.domainReleased(d.domid);
        core.watches.fireWatches(null, "@releaseDomain", null, true, null);
    }

    /** {@code domain_tree_remove()}. */
    private void domainTreeRemove(Domain d) {
        if (d.nbentry > 0) {
            int ret = core.tree.walkNodeTree(null, "/", (conn, node) -> {
                if (node.perms.get(0).domid() != d.domid) {
                    return Core.WALK_OK;
                }
                int r;
                if (core.keepOrphans) {
                    d.nbentry--;
                    node.perms = node.perms.with(0, node.perms.get(0).withDomid(core.privDomid));
                    node.accMemory = 0;
                    core.domainEntryInc(null, node);
                    if (core.writeNodeRaw(null, node.name, node, true) != 0) {
                        LOG.error("error when moving orphaned node {} to dom0", node.name);
                    } else {
                        traceNote("orphaned node " + node.name + " moved to dom0");
                    }
                    r = Core.WALK_OK;
                } else {
                    if (core.tree.rmNode(null, node.name) != 0) {
                        LOG.error("error when deleting orphaned node {}", node.name);
                    } else {
                        traceNote("orphaned node " + node.name + " deleted");
                    }
                    r = Core.WALK_SKIP_CHILDREN;
                }
                return d.nbentry > 0 ? r : Core.WALK_SUCCESS_STOP;
            }, null, null);
            if (ret == Core.WALK_ERROR_STOP) {
                LOG.error("error when looking for orphaned nodes of domain {}", Integer.toUnsignedString(d.domid));
            }
        }
        core.releasePerms = core.removeDomidFromPerm(core.releasePerms, d.domid);
        core.introducePerms = core.removeDomidFromPerm(core.introducePerms, d.domid);
    }

    private void doCheckDomains() {
        boolean notify = false;
        boolean again = true;
        while (again) {
            again = false;
            for (Domain d : core.domains.snapshot()) {
                XsDomainPlatform.DomainInfo info = core.platform.domainInfo(d.domid);
                if (!d.introduced) {
                    if (info == null) {
                        destroyDomain(d);
                        again = true;
                        break;
                    }
                    continue;
                }
                if (info != null) {
                    if (info.shutdown() && !d.shutdown) {
                        d.shutdown = true;
                        notify = true;
                    }
                    if (!info.dying()) {
                        continue;
                    }
                }
                if (d.connection instanceof XsConnection c && !c.closed) {
                    destroyConnection(c);
                    notify = false;
                    again = true;
                    break;
                }
            }
        }
        if (notify) {
            core.watches.fireWatches(null, "@releaseDomain", null, true, null);
        }
    }

    // ---------------------------------------------------------------- internals used by the packages

    XsConnection newDomainConnection(Domain d, Consumer<XsMessage> out) {
        XsConnection c = new XsConnection(this, newTraceId(), d.domid, d, out);
        d.connection = c;
        connections.add(c);
        traceCreate(XsTraceSink.Kind.CONNECTION, c.traceId, c);
        return c;
    }

    List<XsConnection> connectionsSnapshot() {
        return new ArrayList<>(connections);
    }

    long newTraceId() {
        long id = nextTraceId;
        nextTraceId += 0x90;
        return id;
    }

    long nowMillis() {
        return clock.getAsLong();
    }

    void traceCreate(XsTraceSink.Kind kind, long id, XsConnection owner) {
        if (traceEnabled) {
            trace.create(kind, id, owner);
        }
    }

    void traceDestroy(XsTraceSink.Kind kind, long id, XsConnection owner) {
        if (traceEnabled) {
            trace.destroy(kind, id, owner);
        }
    }

    void traceNote(String line) {
        if (traceEnabled) {
            trace.note(line);
        }
    }

    ControlContext controlContext(XsConnection conn) {
        return new ControlContext() {
            @Override
            public void reply(String text) {
                core.output.sendReply(conn, org.xenpv.xenstore.wire.XsType.CONTROL, XsPayload.strings(text));
            }

            @Override
            public void checkStore() {
                core.tree.checkStore();
            }

            @Override
            public void traceOn() {
                traceEnabled = true;
                trace.reopen();
            }

            @Override
            public void traceOff() {
                traceEnabled = false;
            }

            @Override
            public boolean traceConfigured() {
                return trace != XsTraceSink.NONE;
            }

            @Override
            public void traceFile(String file) {
                traceEnabled = true;
                trace.logfile(file);
            }

            @Override
            public XsQuotaConfig quotas() {
                return core.quotas;
            }

            @Override
            public String domainQuotaReport(int domid) {
                Domain d = core.domains.find(domid);
                if (d == null) {
                    return null;
                }
                int ta = d.connection instanceof XsConnection c ? c.transactions.started() : 0;
                return "Domain " + Integer.toUnsignedString(domid) + ":\n"
                        + String.format("%-16s: %8d\n", "nodes", d.nbentry)
                        + String.format("%-16s: %8d\n", "watches", d.nbwatch)
                        + String.format("%-16s: %8d\n", "transactions", ta)
                        + String.format("%-16s: %8d\n", "outstanding", d.nboutstanding)
                        + String.format("%-16s: %8d\n", "memory", d.memory);
            }

            @Override
            public String liveUpdateBlocker(boolean force, int timeoutSeconds) {
                boolean any = false;
                for (XsConnection c : connections) {
                    any |= !c.transactions.isEmpty();
                }
                if (!any || force) {
                    return null;
                }
                StringBuilder sb = null;
                for (XsConnection c : connections) {
                    if (!c.transactions.isEmpty()) {
                        long age = (nowMillis() - c.taStartMillis) / 1000;
                        if (age >= timeoutSeconds) {
                            sb = sb == null ? new StringBuilder("Domains with long running transactions:") : sb;
                            sb.append("\nDomain ").append(Integer.toUnsignedString(c.domid)).append(": ").append(age)
                                    .append(" s");
                        }
                    }
                }
                return sb == null ? "Overlapping transactions" : sb.toString();
            }
        };
    }
}
