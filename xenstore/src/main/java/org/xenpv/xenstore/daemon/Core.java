package org.xenpv.xenstore.daemon;

import static org.xenpv.xenstore.store.Errno.EACCES;
import static org.xenpv.xenstore.store.Errno.EINVAL;
import static org.xenpv.xenstore.store.Errno.EIO;
import static org.xenpv.xenstore.store.Errno.ENOENT;
import static org.xenpv.xenstore.store.Errno.ENOMEM;
import static org.xenpv.xenstore.store.Errno.ENOSPC;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.domain.Domain;
import org.xenpv.xenstore.domain.Domains;
import org.xenpv.xenstore.domain.QuotaLog;
import org.xenpv.xenstore.domain.XsDomainPlatform;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.domain.XsQuotaConfig;
import org.xenpv.xenstore.perm.NodePerms;
import org.xenpv.xenstore.perm.Perm;
import org.xenpv.xenstore.perm.PermPolicy;
import org.xenpv.xenstore.store.Errno;
import org.xenpv.xenstore.store.Node;
import org.xenpv.xenstore.store.NodeRecord;
import org.xenpv.xenstore.store.Tdb;
import org.xenpv.xenstore.store.XsPath;
import org.xenpv.xenstore.transaction.AccessedNode;
import org.xenpv.xenstore.transaction.Transaction;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;

/**
 * The node database and its bookkeeping, with cxenstored 4.17's semantics (xenstored_core.c,
 * xenstored_transaction.c {@code access_node()}/{@code finalize_transaction()}, xenstored_domain.c
 * accounting, xenstored_watch.c {@code fire_watches()}).
 *
 * <p>Faithfulness notes. cxenstored threads a C {@code errno} through these functions and some request
 * handlers answer with whatever value is left in it (READ without a NUL answers ENOENT because an earlier
 * lookup left ENOENT there). {@link #errno} plays that role and is set at the same points. The global
 * {@link #generation} is advanced at exactly the same points too, because clients see it in
 * DIRECTORY_PART replies and it decides transaction conflicts. Connection-level state lives in
 * {@link XsConnection}. Subtree operations are in {@link TreeOps}, the commit side of transactions in
 * {@link TransactionOps}, watch firing in {@link WatchEvents} and output queueing in {@link Output}; this
 * class holds the state they share. Package-private and single-threaded.
 */
final class Core {

    private static final Logger LOG = LoggerFactory.getLogger(Core.class);

    enum Access { READ, WRITE, DELETE }

    /** {@code walk_node_tree()} result codes. */
    static final int WALK_SUCCESS_STOP = -100;
    static final int WALK_ERROR_STOP = -1;
    static final int WALK_OK = 0;
    static final int WALK_SKIP_CHILDREN = 1;
    static final int WALK_RM_CHILDENTRY = 2;

    /** {@code DOMID_SELF}. */
    static final int DOMID_SELF = 0x7FF0;
    /** {@code DEFAULT_BUFFER_SIZE}: replies up to this size skip the memory quota check. */
    static final int DEFAULT_BUFFER_SIZE = 16;

    interface WalkFn {
        int apply(XsConnection conn, Node node);
    }

    interface EnoentFn {
        int apply(XsConnection conn, Node parent, String name);
    }

    /** Result of a canonicalizing lookup: the node (or null, errno set) and the canonical name. */
    record Lookup(Node node, String name) {
    }

    final XenStore store;
    final Tdb tdb = new Tdb();
    final Domains domains = new Domains();
    final XsQuotaConfig quotas;
    final XsDomainPlatform platform;
    final int privDomid;
    final int masterDomid = 0;
    final boolean keepOrphans;
    final Set<Integer> privilegedDomids = new HashSet<>();

    /** The global generation counter. */
    long generation;
    /** cxenstored's C {@code errno}. Starts as ENOENT (what a freshly started daemon has left; see docs). */
    int errno = ENOENT;
    /** The request being processed, whose path argument quota logs name ({@link #logPath()}). */
    XsMessage logRequest;
    /** The connection whose request is being processed and its outstanding-request reference. */
    XsConnection requester;
    XsConnection.RequestRef requesterRef;
    /** Set by {@link #finalizeTransaction} when the database turned out inconsistent. */
    boolean corruptFlag;

