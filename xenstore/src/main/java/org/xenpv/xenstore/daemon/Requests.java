package org.xenpv.xenstore.daemon;

import static org.xenpv.xenstore.store.Errno.E2BIG;
import static org.xenpv.xenstore.store.Errno.EACCES;
import static org.xenpv.xenstore.store.Errno.EBUSY;
import static org.xenpv.xenstore.store.Errno.EEXIST;
import static org.xenpv.xenstore.store.Errno.EINVAL;
import static org.xenpv.xenstore.store.Errno.ENOENT;
import static org.xenpv.xenstore.store.Errno.ENOMEM;
import static org.xenpv.xenstore.store.Errno.ENOSPC;
import static org.xenpv.xenstore.store.Errno.ENOSYS;
import static org.xenpv.xenstore.store.Errno.EPERM;
import static org.xenpv.xenstore.store.Errno.ERANGE;

import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.control.ControlCommands;
import org.xenpv.xenstore.domain.Domain;
import org.xenpv.xenstore.domain.QuotaLog;
import org.xenpv.xenstore.domain.XsDomainPlatform;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.perm.NodePerms;
import org.xenpv.xenstore.perm.Perm;
import org.xenpv.xenstore.perm.PermParser;
import org.xenpv.xenstore.store.Node;
import org.xenpv.xenstore.store.XsPath;
import org.xenpv.xenstore.transaction.Transaction;
import org.xenpv.xenstore.watch.Watch;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/**
 * The request handlers of cxenstored 4.17 ({@code wire_funcs[]} and {@code process_message()} in
 * xenstored_core.c, plus the handlers in xenstored_domain.c, _transaction.c and _watch.c). Each handler
 * returns 0 after queueing its reply or an errno to be sent as an ERROR reply; checks run in cxenstored's
 * order, which decides the error a client sees when several things are wrong.
 */
final class Requests {

    private static final Logger LOG = LoggerFactory.getLogger(Requests.class);

    private final XenStore store;
    private final Core core;
    private final ControlCommands control;

    Requests(XenStore store, Core core, ControlCommands control) {
        this.store = store;
        this.core = core;
        this.control = control;
    }

    /** {@code XS_FLAG_PRIV}: privileged callers only (EACCES otherwise). */
    static boolean privOnly(XsType t) {
        return switch (t) {
            case CONTROL, INTRODUCE, RELEASE, IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET -> true;
            default -> false;
        };
    }

    /** {@code XS_FLAG_NOTID}: the tx_id is not looked up (WATCH, UNWATCH; XSA-115). */
    static boolean ignoresTxId(XsType t) {
        return t == XsType.WATCH || t == XsType.UNWATCH;
    }

    /** Whether cxenstored 4.17 has a handler for the type (20 and 23-26 do not exist there). */
    static boolean handled(XsType t) {
        return t != null && t != XsType.WATCH_EVENT && t != XsType.ERROR && t != XsType.RESTRICT
                && t.code() <= XsType.DIRECTORY_PART.code();
    }

    /** {@code process_message()}. */
    void process(XsConnection conn, XsMessage in) {
        conn.request = in;
        core.requester = conn;
        core.requesterRef = conn.unprivileged() ? new XsConnection.RequestRef(conn.domid) : null;
        XsType type = in.knownType();
        core.logRequest = in;
        if (!handled(type)) {
            LOG.debug("Client unknown operation {}", Integer.toUnsignedString(in.type()));
            core.output.sendError(conn, ENOSYS);
            return;
        }
        if (privOnly(type) && conn.unprivileged()) {
            core.output.sendError(conn, EACCES);
            return;
        }
        Transaction trans = null;
        if (!ignoresTxId(type) && in.txId() != 0) {
            trans = conn.transactions.lookup(in.txId());
            if (trans == null) {
                core.output.sendError(conn, ENOENT);
                return;
            }
        }
        conn.current = trans;
        int ret;
        try {
            ret = dispatch(type, conn, in.sharedPayload());
        } finally {
            conn.current = null;
        }
        if (ret != 0) {
            core.output.sendError(conn, ret);
        } else if (conn.request != null && !conn.closed) {
            // cxenstored 4.17 would hit assert(conn->in == NULL) and abort (a handler returned a stale
            // errno of 0 without replying, cf. XSA-481); answer EINVAL like the fixed daemons instead.
            LOG.warn("{} on {}: no reply and stale errno 0 (cxenstored 4.17 would abort); answering EINVAL", type, conn);
            core.output.sendError(conn, EINVAL);
        }
    }

