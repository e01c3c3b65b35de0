package org.xenpv.xenstore.daemon;

import static org.xenpv.xenstore.store.Errno.EAGAIN;
import static org.xenpv.xenstore.store.Errno.EIO;
import static org.xenpv.xenstore.store.Errno.ENOMEM;
import static org.xenpv.xenstore.store.Errno.ENOSPC;

import org.xenpv.xenstore.domain.QuotaLog;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.store.Node;
import org.xenpv.xenstore.store.NodeRecord;
import org.xenpv.xenstore.transaction.AccessedNode;
import org.xenpv.xenstore.transaction.ChangedDomain;
import org.xenpv.xenstore.transaction.Transaction;

/**
 * The commit side of cxenstored 4.17 transactions (xenstored_transaction.c): queued watch events,
 * the generation check and copy-back of {@code finalize_transaction()}, node-count fix-up and teardown.
 */
final class TransactionOps {

    private final Core core;

    TransactionOps(Core core) {
        this.core = core;
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
        core.corruptFlag = false;
        for (AccessedNode i : trans.accessedSnapshot()) {
            if (i.checkGen) {
                NodeRecord r = core.tdb.fetch(i.node);
                long gen = r == null ? Node.NO_GENERATION : r.generation();
                if (i.generation != gen) {
                    return EAGAIN;
                }
            }
            if (!i.modified) {
                if (i.taNode && core.doTdbDelete(conn, i.transName, null) != 0) {
                    return EIO;
                }
                trans.remove(i);
            }
        }
        for (AccessedNode i : trans.accessedSnapshot()) {
            if (i.taNode) {
                NodeRecord r = core.tdb.fetch(i.transName);
                if (r != null) {
                    r = r.withGeneration(++core.generation);
                    core.corruptFlag |= core.doTdbWrite(conn, i.node, r, null, true) != 0;
                    if (core.doTdbDelete(conn, i.transName, null) != 0) {
                        core.corruptFlag = true;
                    }
                } else {
                    core.corruptFlag = true;
                }
            } else if (i.generation != Node.NO_GENERATION) {
                core.corruptFlag |= core.doTdbDelete(conn, i.node, null) != 0;
            }
            if (i.fireWatch) {
                core.watches.fireWatches(conn, i.node, null, i.watchExact, i.perms);
            }
            trans.remove(i);
        }
        return 0;
    }

    /** {@code transaction_fix_domains()}. */
    int transactionFixDomains(Transaction trans, boolean chkQuota, boolean update) {
        for (ChangedDomain d : trans.changedDomains()) {
            int cnt = core.domainEntryFix(d.domid, d.nbentry, update);
            if (!update) {
                int limit = core.quota(XsQuota.NODES, d.domid);
                if (chkQuota && cnt >= limit) {
                    QuotaLog.refused(XsQuota.NODES, d.domid, core.logPath(), cnt, limit);
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
        core.store.traceDestroy(XsTraceSink.Kind.TRANSACTION, trans.traceId(), conn);
        for (AccessedNode i : trans.accessedSnapshot()) {
            if (i.taNode) {
                core.doTdbDelete(conn, i.transName, null);
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
}