    final TreeOps tree = new TreeOps(this);
    final TransactionOps txops = new TransactionOps(this);
    final WatchEvents watches = new WatchEvents(this);
    final Output output = new Output(this);

    NodePerms releasePerms = NodePerms.none(0);
    NodePerms introducePerms = NodePerms.none(0);

    Core(XenStore store, XsQuotaConfig quotas, XsDomainPlatform platform, int privDomid, boolean keepOrphans) {
        this.store = store;
        this.quotas = quotas;
        this.platform = platform;
        this.privDomid = privDomid;
        this.keepOrphans = keepOrphans;
        privilegedDomids.add(0);
        privilegedDomids.add(privDomid);
    }

    /**
     * The first string of the request being (or last) processed, "-" if it has none: worked out only when
     * a quota log needs it, not for every request.
     */
    String logPath() {
        byte[] p = logRequest == null ? null : logRequest.sharedPayload();
        return p == null || XsPayload.indexOfNul(p, 0) < 0 ? "-" : XsPayload.cString(p, 0);
    }

    // ---------------------------------------------------------------- privilege and quotas

    boolean domidIsUnprivileged(int domid) {
        return !privilegedDomids.contains(domid);
    }

    static boolean unprivileged(XsConnection conn) {
        return conn != null && conn.unprivileged();
    }

    int quota(XsQuota q, int domid) {
        return quotas.get(q, domid);
    }

    int pathMax() {
        return quotas.get(XsQuota.PATH_MAX);
    }

    // ---------------------------------------------------------------- start-up

    /** {@code setup_structure()}: "/", "/tool", "/tool/xenstored", all {@code n0}, accounted to dom0. */
    void setupStructure() {
        manualNode("/", "tool");
        manualNode("/tool", "xenstored");
        manualNode("/tool/xenstored", null);
        domainEntryFix(masterDomid, 3, true);
    }

    private void manualNode(String name, String child) {
        Node node = new Node(name);
        node.perms = NodePerms.none(masterDomid);
        node.children = child == null ? new byte[0] : XsPayload.strings(child);
        node.accMemory = 0;
        if (writeNode(null, node, false) != 0) {
            throw new IllegalStateException("could not create initial node " + name + ": " + Errno.name(errno));
        }
    }

    // ---------------------------------------------------------------- database access with accounting

    private static int accDomid(XsConnection conn, String key, int domid) {
        return (conn == null || key.startsWith("/")) ? domid : conn.domid;
    }

    /** {@code do_tdb_write()}: store a record, moving its memory accounting to the (new) owner. */
    int doTdbWrite(XsConnection conn, String key, NodeRecord rec, Node acc, boolean noQuotaCheck) {
        int oldMemory = acc == null ? -1 : acc.accMemory;
        int oldOwner = acc == null ? 0 : acc.accDomid;
        if (oldMemory < 0) {
            NodeRecord old = tdb.fetch(key);
            if (old == null) {
                oldMemory = 0;
            } else {
                oldMemory = old.size();
                oldOwner = old.perms().get(0).domid();
            }
        }
        int oldDomid = accDomid(conn, key, oldOwner);
        int newDomid = accDomid(conn, key, rec.perms().get(0).domid());
        int keyLen = key.length();
        if (oldMemory != 0) {
            memoryAdd(oldDomid, -oldMemory - keyLen, true);
        }
        int ret = memoryAdd(newDomid, rec.size() + keyLen, noQuotaCheck);
        if (ret != 0) {
            if (oldMemory != 0) {
                memoryAdd(oldDomid, oldMemory + keyLen, true);
            }
            return ret;
        }
        tdb.store(key, rec);
        if (acc != null) {
            acc.accDomid = rec.perms().get(0).domid();
            acc.accMemory = rec.size();
        }
        return 0;
    }