    private int dispatch(XsType type, XsConnection conn, byte[] p) {
        return switch (type) {
            case CONTROL -> control.handle(store.controlContext(conn), conn.traceId, p);
            case DIRECTORY -> directory(conn, p);
            case READ -> read(conn, p);
            case GET_PERMS -> getPerms(conn, p);
            case WATCH -> watch(conn, p);
            case UNWATCH -> unwatch(conn, p);
            case TRANSACTION_START -> transactionStart(conn);
            case TRANSACTION_END -> transactionEnd(conn, p);
            case INTRODUCE -> introduce(conn, p, null, false);
            case RELEASE -> release(conn, p);
            case GET_DOMAIN_PATH -> getDomainPath(conn, p);
            case WRITE -> write(conn, p);
            case MKDIR -> mkdir(conn, p);
            case RM -> rm(conn, p);
            case SET_PERMS -> setPerms(conn, p);
            case IS_DOMAIN_INTRODUCED -> isDomainIntroduced(conn, p);
            case RESUME -> resume(conn, p);
            case SET_TARGET -> setTarget(conn, p);
            case RESET_WATCHES -> resetWatches(conn);
            case DIRECTORY_PART -> directoryPart(conn, p);
            default -> ENOSYS;
        };
    }

    // ---------------------------------------------------------------- node requests

    private int directory(XsConnection conn, byte[] p) {
        Node node = core.getNodeCanonicalized(conn, XsPayload.oneArg(p), Perm.READ).node();
        if (node == null) {
            return core.errno;
        }
        core.output.sendReply(conn, XsType.DIRECTORY, node.children);
        return 0;
    }

    /**
     * {@code send_directory_part()}: {@code gencnt\0} then whole child names from byte offset {@code off}
     * as far as they fit, plus an empty string once the end of the list is included.
     */
    private int directoryPart(XsConnection conn, byte[] p) {
        if (XsPayload.countNuls(p) != 2) {
            return EINVAL;
        }
        String first = XsPayload.cString(p, 0);
        Node node = core.getNodeCanonicalized(conn, first, Perm.READ).node();
        if (node == null) {
            return core.errno;
        }
        long off = Integer.toUnsignedLong(PermParser.atoi(XsPayload.cString(p, first.length() + 1)));
        byte[] gen = XsPayload.bytes(Long.toUnsignedString(node.generation));
        int genlen = gen.length + 1;
        byte[] children = node.children;
        if (off >= children.length) {
            byte[] out = new byte[genlen + 1];
            System.arraycopy(gen, 0, out, 0, gen.length);
            core.output.sendReply(conn, XsType.DIRECTORY_PART, out);
            return 0;
        }
        int start = (int) off;
        int len = 0;
        int maxlen = XsHeader.PAYLOAD_MAX - genlen - 1;
        int child = start;
        while (true) {
            int clen = strlen(children, child);
            if (len + clen >= maxlen) {
                break;
            }
            len += clen + 1;
            child += clen + 1;
            if (start + len == children.length) {
                break;
            }
        }
        boolean end = start + len == children.length;
        byte[] out = new byte[genlen + len + (end ? 1 : 0)];
        System.arraycopy(gen, 0, out, 0, gen.length);
        System.arraycopy(children, start, out, genlen, len);
        core.output.sendReply(conn, XsType.DIRECTORY_PART, out);
        return 0;
    }

    private static int strlen(byte[] b, int from) {
        int i = from;
        while (i < b.length && b[i] != 0) {
            i++;
        }
        return i - from;
    }

