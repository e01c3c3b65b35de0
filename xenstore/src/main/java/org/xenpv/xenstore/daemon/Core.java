package org.xenpv.xenstore.daemon;

import static org.xenpv.xenstore.store.Errno.EACCES;
import static org.xenpv.xenstore.store.Errno.EAGAIN;
import static org.xenpv.xenstore.store.Errno.EINVAL;
import static org.xenpv.xenstore.store.Errno.EIO;
import static org.xenpv.xenstore.store.Errno.ENOENT;
import static org.xenpv.xenstore.store.Errno.ENOMEM;
import static org.xenpv.xenstore.store.Errno.ENOSPC;

import java.util.ArrayList;
import java.util.Arrays;
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
import org.xenpv.xenstore.transaction.ChangedDomain;
import org.xenpv.xenstore.transaction.Transaction;
import org.xenpv.xenstore.watch.Watch;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

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
 * {@link XsConnection}; this class is package-private and single-threaded.
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
    /** Path argument of the request being processed, for quota logs. */
    String logPath = "-";
    /** Set by {@link #finalizeTransaction} when the database turned out inconsistent. */
    boolean corruptFlag;

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

    /** {@code queue_watches()}: inside a transaction, events are noted on the accessed node for commit. */
    void queueWatches(XsConnection conn, String name, boolean exact) {
        AccessedNode i = conn.current.find(name);
        if (i == null) {
            conn.current.fail = true;
            return;
        }
        if (!i.fireWatch) {
            i.fireWatch = true;
            i.watchExact = exact;
        } else if (!exact) {
            i.watchExact = false;
        }
    }

    /**
     * {@code finalize_transaction()}: EAGAIN if any node first read by the transaction changed in the main
     * tree; otherwise copy the private nodes over the main ones with fresh generations, delete deleted
     * ones, and fire the queued watch events in access order.
     */
    int finalizeTransaction(XsConnection conn, Transaction trans) {
        corruptFlag = false;
        for (AccessedNode i : trans.accessedSnapshot()) {
            if (i.checkGen) {
                NodeRecord r = tdb.fetch(i.node);
                long gen = r == null ? Node.NO_GENERATION : r.generation();
                if (i.generation != gen) {
                    return EAGAIN;
                }
            }
            if (!i.modified) {
                if (i.taNode && doTdbDelete(conn, i.transName, null) != 0) {
                    return EIO;
                }
                trans.remove(i);
            }
        }
        for (AccessedNode i : trans.accessedSnapshot()) {
            if (i.taNode) {
                NodeRecord r = tdb.fetch(i.transName);
                if (r != null) {
                    r = r.withGeneration(++generation);
                    corruptFlag |= doTdbWrite(conn, i.node, r, null, true) != 0;
                    if (doTdbDelete(conn, i.transName, null) != 0) {
                        corruptFlag = true;
                    }
                } else {
                    corruptFlag = true;
                }
            } else if (i.generation != Node.NO_GENERATION) {
                corruptFlag |= doTdbDelete(conn, i.node, null) != 0;
            }
            if (i.fireWatch) {
                fireWatches(conn, i.node, null, i.watchExact, i.perms);
            }
            trans.remove(i);
        }
        return 0;
    }

    /** {@code transaction_fix_domains()}. */
    int transactionFixDomains(Transaction trans, boolean chkQuota, boolean update) {
        for (ChangedDomain d : trans.changedDomains()) {
            int cnt = domainEntryFix(d.domid, d.nbentry, update);
            if (!update) {
                int limit = quota(XsQuota.NODES, d.domid);
                if (chkQuota && cnt >= limit) {
                    QuotaLog.refused(XsQuota.NODES, d.domid, logPath, cnt, limit);
                    return ENOSPC;
                }
                if (cnt < 0) {
                    return ENOMEM;
                }
            }
        }
        return 0;
    }

    /** {@code destroy_transaction()}: drop the private copies. */
    void destroyTransaction(XsConnection conn, Transaction trans) {
        store.traceDestroy(XsTraceSink.Kind.TRANSACTION, trans.traceId(), conn);
        for (AccessedNode i : trans.accessedSnapshot()) {
            if (i.taNode) {
                doTdbDelete(conn, i.transName, null);
            }
            trans.remove(i);
        }
        conn.transactions.remove(trans);
        if (conn.current == trans) {
            conn.current = null;
        }
    }

    /** {@code conn_delete_all_transactions()} (oldest first; also clears the current one, XSA-484). */
    void deleteAllTransactions(XsConnection conn) {
        for (Transaction t : conn.transactions.snapshot()) {
            destroyTransaction(conn, t);
        }
        conn.current = null;
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

    /**
     * {@code construct_node()}: in-memory nodes for {@code name} and its missing ancestors, each inheriting
     * its parent's permissions (owner replaced by an unprivileged creator), linked through {@code parent}
     * up to the existing ancestor, whose child list is extended.
     */
    Node constructNode(XsConnection conn, String name) {
        List<String> names = new ArrayList<>();
        String parentName = name;
        Node parent = null;
        int levels = 0;
        while (parent == null) {
            names.add(parentName);
            parentName = XsPath.parent(parentName);
            parent = readNode(conn, parentName);
            if (parent == null && (errno != ENOENT || parentName.equals("/"))) {
                return null;
            }
            levels++;
        }
        Node node = null;
        for (; levels > 0; levels--) {
            String n = names.get(levels - 1);
            parent.addChild(XsPath.basename(n));
            node = new Node(n);
            NodePerms p = parent.perms;
            if (unprivileged(conn)) {
                p = p.with(0, p.get(0).withDomid(conn.domid));
            }
            node.perms = p;
            node.accMemory = 0;
            node.parent = parent;
            parent = node;
        }
        return node;
    }

    /**
     * {@code create_node()}: writes the new nodes bottom-up and then the existing parent, checking the
     * node-count quota for each new node; on failure the nodes already written are removed again (and a
     * transaction is marked failed, XSA-415).
     */
    Node createNode(XsConnection conn, String name, byte[] data) {
        Node node = constructNode(conn, name);
        if (node == null) {
            return null;
        }
        if (conn != null && conn.current != null) {
            conn.current.nodeCreated = true;
        }
        node.data = data;
        Node i;
        int ret = 0;
        for (i = node; i != null; i = i.parent) {
            if (i.parent != null && conn != null) {
                int entries = domainEntry(conn);
                int limit = quota(XsQuota.NODES, conn.domid);
                if (entries >= limit) {
                    QuotaLog.refused(XsQuota.NODES, conn.domid, i.name, entries, limit);
                    ret = ENOSPC;
                    break;
                }
            }
            ret = writeNode(conn, i, false);
            if (ret != 0) {
                break;
            }
            if (i.parent != null && domainEntryInc(conn, i) != 0) {
                destroyNodeRm(conn, i);
                return null;
            }
        }
        if (i == null) {
            return node;
        }
        for (Node j = node; j != i; j = j.parent) {
            destroyNode(conn, j);
        }
        errno = ret;
        return null;
    }

    private void destroyNodeRm(XsConnection conn, Node node) {
        if (node.name.equals("/")) {
            corrupt(null, "Destroying root node!");
        }
        doTdbDelete(conn, node.key, node);
    }

    private void destroyNode(XsConnection conn, Node node) {
        destroyNodeRm(conn, node);
        domainEntryDec(conn, node);
        if (conn != null && conn.current != null) {
            conn.current.fail = true;
        }
    }

    /** {@code remove_child_entry()}: drop a child name and rewrite the parent (no quota check). */
    int removeChildEntry(XsConnection conn, Node node, int offset) {
        node.removeChildAt(offset);
        return writeNode(conn, node, true);
    }

    /** {@code delete_child()}. Sets errno to 0 on success, like cxenstored (a later stale-errno source). */
    int deleteChild(XsConnection conn, Node node, String childName) {
        for (int i = 0; i < node.children.length; i += node.childAt(i).length() + 1) {
            if (node.childAt(i).equals(childName)) {
                errno = removeChildEntry(conn, node, i) != 0 ? EIO : 0;
                return errno;
            }
        }
        corrupt(conn, "Can't find child '" + childName + "' in " + node.name);
        errno = EIO;
        return errno;
    }

    /**
     * {@code delnode_sub()}: deletes one node of a subtree (children before parents); watches exactly on
     * the node fire with its path, and for the subtree root every watch on it or above it fires.
     */
    private int delnodeSub(XsConnection conn, Node node, String root) {
        int ret = accessNode(conn, node, Access.DELETE, true);
        if (ret > 0) {
            return WALK_SUCCESS_STOP;
        }
        if (ret == 0 && doTdbDelete(conn, node.key, node) != 0) {
            return WALK_SUCCESS_STOP;
        }
        boolean exact = !root.equals(node.name);
        fireWatches(conn, node.name, node, exact, null);
        domainEntryDec(conn, node);
        return WALK_RM_CHILDENTRY;
    }

    /** {@code rm_node()}: delete {@code name} and everything below it. Returns 0 or an errno. */
    int rmNode(XsConnection conn, String name) {
        Node parent = readNode(conn, XsPath.parent(name));
        if (parent == null) {
            return readNodeCanPropagateErrno() ? errno : EINVAL;
        }
        int ret = walkNodeTree(conn, name, null, (c, n) -> delnodeSub(c, n, name), null);
        if (ret < 0) {
            if (ret == WALK_ERROR_STOP) {
                corrupt(conn, "error when deleting sub-nodes of " + name);
                errno = EIO;
            }
            return errno;
        }
        if (deleteChild(conn, parent, XsPath.basename(name)) != 0) {
            return errno;
        }
        return 0;
    }

    private int rmFromParent(XsConnection conn, Node parent, String name) {
        if (parent == null) {
            return WALK_ERROR_STOP;
        }
        int off = parent.childOff - 1;
        while (off > 0 && parent.children[off - 1] != 0) {
            off--;
        }
        if (removeChildEntry(conn, parent, off) != 0) {
            LOG.error("treewalk: child entry could not be removed from '{}'", parent.name);
            return WALK_ERROR_STOP;
        }
        parent.childOff = off;
        return WALK_OK;
    }

    private int walkCall(XsConnection conn, Node node, Node parent, WalkFn fn) {
        if (fn == null) {
            return WALK_OK;
        }
        int ret = fn.apply(conn, node);
        if (ret == WALK_RM_CHILDENTRY && parent != null) {
            ret = rmFromParent(conn, parent, node.name);
        }
        return ret;
    }

    /**
     * {@code walk_node_tree()}: iterative depth-first walk calling {@code enter} before and {@code exit}
     * after a node's children, in child-list order.
     */
    int walkNodeTree(XsConnection conn, String root, WalkFn enter, WalkFn exit, EnoentFn enoent) {
        int ret = 0;
        Node node = null;
        Node parent;
        String name = root;
        while (ret >= 0) {
            if (node != null) {
                if (ret != 0 || node.childOff >= node.children.length) {
                    parent = node.parent;
                    ret = walkCall(conn, node, parent, exit);
                    if (parent == null) {
                        break;
                    }
                    node = parent;
                    continue;
                }
                String child = node.childAt(node.childOff);
                name = XsPath.child(node.name, child);
                node.childOff += child.length() + 1;
                parent = node;
            } else {
                parent = null;
            }
            Node read = readNode(conn, name);
            if (read == null) {
                if (errno == ENOENT && enoent != null) {
                    ret = enoent.apply(conn, parent, name);
                } else {
                    ret = WALK_ERROR_STOP;
                }
                if (parent == null) {
                    break;
                }
                if (ret == WALK_RM_CHILDENTRY) {
                    ret = rmFromParent(conn, parent, name);
                }
                if (ret < 0) {
                    break;
                }
                node = parent;
                continue;
            }
            node = read;
            node.parent = parent;
            node.childOff = 0;
            ret = walkCall(conn, node, parent, enter);
        }
        return ret < 0 ? ret : WALK_OK;
    }

    /** {@code corrupt()}: cxenstored logs and re-checks the store; here it is logged (and traced). */
    void corrupt(XsConnection conn, String what) {
        String line = "corruption detected by connection " + (conn == null ? -1 : conn.domid) + ": err "
                + Errno.name(errno) + ": " + what;
        LOG.error(line);
        store.traceNote(line);
        checkStore();
    }

    /**
     * {@code check_store()} without the repairs: walks the tree from "/" and logs children listed but
     * missing. Returns the number of problems found.
     */
    int checkStore() {
        store.traceNote("Checking store ...");
        int[] problems = {0};
        walkNodeTree(null, "/", null, null, (c, parent, name) -> {
            LOG.error("check_store: node '{}' not found", name);
            store.traceNote("check_store: node '" + name + "' not found");
            problems[0]++;
            return WALK_OK;
        });
        store.traceNote("Checking store complete.");
        return problems[0];
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
            QuotaLog.refused(XsQuota.MEMORY, domid, logPath, (long) d.memory + mem, quota(XsQuota.MEMORY, domid));
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

    /**
     * {@code watch_permitted()} (XSA-115): the watcher must be able to read the node or its parent; for a
     * permission change the old permissions count too.
     */
    private boolean watchPermitted(XsConnection conn, String name, Node node, NodePerms oldPerms) {
        if (oldPerms != null && (permFor(conn, oldPerms) & Perm.READ) != 0) {
            return true;
        }
        if (node == null) {
            node = readNode(conn, name);
            if (node == null) {
                return false;
            }
        }
        if ((permFor(conn, node.perms) & Perm.READ) != 0) {
            return true;
        }
        Node parent = node.parent;
        if (parent == null) {
            parent = readNode(conn, XsPath.parent(node.name));
            if (parent == null) {
                return false;
            }
        }
        return (permFor(conn, parent.perms) & Perm.READ) != 0;
    }

    /**
     * {@code fire_watches()}: inside a transaction the event is queued for commit; otherwise every
     * connection (in connection order) that may see the node gets an event per matching watch (in
     * registration order).
     */
    void fireWatches(XsConnection conn, String name, Node node, boolean exact, NodePerms oldPerms) {
        if (conn != null && conn.current != null) {
            queueWatches(conn, name, exact);
            return;
        }
        boolean special = name.startsWith("@");
        for (XsConnection i : store.connectionsSnapshot()) {
            if (special) {
                if (!checkPermsSpecial(name, i)) {
                    continue;
                }
            } else if (!watchPermitted(i, name, node, oldPerms)) {
                continue;
            }
            for (Watch w : new ArrayList<>(i.watches)) {
                if (w.matches(name, exact)) {
                    sendEvent(i, w.eventPath(name), w.token());
                }
            }
        }
    }

    /**
     * {@code send_event()}: over-long events are dropped (XSA-324), as are duplicates of an event still
     * queued for the connection (not for special paths) and events that would exceed the hard memory
     * quota; events to unprivileged domains get the unread-event timeout.
     */
    void sendEvent(XsConnection conn, String path, String token) {
        int len = path.length() + 1 + token.length() + 1;
        if (len > XsHeader.PAYLOAD_MAX) {
            LOG.debug("dropping over-long watch event ({} bytes) for domain {}", len, conn.domid);
            return;
        }
        byte[] payload = XsPayload.strings(path, token);
        if (!path.startsWith("@")) {
            for (XsConnection.Pending p : conn.pending) {
                if (p.watchEvent() && p.msg().length() == len && Arrays.equals(p.msg().payload(), payload)) {
                    store.traceNote("dropping duplicate watch " + path + " " + token + " for domain "
                            + Integer.toUnsignedString(conn.domid));
                    return;
                }
            }
        }
        if (memoryAdd(conn.domid, len + XsHeader.SIZE, false) != 0) {
            return;
        }
        long timeout = 0;
        int timeoutMs = quotas.get(XsQuota.WATCH_EVENT_TIMEOUT_MS);
        if (timeoutMs != 0 && unprivileged(conn)) {
            timeout = store.nowMillis() + timeoutMs;
        }
        conn.pending.add(new XsConnection.Pending(new XsMessage(XsType.WATCH_EVENT.code(), 0, 0, payload), true, timeout,
                len + XsHeader.SIZE));
        store.outputQueued(conn);
    }

    /**
     * {@code send_reply()}: the reply to the request being processed (echoing its req_id and tx_id);
     * more than 4096 bytes turn into E2BIG, a big reply over the memory quota into ENOMEM. Only the first
     * reply to a request is sent.
     */
    void sendReply(XsConnection conn, int type, byte[] data) {
        if (data.length > XsHeader.PAYLOAD_MAX) {
            sendError(conn, Errno.E2BIG);
            return;
        }
        XsMessage req = conn.request;
        if (req == null) {
            return;
        }
        int accounted = data.length + XsHeader.SIZE;
        if (data.length <= DEFAULT_BUFFER_SIZE) {
            memoryAdd(conn.domid, accounted, true);
        } else if (memoryAdd(conn.domid, accounted, false) != 0) {
            sendError(conn, ENOMEM);
            return;
        }
        conn.request = null;
        if (conn.domain != null) {
            conn.domain.nboutstanding++;
        }
        conn.pending.add(new XsConnection.Pending(new XsMessage(type, req.reqId(), req.txId(), data), false, 0, accounted));
        store.outputQueued(conn);
    }

    void sendReply(XsConnection conn, XsType type, byte[] data) {
        sendReply(conn, type.code(), data);
    }

    void sendAck(XsConnection conn, XsType type) {
        sendReply(conn, type, XsPayload.strings("OK"));
    }

    /** {@code send_error()}. */
    void sendError(XsConnection conn, int err) {
        if (!Errno.translatable(err)) {
            LOG.warn("xenstored: error {} untranslatable, sending EINVAL", err);
        }
        sendReply(conn, XsType.ERROR, XsPayload.strings(Errno.toWire(err).name()));
    }

    /** Removes a queued message from the accounting (delivered, timed out or discarded). */
    void releasePending(XsConnection conn, XsConnection.Pending p) {
        memoryAdd(conn.domid, -p.accounted(), true);
        if (!p.watchEvent() && conn.domain != null) {
            conn.domain.nboutstanding--;
        }
    }
}