    /** {@code do_tdb_delete()}. */
    int doTdbDelete(XsConnection conn, String key, Node acc) {
        int memory = acc == null ? -1 : acc.accMemory;
        int owner = acc == null ? 0 : acc.accDomid;
        if (memory < 0) {
            NodeRecord old = tdb.fetch(key);
            if (old == null) {
                memory = 0;
            } else {
                memory = old.size();
                owner = old.perms().get(0).domid();
            }
            if (acc != null) {
                acc.accMemory = memory;
                acc.accDomid = owner;
            }
        }
        if (!tdb.delete(key)) {
            errno = EIO;
            return EIO;
        }
        if (memory != 0) {
            memoryAdd(accDomid(conn, key, owner), -memory - key.length(), true);
        }
        return 0;
    }

    /**
     * {@code read_node()}: the node as the connection sees it (its transaction's copy if it has one), or
     * null with errno set. Records the access in the connection's transaction. No permission check.
     */
    Node readNode(XsConnection conn, String name) {
        String key = transactionPrepend(conn, name);
        NodeRecord rec = tdb.fetch(key);
        if (rec == null) {
            Node missing = new Node(name);
            missing.generation = Node.NO_GENERATION;
            int err = accessNode(conn, missing, Access.READ, false);
            errno = err != 0 ? err : ENOENT;
            return null;
        }
        Node node = Node.fromRecord(name, rec);
        adjustNodePerms(node);
        if (accessNode(conn, node, Access.READ, false) != 0) {
            return null;
        }
        return node;
    }

    boolean readNodeCanPropagateErrno() {
        return errno == ENOMEM || errno == ENOSPC;
    }

    /** {@code write_node_raw()}: node-size quota for unprivileged callers, then store under {@code key}. */
    int writeNodeRaw(XsConnection conn, String key, Node node, boolean noQuotaCheck) {
        adjustNodePerms(node);
        int size = node.recordSize();
        if (!noQuotaCheck && unprivileged(conn)) {
            int limit = quota(XsQuota.NODE_SIZE, conn.domid);
            if (size >= limit) {
                QuotaLog.refused(XsQuota.NODE_SIZE, conn.domid, node.name, size, limit);
                errno = ENOSPC;
                return ENOSPC;
            }
        }
        if (doTdbWrite(conn, key, node.toRecord(), node, noQuotaCheck) != 0) {
            return EIO;
        }
        return 0;
    }

    /** {@code write_node()}: access bookkeeping (new generation), then store. */
    int writeNode(XsConnection conn, Node node, boolean noQuotaCheck) {
        if (accessNode(conn, node, Access.WRITE, true) != 0) {
            return errno;
        }
        int ret = writeNodeRaw(conn, node.key, node, noQuotaCheck);
        if (ret != 0 && conn != null && conn.current != null) {
            conn.current.fail = true;
        }
        return ret;
    }

    // ---------------------------------------------------------------- transactions (access side)

    String transactionPrepend(XsConnection conn, String name) {
        if (conn != null && conn.current != null) {
            AccessedNode i = conn.current.find(name);
            if (i != null) {
                return i.transName;
            }
        }
        return name;
    }

