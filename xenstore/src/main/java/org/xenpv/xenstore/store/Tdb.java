package org.xenpv.xenstore.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The node database (cxenstored 4.17 keeps it in an internal TDB). Keys are absolute node names for the
 * main tree and {@code "<tx generation>/<name>"} for transaction-private copies, exactly as cxenstored
 * names them: the key length counts towards the owner's memory quota. Insertion-ordered for
 * deterministic dumps. No accounting here; see the daemon's {@code do_tdb_write} equivalent.
 */
public final class Tdb {

    private final Map<String, NodeRecord> records = new LinkedHashMap<>();

    public NodeRecord fetch(String key) {
        return records.get(key);
    }

    public void store(String key, NodeRecord record) {
        records.put(key, record);
    }

    /** Deletes a key; false if it did not exist (TDB reports an error then). */
    public boolean delete(String key) {
        return records.remove(key) != null;
    }

    public int size() {
        return records.size();
    }

    /** Read-only view of all records (main and transaction keys). */
    public Map<String, NodeRecord> view() {
        return Collections.unmodifiableMap(records);
    }
}
