package org.xenpv.xenstore.daemon;

import java.util.ArrayList;
import org.xenpv.xenstore.perm.NodePerms;
import org.xenpv.xenstore.perm.Perm;
import org.xenpv.xenstore.store.Node;
import org.xenpv.xenstore.store.XsPath;
import org.xenpv.xenstore.watch.Watch;

/**
 * {@code fire_watches()} and {@code watch_permitted()} of xenstored_watch.c 4.17: who gets a watch event for
 * a modified node (XSA-115 permission filter; special {@code @} events by special-node permission).
 */
final class WatchEvents {

    private final Core core;

    WatchEvents(Core core) {
        this.core = core;
    }

    /**
     * {@code watch_permitted()} (XSA-115): the watcher must be able to read the node or its parent; for a
     * permission change the old permissions count too.
     */
    private boolean watchPermitted(XsConnection conn, String name, Node node, NodePerms oldPerms) {
        if (oldPerms != null && (Core.permFor(conn, oldPerms) & Perm.READ) != 0) {
            return true;
        }
        if (node == null) {
            node = core.readNode(conn, name);
            if (node == null) {
                return false;
            }
        }
        if ((Core.permFor(conn, node.perms) & Perm.READ) != 0) {
            return true;
        }
        Node parent = node.parent;
        if (parent == null) {
            parent = core.readNode(conn, XsPath.parent(node.name));
            if (parent == null) {
                return false;
            }
        }
        return (Core.permFor(conn, parent.perms) & Perm.READ) != 0;
    }

    /**
     * {@code fire_watches()}: inside a transaction the event is queued for commit; otherwise every
     * connection (in connection order) that may see the node gets an event per matching watch (in
     * registration order).
     */
    void fireWatches(XsConnection conn, String name, Node node, boolean exact, NodePerms oldPerms) {
        if (conn != null && conn.current != null) {
            core.txops.queueWatches(conn, name, exact);
            return;
        }
        boolean special = name.startsWith("@");
        XsConnection.RequestRef ref = conn != null && conn == core.requester && Core.unprivileged(conn) ? core.requesterRef : null;
        for (XsConnection i : core.store.connectionsSnapshot()) {
            if (special) {
                if (!core.checkPermsSpecial(name, i)) {
                    continue;
                }
            } else if (!watchPermitted(i, name, node, oldPerms)) {
                continue;
            }
            for (Watch w : new ArrayList<>(i.watches)) {
                if (w.matches(name, exact)) {
                    core.output.sendEvent(i, w.eventPath(name), w.token(), ref);
                }
            }
        }
    }
}