    /**
     * {@code access_node()}: a modifying access takes a new global generation; inside a transaction the
     * node is recorded (a read access also stores a private copy and the generation to check at commit).
     * Returns 0, an errno (also stored in {@link #errno}), or -1 for "deleting a node the transaction never
     * saw". With {@code wantKey} the key to use is left in {@code node.key}.
     */
    int accessNode(XsConnection conn, Node node, Access type, boolean wantKey) {
        if (type != Access.READ) {
            node.generation = ++generation;
        }
        if (conn == null || conn.current == null) {
            if (wantKey) {
                node.key = node.name;
            }
            return 0;
        }
        Transaction trans = conn.current;
        AccessedNode i = trans.find(node.name);
        boolean introduce = false;
        if (i == null) {
            if (unprivileged(conn)) {
                int limit = quota(XsQuota.TRANSACTION_NODES, conn.domid);
                if (trans.nodes >= limit) {
                    QuotaLog.refused(XsQuota.TRANSACTION_NODES, conn.domid, node.name, trans.nodes, limit);
                    trans.fail = true;
                    errno = ENOSPC;
                    return ENOSPC;
                }
            }
            i = new AccessedNode(trans.transName(node.name), node.name);
            if (node.generation != Node.NO_GENERATION && node.perms != null && node.perms.size() > 0) {
                i.perms = node.perms;
            }
            introduce = true;
            node.accMemory = -1;
            if (type == Access.READ) {
                i.generation = node.generation;
                i.checkGen = true;
                if (node.generation != Node.NO_GENERATION) {
                    int ret = writeNodeRaw(conn, i.transName, node, true);
                    if (ret != 0) {
                        trans.fail = true;
                        errno = ret;
                        return ret;
                    }
                    i.taNode = true;
                }
            }
            trans.nodes++;
            trans.add(i);
        }
        if (type != Access.READ) {
            i.modified = true;
        }
        if (introduce && type == Access.DELETE) {
            return -1;
        }
        if (wantKey) {
            node.key = i.transName;
            if (type == Access.WRITE) {
                i.taNode = true;
            }
            if (type == Access.DELETE) {
                i.taNode = false;
            }
        }
        return 0;
    }

    // ---------------------------------------------------------------- permissions

    static int permFor(XsConnection conn, NodePerms perms) {
        return PermPolicy.permFor(conn, perms);
    }

    /**
     * {@code errno_from_parents()}: a failed lookup reports {@code errnum} only if the nearest existing
     * ancestor grants the caller {@code perm}; otherwise EACCES, so a caller cannot probe for nodes.
     */
    int errnoFromParents(XsConnection conn, String name, int errnum, int perm) {
        if (errnum == ENOMEM) {
            return errnum;
        }
        Node node = null;
        String n = name;
        do {
            n = XsPath.parent(n);
            node = readNode(conn, n);
            if (node != null) {
                break;
            }
            if (readNodeCanPropagateErrno()) {
                return errno;
            }
        } while (!n.equals("/"));
        int parentPerm;
        if (node == null) {
            corrupt(conn, "No permissions file at root");
            parentPerm = Perm.NONE;
        } else {
            parentPerm = permFor(conn, node.perms);
        }
        return (parentPerm & perm) != 0 ? errnum : EACCES;
    }

    /** {@code get_node()}: validated name, existing node with all of {@code perm}, else null and errno. */
    Node getNode(XsConnection conn, String name, int perm) {
        if (name == null || !XsPath.isValidNodename(name, pathMax())) {
            errno = EINVAL;
            return null;
        }
        Node node = readNode(conn, name);
        if (node != null && (permFor(conn, node.perms) & perm) != perm) {
            errno = EACCES;
            node = null;
        }
        if (node == null && !readNodeCanPropagateErrno()) {
            errno = errnoFromParents(conn, name, errno, perm);
        }
        return node;
    }

    /** {@code get_implicit_path()}. */
    static String implicitPath(XsConnection conn) {
        return conn.domain == null ? "/local/domain/0" : conn.domain.path;
    }

    /** {@code canonicalize()}: relative names are prefixed with the implicit path; null stays null. */
    static String canonicalize(XsConnection conn, String name) {
        if (name == null || name.startsWith("/") || name.startsWith("@")) {
            return name;
        }
        return implicitPath(conn) + "/" + name;
    }

    /**
     * {@code get_node_canonicalized()}. A null name (malformed request) returns without touching errno,
     * which is how cxenstored ends up answering with a stale errno.
     */
    Lookup getNodeCanonicalized(XsConnection conn, String name, int perm) {
        String canonical = canonicalize(conn, name);
        if (canonical == null) {
            return new Lookup(null, null);
        }
        return new Lookup(getNode(conn, canonical, perm), canonical);
    }

    // ---------------------------------------------------------------- creating and deleting nodes