    private int read(XsConnection conn, byte[] p) {
        Node node = core.getNodeCanonicalized(conn, XsPayload.oneArg(p), Perm.READ).node();
        if (node == null) {
            return core.errno;
        }
        core.output.sendReply(conn, XsType.READ, node.data);
        return 0;
    }

    private int getPerms(XsConnection conn, byte[] p) {
        Node node = core.getNodeCanonicalized(conn, XsPayload.oneArg(p), Perm.READ).node();
        if (node == null) {
            return core.errno;
        }
        core.output.sendReply(conn, XsType.GET_PERMS, node.perms.toWire());
        return 0;
    }

    private int write(XsConnection conn, byte[] p) {
        // get_strings(..., 1): only the path is needed, the value is everything after its NUL.
        int nul = XsPayload.indexOfNul(p, 0);
        if (nul < 0) {
            return EINVAL;
        }
        String path = XsPayload.cString(p, 0);
        int offset = nul + 1;
        byte[] value = new byte[p.length - offset];
        System.arraycopy(p, offset, value, 0, value.length);
        Core.Lookup l = core.getNodeCanonicalized(conn, path, Perm.WRITE);
        Node node = l.node();
        if (node == null) {
            if (core.errno != ENOENT) {
                return core.errno;
            }
            node = core.tree.createNode(conn, l.name(), value);
            if (node == null) {
                return core.errno;
            }
        } else {
            node.data = value;
            if (core.writeNode(conn, node, false) != 0) {
                return core.errno;
            }
        }
        core.watches.fireWatches(conn, l.name(), node, false, null);
        core.output.sendAck(conn, XsType.WRITE);
        return 0;
    }

    private int mkdir(XsConnection conn, byte[] p) {
        Core.Lookup l = core.getNodeCanonicalized(conn, XsPayload.oneArg(p), Perm.WRITE);
        if (l.node() == null) {
            if (core.errno != ENOENT) {
                return core.errno;
            }
            if (l.name() == null) {
                return ENOMEM;
            }
            Node node = core.tree.createNode(conn, l.name(), new byte[0]);
            if (node == null) {
                return core.errno;
            }
            core.watches.fireWatches(conn, l.name(), node, false, null);
        }
        core.output.sendAck(conn, XsType.MKDIR);
        return 0;
    }

    private int rm(XsConnection conn, byte[] p) {
        Core.Lookup l = core.getNodeCanonicalized(conn, XsPayload.oneArg(p), Perm.WRITE);
        if (l.node() == null) {
            if (core.errno == ENOENT) {
                if (l.name() == null) {
                    return ENOMEM;
                }
                Node parent = core.readNode(conn, XsPath.parent(l.name()));
                if (parent != null) {
                    core.output.sendAck(conn, XsType.RM);
                    return 0;
                }
                if (!core.readNodeCanPropagateErrno()) {
                    core.errno = ENOENT;
                }
            }
            return core.errno;
        }
        if (l.name().equals("/")) {
            return EINVAL;
        }
        int ret = core.tree.rmNode(conn, l.name());
        if (ret != 0) {
            return ret;
        }
        core.output.sendAck(conn, XsType.RM);
        return 0;
    }

