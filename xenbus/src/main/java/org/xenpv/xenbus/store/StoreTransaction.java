package org.xenpv.xenbus.store;

/**
 * An open store transaction ({@code XENBUS_STORE_TRANSACTION}, windows-pv-drivers.md §1.4
 * "Transactions"): its id from the {@code TRANSACTION_START} reply and whether it is still usable. Suspend
 * makes every transaction stale: its ops fail and its END returns RETRY without going on the wire.
 */
public final class StoreTransaction {

    private final int id;
    private volatile boolean active = true;
    private volatile boolean ended;

    StoreTransaction(int id) {
        this.id = id;
    }

    /** The transaction id put in {@code tx_id} of every op inside it. */
    public int id() {
        return id;
    }

    public boolean active() {
        return active;
    }

    boolean ended() {
        return ended;
    }

    void markEnded() {
        ended = true;
    }

    void deactivate() {
        active = false;
    }

    @Override
    public String toString() {
        return "transaction " + Integer.toUnsignedString(id) + (active ? "" : " (EXPIRED)");
    }
}