    /** {@code corrupt()}: cxenstored logs and re-checks the store; here it is logged (and traced). */
    void corrupt(XsConnection conn, String what) {
        String line = "corruption detected by connection " + (conn == null ? -1 : conn.domid) + ": err "
                + Errno.name(errno) + ": " + what;
        LOG.error(line);
        store.traceNote(line);
        tree.checkStore();
    }

    // ---------------------------------------------------------------- domains: entries, memory, perms

    /** {@code domain_adjust_node_perms()}: ignore entries for domains gone or younger than the node. */
    void adjustNodePerms(Node node) {
        NodePerms p = node.perms;
        for (int i = 1; i < p.size(); i++) {
            Perm e = p.get(i);
            if (e.ignored()) {
                continue;
            }
            Domain d = domains.find(e.domid());
            if (!(d != null && Long.compareUnsigned(d.generation, node.generation) <= 0)) {
                p = p.with(i, e.withIgnore());
            }
        }
        node.perms = p;
    }

    /** {@code find_or_alloc_existing_domain()}. */
    Domain findOrAllocExistingDomain(int domid) {
        Domain d = domains.find(domid);
        if (d == null && platform.domainExists(domid)) {
            d = domains.alloc(domid, generation);
        }
        return d;
    }

    /** {@code domain_alloc_permrefs()}: entries naming domains that do not exist are marked ignored. */
    List<Perm> allocPermRefs(List<Perm> perms) {
        List<Perm> out = new ArrayList<>(perms.size());
        for (Perm p : perms) {
            if (domains.find(p.domid()) == null) {
                if (!platform.domainExists(p.domid())) {
                    p = p.withIgnore();
                } else {
                    domains.alloc(p.domid(), generation);
                }
            }
            out.add(p);
        }
        return out;
    }

    int domainEntryInc(XsConnection conn, Node node) {
        if (node.perms == null) {
            return 0;
        }
        int domid = node.perms.get(0).domid();
        if (conn != null && conn.current != null) {
            conn.current.entryDelta(domid, 1);
            return 0;
        }
        Domain d = (conn != null && domid == conn.domid && conn.domain != null) ? conn.domain
                : findOrAllocExistingDomain(domid);
        if (d == null) {
            return ENOMEM;
        }
        d.nbentry++;
        return 0;
    }

    void domainEntryDec(XsConnection conn, Node node) {
        if (node.perms == null) {
            return;
        }
        int domid = node.perms.get(0).domid();
        if (conn != null && conn.current != null) {
            conn.current.entryDelta(domid, -1);
            return;
        }
        Domain d = (conn != null && domid == conn.domid && conn.domain != null) ? conn.domain : domains.find(domid);
        if (d != null) {
            d.nbentry--;
        } else {
            errno = ENOENT;
            corrupt(conn, "Node \"" + node.name + "\" owned by non-existing domain " + Integer.toUnsignedString(domid));
        }
    }

    /** {@code domain_entry_fix()}. */
    int domainEntryFix(int domid, int num, boolean update) {
        Domain d;
        if (update) {
            d = domains.find(domid);
            if (d == null) {
                LOG.error("domain_entry_fix: domain {} vanished during commit", Integer.toUnsignedString(domid));
                return 0;
            }
        } else {
            d = findOrAllocExistingDomain(domid);
            if (d == null) {
                return -1;
            }
        }
        int cnt = d.nbentry + num;
        if (update) {
            if (cnt < 0) {
                LOG.error("domain_entry_fix: negative node count {} for domain {}", cnt, Integer.toUnsignedString(domid));
            }
            d.nbentry = cnt;
        } else if (cnt < 0) {
            cnt = 0;
        }
        return domidIsUnprivileged(domid) ? cnt : 0;
    }

    /** {@code domain_entry()}: node count of an unprivileged caller's domain, else 0. */
    int domainEntry(XsConnection conn) {
        return unprivileged(conn) ? conn.domain.nbentry : 0;
    }

    /** {@code domain_watch()}. */
    int domainWatch(XsConnection conn) {
        return unprivileged(conn) ? conn.domain.nbwatch : 0;
    }