    private int setPerms(XsConnection conn, byte[] p) {
        int num = XsPayload.countNuls(p);
        if (num < 2) {
            return EINVAL;
        }
        num--;
        if (conn.unprivileged()) {
            int limit = core.quota(XsQuota.PERMISSIONS, conn.domid);
            if (num > limit) {
                QuotaLog.refused(XsQuota.PERMISSIONS, conn.domid, XsPayload.cString(p, 0), num, limit);
                return ENOSPC;
            }
        }
        String first = XsPayload.cString(p, 0);
        PermParser.Result parsed = PermParser.parse(p, first.length() + 1, num);
        if (parsed.erange()) {
            core.errno = ERANGE;
        }
        if (!parsed.ok()) {
            core.errno = parsed.errno();
            return core.errno;
        }
        NodePerms perms = new NodePerms(core.allocPermRefs(parsed.perms()));
        if (perms.get(0).ignored()) {
            return ENOENT;
        }
        if (first.startsWith("@")) {
            if (core.setPermsSpecial(conn, first, perms) != 0) {
                // cxenstored returns errno here, which set_perms_special() never sets: a stale value.
                return core.errno;
            }
            core.output.sendAck(conn, XsType.SET_PERMS);
            return 0;
        }
        Core.Lookup l = core.getNodeCanonicalized(conn, first, Perm.WRITE | Perm.OWNER);
        Node node = l.node();
        if (node == null) {
            return core.errno;
        }
        if (conn.unprivileged() && perms.get(0).domid() != node.perms.get(0).domid()) {
            return EPERM;
        }
        NodePerms old = node.perms;
        core.domainEntryDec(conn, node);
        node.perms = perms;
        if (core.domainEntryInc(conn, node) != 0) {
            node.perms = old;
            core.domainEntryInc(conn, node);
            return ENOMEM;
        }
        if (core.writeNode(conn, node, false) != 0) {
            int saved = core.errno;
            core.domainEntryDec(conn, node);
            node.perms = old;
            core.domainEntryInc(conn, node);
            core.errno = saved;
            return core.errno;
        }
        core.watches.fireWatches(conn, l.name(), node, false, old);
        core.output.sendAck(conn, XsType.SET_PERMS);
        return 0;
    }

    // ---------------------------------------------------------------- watches

    /** {@code do_watch()}: exactly two strings; path check; duplicates; quota; then OK and the first event. */
    private int watch(XsConnection conn, byte[] p) {
        List<String> vec = XsPayload.split(p);
        if (vec.size() != 2) {
            return EINVAL;
        }
        String path = vec.get(0);
        String token = vec.get(1);
        boolean relative;
        int err = 0;
        if (path.startsWith("@")) {
            relative = false;
            if (path.length() > XsPath.REL_PATH_MAX) {
                err = EINVAL;
            }
        } else {
            relative = !path.startsWith("/");
            path = Core.canonicalize(conn, path);
            if (!XsPath.isValidNodename(path, core.pathMax())) {
                err = EINVAL;
            }
        }
        // errno = check_watch_path(...): a successful check leaves errno 0.
        core.errno = err;
        if (err != 0) {
            return err;
        }
        for (Watch w : conn.watches) {
            if (w.node().equals(path) && w.token().equals(token)) {
                return EEXIST;
            }
        }
        int watches = core.domainWatch(conn);
        int limit = core.quota(XsQuota.WATCHES, conn.domid);
        if (conn.unprivileged() && watches > limit) {
            QuotaLog.refused(XsQuota.WATCHES, conn.domid, path, watches, limit);
            return E2BIG;
        }
        if (core.memoryAdd(conn.domid, path.length() + token.length(), false) != 0) {
            core.errno = ENOMEM;
            return ENOMEM;
        }
        Watch w = new Watch(path, token, relative ? Core.implicitPath(conn) : null, store.newTraceId());
        if (conn.domain != null) {
            conn.domain.nbwatch++;
        }
        conn.watches.add(w);
        store.traceCreate(XsTraceSink.Kind.WATCH, w.traceId(), conn);
        core.output.sendAck(conn, XsType.WATCH);
        core.output.sendEvent(conn, w.eventPath(w.node()), w.token(), null);
        return 0;
    }

    private int unwatch(XsConnection conn, byte[] p) {
        List<String> vec = XsPayload.split(p);
        if (vec.size() != 2) {
            return EINVAL;
        }
        String node = Core.canonicalize(conn, vec.get(0));
        for (Watch w : conn.watches) {
            if (w.node().equals(node) && w.token().equals(vec.get(1))) {
                removeWatch(conn, w);
                core.output.sendAck(conn, XsType.UNWATCH);
                return 0;
            }
        }
        return ENOENT;
    }

    void removeWatch(XsConnection conn, Watch w) {
        conn.watches.remove(w);
        core.memoryAdd(conn.domid, -w.accountedSize(), true);
        store.traceDestroy(XsTraceSink.Kind.WATCH, w.traceId(), conn);
        if (conn.domain != null && conn.domain.nbwatch > 0) {
            conn.domain.nbwatch--;
        }
    }

