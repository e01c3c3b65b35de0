package org.xenpv.xenstore.transaction;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One open transaction ({@code struct transaction}, xenstored_transaction.c 4.17). cxenstored's
 * generation scheme: the transaction takes a fresh global generation when it starts, names its private
 * node copies after it, and records every node it accesses in access order; commit fails with EAGAIN iff
 * a node first accessed by a read now has another generation in the main tree.
 */
public final class Transaction {

    private final int id;
    private final long generation;
    private final long traceId;
    private final Map<String, AccessedNode> accessed = new LinkedHashMap<>();
    private final List<ChangedDomain> changedDomains = new ArrayList<>();
    /** Number of accessed nodes (for the transaction-nodes quota). */
    public int nodes;
    public boolean nodeCreated;
    /** Set when a partial failure makes the transaction uncommittable (commit answers ENOMEM). */
    public boolean fail;

    public Transaction(int id, long generation, long traceId) {
        this.id = id;
        this.generation = generation;
        this.traceId = traceId;
    }

    /** The id the client uses in {@code tx_id}. */
    public int id() {
        return id;
    }

    /** Global generation taken at TRANSACTION_START; prefix of the private keys. */
    public long generation() {
        return generation;
    }

    public long traceId() {
        return traceId;
    }

    public AccessedNode find(String node) {
        return accessed.get(node);
    }

    /** {@code "<generation>/<node>"}, the private database key of a node. */
    public String transName(String node) {
        return Long.toUnsignedString(generation) + "/" + node;
    }

    public void add(AccessedNode a) {
        accessed.put(a.node, a);
    }

    public void remove(AccessedNode a) {
        accessed.remove(a.node);
    }

    /** Accessed nodes in first-access order (live view). */
    public Collection<AccessedNode> accessed() {
        return accessed.values();
    }

    /** Snapshot of the accessed nodes in first-access order. */
    public List<AccessedNode> accessedSnapshot() {
        return new ArrayList<>(accessed.values());
    }

    public List<ChangedDomain> changedDomains() {
        return changedDomains;
    }

    /** {@code transaction_entry_inc()/_dec()}: node-count change of a domain, applied at commit. */
    public void entryDelta(int domid, int delta) {
        for (ChangedDomain d : changedDomains) {
            if (d.domid == domid) {
                d.nbentry += delta;
                return;
            }
        }
        ChangedDomain d = new ChangedDomain(domid);
        d.nbentry = delta;
        changedDomains.add(d);
    }

    @Override
    public String toString() {
        return "transaction " + Integer.toUnsignedString(id) + " gen " + Long.toUnsignedString(generation) + " "
                + accessed.values();
    }
}