    /** {@code domain_chk_quota()}: true if the hard memory quota is hit; logs soft/hard transitions. */
    private boolean domainChkQuota(Domain d, int mem) {
        if (d == null || !domidIsUnprivileged(d.domid)
                || (d.connection instanceof XsConnection c && c.ignored)) {
            return false;
        }
        long now = store.nowMillis() / 1000;
        int hard = quota(XsQuota.MEMORY, d.domid);
        int soft = quota(XsQuota.MEMORY_SOFT, d.domid);
        if (mem >= hard && hard != 0) {
            if (!d.hardQuotaReported) {
                QuotaLog.warning("Domain " + Integer.toUnsignedString(d.domid)
                        + " exceeds hard memory quota, Xenstore interface to domain stalled");
                d.memLastMsgSeconds = now;
                d.hardQuotaReported = true;
            }
            return true;
        }
        if (now - d.memLastMsgSeconds >= 10) {
            if (d.hardQuotaReported) {
                d.memLastMsgSeconds = now;
                d.hardQuotaReported = false;
                QuotaLog.info("Domain " + Integer.toUnsignedString(d.domid) + " below hard memory quota again");
            }
            if (mem >= soft && soft != 0 && !d.softQuotaReported) {
                d.memLastMsgSeconds = now;
                d.softQuotaReported = true;
                QuotaLog.warning("Domain " + Integer.toUnsignedString(d.domid) + " exceeds soft memory quota");
            }
            if (mem < soft && d.softQuotaReported) {
                d.memLastMsgSeconds = now;
                d.softQuotaReported = false;
                QuotaLog.info("Domain " + Integer.toUnsignedString(d.domid) + " below soft memory quota again");
            }
        }
        return false;
    }

    /** {@code domain_memory_add()}. */
    int memoryAdd(int domid, int mem, boolean noQuotaCheck) {
        Domain d = domains.find(domid);
        if (d == null) {
            errno = ENOENT;
            corrupt(null, "Accounting called for non-existing domain " + Integer.toUnsignedString(domid));
            return ENOENT;
        }
        if (domainChkQuota(d, d.memory + mem) && !noQuotaCheck) {
            QuotaLog.refused(XsQuota.MEMORY, domid, logPath(), (long) d.memory + mem, quota(XsQuota.MEMORY, domid));
            return ENOMEM;
        }
        d.memory += mem;
        return 0;
    }

    // ---------------------------------------------------------------- special nodes

    NodePerms specialPerms(String name) {
        if (name.equals("@releaseDomain")) {
            return releasePerms;
        }
        if (name.equals("@introduceDomain")) {
            return introducePerms;
        }
        return null;
    }

    /** {@code set_perms_special()}: returns 0, EINVAL (unknown name) or EACCES; does not set errno. */
    int setPermsSpecial(XsConnection conn, String name, NodePerms perms) {
        NodePerms p = specialPerms(name);
        if (p == null) {
            return EINVAL;
        }
        if ((permFor(conn, p) & (Perm.WRITE | Perm.OWNER)) != (Perm.WRITE | Perm.OWNER)) {
            return EACCES;
        }
        if (name.equals("@releaseDomain")) {
            releasePerms = perms;
        } else {
            introducePerms = perms;
        }
        return 0;
    }

    boolean checkPermsSpecial(String name, XsConnection conn) {
        NodePerms p = specialPerms(name);
        return p != null && (permFor(conn, p) & Perm.READ) != 0;
    }

    /** {@code remove_domid_from_perm()} for the special nodes of a destroyed domain. */
    NodePerms removeDomidFromPerm(NodePerms perms, int domid) {
        List<Perm> out = new ArrayList<>();
        Perm owner = perms.get(0);
        out.add(owner.domid() == domid ? owner.withDomid(privDomid) : owner);
        for (int i = 1; i < perms.size(); i++) {
            if (perms.get(i).domid() != domid) {
                out.add(perms.get(i));
            }
        }
        return new NodePerms(out);
    }

    // ---------------------------------------------------------------- watches and output

}
