package org.xenpv.xenstore.store;

import java.util.Arrays;
import org.xenpv.xenstore.perm.NodePerms;

/**
 * A node as stored in the database ({@code struct xs_tdb_record_hdr} + perms + data + children in
 * cxenstored 4.17). {@link #size()} is the record size cxenstored accounts against the node-size and
 * memory quotas: a 24-byte header, 8 bytes per permission, the data and the NUL-terminated child names.
 * Immutable (arrays are never handed out for mutation).
 */
public final class NodeRecord {

    /** {@code sizeof(struct xs_tdb_record_hdr)} on x86-64 (u64 + 3 x u32, padded to 8). */
    public static final int HEADER_SIZE = 24;
    /** {@code sizeof(struct xs_permissions)}. */
    public static final int PERM_SIZE = 8;

    private final long generation;
    private final NodePerms perms;
    private final byte[] data;
    private final byte[] children;

    public NodeRecord(long generation, NodePerms perms, byte[] data, byte[] children) {
        this.generation = generation;
        this.perms = perms;
        this.data = data;
        this.children = children;
    }

    public long generation() {
        return generation;
    }

    public NodePerms perms() {
        return perms;
    }

    /** Copy of the value. */
    public byte[] data() {
        return data.clone();
    }

    /** Copy of the NUL-separated child names. */
    public byte[] children() {
        return children.clone();
    }

    byte[] dataRef() {
        return data;
    }

    byte[] childrenRef() {
        return children;
    }

    public int dataLength() {
        return data.length;
    }

    public int childrenLength() {
        return children.length;
    }

    public NodeRecord withGeneration(long newGeneration) {
        return new NodeRecord(newGeneration, perms, data, children);
    }

    /** Record size as accounted by cxenstored ({@code data.dsize} in {@code write_node_raw()}). */
    public int size() {
        return size(perms.size(), data.length, children.length);
    }

    public static int size(int numPerms, int dataLength, int childrenLength) {
        return HEADER_SIZE + PERM_SIZE * numPerms + dataLength + childrenLength;
    }

    /** Child names in creation order. */
    public java.util.List<String> childNames() {
        return Node.childNames(children);
    }

    @Override
    public String toString() {
        return "gen " + Long.toUnsignedString(generation) + " perms [" + perms + "] data " + data.length + "B children "
                + childNames() + " " + Arrays.hashCode(data);
    }
}
