package org.xenpv.xenstore.transaction;

import java.util.ArrayList;
import java.util.List;

/**
 * The transactions open on one connection, with cxenstored's id allocation: ids count up per
 * connection from {@code next_transaction_id} (initially 0), skipping 0 and ids still in use, so the
 * first transaction is 1 and ids are never reused while open.
 */
public final class TransactionList {

    private final List<Transaction> open = new ArrayList<>();
    private int nextId;

    /** {@code transaction_lookup()} for a non-zero id; null if unknown. */
    public Transaction lookup(int id) {
        for (Transaction t : open) {
            if (t.id() == id) {
                return t;
            }
        }
        return null;
    }

    /** Picks the next unused id (never 0). */
    public int allocateId() {
        int id;
        do {
            id = nextId++;
        } while (id == 0 || lookup(id) != null);
        return id;
    }

    public void add(Transaction t) {
        open.add(t);
    }

    public boolean remove(Transaction t) {
        return open.remove(t);
    }

    /** {@code transaction_started}: number of open transactions. */
    public int started() {
        return open.size();
    }

    public List<Transaction> snapshot() {
        return new ArrayList<>(open);
    }

    public boolean isEmpty() {
        return open.isEmpty();
    }
}