    /** {@code conn_delete_all_watches()}. */
    void deleteAllWatches(XsConnection conn) {
        for (Watch w : List.copyOf(conn.watches)) {
            removeWatch(conn, w);
        }
    }

    /** {@code do_reset_watches()}: all watches and all transactions of the caller go (XSA-484 safe). */
    private int resetWatches(XsConnection conn) {
        deleteAllWatches(conn);
        core.txops.deleteAllTransactions(conn);
        core.output.sendAck(conn, XsType.RESET_WATCHES);
        return 0;
    }

    // ---------------------------------------------------------------- transactions

    private int transactionStart(XsConnection conn) {
        if (conn.current != null) {
            return EBUSY;
        }
        if (conn.unprivileged()) {
            int limit = core.quota(XsQuota.TRANSACTIONS, conn.domid);
            if (conn.transactions.started() > limit) {
                QuotaLog.refused(XsQuota.TRANSACTIONS, conn.domid, "-", conn.transactions.started(), limit);
                return ENOSPC;
            }
        }
        if (conn.transactions.isEmpty()) {
            conn.taStartMillis = store.nowMillis();
        }
        long gen = ++core.generation;
        Transaction t = new Transaction(conn.transactions.allocateId(), gen, store.newTraceId());
        conn.transactions.add(t);
        store.traceCreate(XsTraceSink.Kind.TRANSACTION, t.traceId(), conn);
        core.output.sendReply(conn, XsType.TRANSACTION_START, XsPayload.strings(Integer.toUnsignedString(t.id())));
        return 0;
    }

    /**
     * {@code do_transaction_end()}: the argument is checked before the transaction (EINVAL before
     * ENOENT); a failed transaction answers ENOMEM; then the node quota, then the generation check.
     * The transaction is gone afterwards whatever the outcome.
     */
    private int transactionEnd(XsConnection conn, byte[] p) {
        String arg = XsPayload.oneArg(p);
        if (arg == null || !(arg.equals("T") || arg.equals("F"))) {
            return EINVAL;
        }
        Transaction trans = conn.current;
        if (trans == null) {
            return ENOENT;
        }
        conn.current = null;
        boolean chkQuota = trans.nodeCreated && conn.unprivileged();
        int ret = 0;
        try {
            if (arg.equals("T")) {
                if (trans.fail) {
                    return ENOMEM;
                }
                ret = core.txops.transactionFixDomains(trans, chkQuota, false);
                if (ret != 0) {
                    return ret;
                }
                ret = core.txops.finalizeTransaction(conn, trans);
                if (ret != 0) {
                    return ret;
                }
                core.txops.transactionFixDomains(trans, false, true);
                if (core.corruptFlag) {
                    core.corrupt(conn, "transaction inconsistency");
                }
            }
            core.output.sendAck(conn, XsType.TRANSACTION_END);
            return 0;
        } finally {
            core.txops.destroyTransaction(conn, trans);
        }
    }

    // ---------------------------------------------------------------- domains

    /**
     * {@code do_introduce()}: {@code domid\0gfn\0evtchn\0}. A new domain gets a ring connection (from the
     * platform, or {@code sink} for the programmatic variant) and fires {@code @introduceDomain}; an
     * introduced one is rebound. Either way its watches, transactions and queued output are reset.
     */
    int introduce(XsConnection conn, byte[] p, Consumer<XsMessage> sink, boolean useSink) {
        List<String> vec = XsPayload.split(p);
        if (vec.size() < 3) {
            return EINVAL;
        }
        int domid = PermParser.atoi(vec.get(0));
        int port = PermParser.atoi(vec.get(2));
        if (port == 0) {
            return EINVAL;
        }
        Domain d = core.domains.find(domid);
        if (d == null) {
            d = core.domains.alloc(domid, core.generation);
        }
        if (!d.introduced) {
            Consumer<XsMessage> out;
            if (useSink) {
                out = sink;
            } else {
                try {
                    out = core.platform.introduce(domid, vec.get(1), port);
                } catch (XsDomainPlatform.PlatformException e) {
                    LOG.warn("INTRODUCE {}: platform refused: {}", Integer.toUnsignedString(domid), e.getMessage());
                    core.errno = e.errno();
                    return e.errno();
                }
            }
            d.port = port;
            d.introduced = true;
            XsConnection dc = store.newDomainConnection(d, out);
            core.platform.domainConnected(domid);
            if (domid != core.masterDomid) {
                core.watches.fireWatches(null, "@introduceDomain", null, true, null);
            }
            domainConnReset(dc);
        } else {
            d.port = port;
            core.platform.rebind(domid, port);
            if (d.connection instanceof XsConnection dc) {
                domainConnReset(dc);
                if (useSink && sink != null) {
                    dc.out = sink;
                }
            }
        }
        if (conn != null) {
            core.output.sendAck(conn, XsType.INTRODUCE);
        }
        return 0;
    }

