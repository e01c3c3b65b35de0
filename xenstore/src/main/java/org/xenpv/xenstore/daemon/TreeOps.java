package org.xenpv.xenstore.daemon;

import static org.xenpv.xenstore.store.Errno.EINVAL;
import static org.xenpv.xenstore.store.Errno.EIO;
import static org.xenpv.xenstore.store.Errno.ENOENT;
import static org.xenpv.xenstore.store.Errno.ENOSPC;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.domain.QuotaLog;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.perm.NodePerms;
import org.xenpv.xenstore.store.Node;
import org.xenpv.xenstore.store.XsPath;

/**
 * Creating, deleting and walking subtrees with cxenstored 4.17 semantics ({@code construct_node()},
 * {@code create_node()}, {@code rm_node()}, {@code walk_node_tree()} of xenstored_core.c): the order in which
 * nodes are read and written matters, because it decides generations, transaction conflicts and event order.
 */
final class TreeOps {

    private static final Logger LOG = LoggerFactory.getLogger(TreeOps.class);

    private final Core core;

    TreeOps(Core core) {
        this.core = core;
    }

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
            parent = core.readNode(conn, parentName);
            if (parent == null && (core.errno != ENOENT || parentName.equals("/"))) {
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
            if (Core.unprivileged(conn)) {
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
                int entries = core.domainEntry(conn);
                int limit = core.quota(XsQuota.NODES, conn.domid);
                if (entries >= limit) {
                    QuotaLog.refused(XsQuota.NODES, conn.domid, i.name, entries, limit);
                    ret = ENOSPC;
                    break;
                }
            }
            ret = core.writeNode(conn, i, false);
            if (ret != 0) {
                break;
            }
            if (i.parent != null && core.domainEntryInc(conn, i) != 0) {
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
        core.errno = ret;
        return null;
    }

    private void destroyNodeRm(XsConnection conn, Node node) {
        if (node.name.equals("/")) {
            core.corrupt(null, "Destroying root node!");
        }
        core.doTdbDelete(conn, node.key, node);
    }

    private void destroyNode(XsConnection conn, Node node) {
        destroyNodeRm(conn, node);
        core.domainEntryDec(conn, node);
        if (conn != null && conn.current != null) {
            conn.current.fail = true;
        }
    }

    /** {@code remove_child_entry()}: drop a child name and rewrite the parent (no quota check). */
    int removeChildEntry(XsConnection conn, Node node, int offset) {
        node.removeChildAt(offset);
        return core.writeNode(conn, node, true);
    }

    /** {@code delete_child()}. Sets errno to 0 on success, like cxenstored (a later stale-errno source). */
    int deleteChild(XsConnection conn, Node node, String childName) {
        for (int i = 0; i < node.children.length; i += node.childAt(i).length() + 1) {
            if (node.childAt(i).equals(childName)) {
                core.errno = removeChildEntry(conn, node, i) != 0 ? EIO : 0;
                return core.errno;
            }
        }
        core.corrupt(conn, "Can't find child '" + childName + "' in " + node.name);
        core.errno = EIO;
        return core.errno;
    }

    /**
     * {@code delnode_sub()}: deletes one node of a subtree (children before parents); watches exactly on
     * the node fire with its path, and for the subtree root every watch on it or above it fires.
     */
    private int delnodeSub(XsConnection conn, Node node, String root) {
        int ret = core.accessNode(conn, node, Core.Access.DELETE, true);
        if (ret > 0) {
            return Core.WALK_SUCCESS_STOP;
        }
        if (ret == 0 && core.doTdbDelete(conn, node.key, node) != 0) {
            return Core.WALK_SUCCESS_STOP;
        }
        boolean exact = !root.equals(node.name);
        core.watches.fireWatches(conn, node.name, node, exact, null);
        core.domainEntryDec(conn, node);
        return Core.WALK_RM_CHILDENTRY;
    }

    /** {@code rm_node()}: delete {@code name} and everything below it. Returns 0 or an errno. */
    int rmNode(XsConnection conn, String name) {
        Node parent = core.readNode(conn, XsPath.parent(name));
        if (parent == null) {
            return core.readNodeCanPropagateErrno() ? core.errno : EINVAL;
        }
        int ret = walkNodeTree(conn, name, null, (c, n) -> delnodeSub(c, n, name), null);
        if (ret < 0) {
            if (ret == Core.WALK_ERROR_STOP) {
                core.corrupt(conn, "error when deleting sub-nodes of " + name);
                core.errno = EIO;
            }
            return core.errno;
        }
        if (deleteChild(conn, parent, XsPath.basename(name)) != 0) {
            return core.errno;
        }
        return 0;
    }

    private int rmFromParent(XsConnection conn, Node parent, String name) {
        if (parent == null) {
            return Core.WALK_ERROR_STOP;
        }
        int off = parent.childOff - 1;
        while (off > 0 && parent.children[off - 1] != 0) {
            off--;
        }
        if (removeChildEntry(conn, parent, off) != 0) {
            LOG.error("treewalk: child entry could not be removed from '{}'", parent.name);
            return Core.WALK_ERROR_STOP;
        }
        parent.childOff = off;
        return Core.WALK_OK;
    }

    private int walkCall(XsConnection conn, Node node, Node parent, Core.WalkFn fn) {
        if (fn == null) {
            return Core.WALK_OK;
        }
        int ret = fn.apply(conn, node);
        if (ret == Core.WALK_RM_CHILDENTRY && parent != null) {
            ret = rmFromParent(conn, parent, node.name);
        }
        return ret;
    }

    /**
     * {@code walk_node_tree()}: iterative depth-first walk calling {@code enter} before and {@code exit}
     * after a node's children, in child-list order.
     */
    int walkNodeTree(XsConnection conn, String root, Core.WalkFn enter, Core.WalkFn exit, Core.EnoentFn enoent) {
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
            Node read = core.readNode(conn, name);
            if (read == null) {
                if (core.errno == ENOENT && enoent != null) {
                    ret = enoent.apply(conn, parent, name);
                } else {
                    ret = Core.WALK_ERROR_STOP;
                }
                if (parent == null) {
                    break;
                }
                if (ret == Core.WALK_RM_CHILDENTRY) {
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
        return ret < 0 ? ret : Core.WALK_OK;
    }

    /**
     * {@code check_store()} without the repairs: walks the tree from "/" and logs children listed but
     * missing. Returns the number of problems found.
     */
    int checkStore() {
        core.store.traceNote("Checking store ...");
        int[] problems = {0};
        walkNodeTree(null, "/", null, null, (c, parent, name) -> {
            LOG.error("check_store: node '{}' not found", name);
            core.store.traceNote("check_store: node '" + name + "' not found");
            problems[0]++;
            return Core.WALK_OK;
        });
        core.store.traceNote("Checking store complete.");
        return problems[0];
    }
}