    /** {@code domain_conn_reset()}. */
    private void domainConnReset(XsConnection dc) {
        deleteAllWatches(dc);
        core.txops.deleteAllTransactions(dc);
        store.discardOutput(dc);
        core.platform.resetRing(dc.domid);
    }

    /** {@code find_connected_domain()}: ENOENT if not introduced, EINVAL without connection. */
    private Object findConnectedDomain(int domid) {
        Domain d = core.domains.findIntroduced(domid);
        if (d == null) {
            return ENOENT;
        }
        if (!(d.connection instanceof XsConnection)) {
            return EINVAL;
        }
        return d;
    }

    /** {@code onearg_domain()}: domid 0 is EINVAL. */
    private Object oneArgDomain(byte[] p) {
        String arg = XsPayload.oneArg(p);
        if (arg == null) {
            return EINVAL;
        }
        int domid = PermParser.atoi(arg);
        if (domid == 0) {
            return EINVAL;
        }
        return findConnectedDomain(domid);
    }

    private int release(XsConnection conn, byte[] p) {
        Object r = oneArgDomain(p);
        if (r instanceof Integer err) {
            return err;
        }
        Domain d = (Domain) r;
        XsConnection dc = (XsConnection) d.connection;
        store.destroyConnection(dc);
        core.output.sendAck(conn, XsType.RELEASE);
        return 0;
    }

    private int resume(XsConnection conn, byte[] p) {
        Object r = oneArgDomain(p);
        if (r instanceof Integer err) {
            return err;
        }
        ((Domain) r).shutdown = false;
        core.output.sendAck(conn, XsType.RESUME);
        return 0;
    }

    private int setTarget(XsConnection conn, byte[] p) {
        List<String> vec = XsPayload.split(p);
        if (vec.size() < 2) {
            return EINVAL;
        }
        Object d = findConnectedDomain(PermParser.atoi(vec.get(0)));
        if (d instanceof Integer err) {
            return err;
        }
        Object t = findConnectedDomain(PermParser.atoi(vec.get(1)));
        if (t instanceof Integer err) {
            return err;
        }
        XsConnection dc = (XsConnection) ((Domain) d).connection;
        XsConnection tc = (XsConnection) ((Domain) t).connection;
        tc.targetRefs++;
        dc.target = tc;
        core.output.sendAck(conn, XsType.SET_TARGET);
        return 0;
    }

    private int getDomainPath(XsConnection conn, byte[] p) {
        String arg = XsPayload.oneArg(p);
        if (arg == null) {
            return EINVAL;
        }
        String path = "/local/domain/" + Integer.toUnsignedString(PermParser.atoi(arg));
        core.output.sendReply(conn, XsType.GET_DOMAIN_PATH, XsPayload.strings(path));
        return 0;
    }

    private int isDomainIntroduced(XsConnection conn, byte[] p) {
        String arg = XsPayload.oneArg(p);
        if (arg == null) {
            return EINVAL;
        }
        int domid = PermParser.atoi(arg);
        boolean result = domid == Core.DOMID_SELF || core.domains.findIntroduced(domid) != null;
        core.output.sendReply(conn, XsType.IS_DOMAIN_INTRODUCED, XsPayload.strings(result ? "T" : "F"));
        return 0;
    }
}
