package org.xenpv.xenstore.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.xenpv.xenstore.perm.NodePerms;

/**
 * Working copy of a node while a request is processed ({@code struct node} of cxenstored 4.17): read
 * from a {@link NodeRecord}, modified, and written back under {@link #key}. Mutable and short-lived;
 * {@link #parent} and {@link #childOff} are only meaningful inside node creation and tree walks.
 */
public final class Node {

    /** {@code NO_GENERATION} (~0): the node does not exist (or was deleted). */
    public static final long NO_GENERATION = -1L;

    public final String name;
    /** The database key the node was last written under (main name or transaction-prefixed name). */
    public String key;
    public Node parent;
    public long generation;
    public NodePerms perms;
    public byte[] data = new byte[0];
    public byte[] children = new byte[0];
    /** Offset of the next child to visit in a tree walk. */
    public int childOff;
    /** {@code acc.domid}: domid the stored record is accounted to. */
    public int accDomid;
    /** {@code acc.memory}: accounted record size; -1 means "unknown, look it up". */
    public int accMemory;

    public Node(String name) {
        this.name = name;
    }

    /** Working copy of a stored record. */
    public static Node fromRecord(String name, NodeRecord r) {
        Node n = new Node(name);
        n.generation = r.generation();
        n.perms = r.perms();
        n.data = r.dataRef();
        n.children = r.childrenRef();
        n.accDomid = r.perms().get(0).domid();
        n.accMemory = r.size();
        return n;
    }

    public NodeRecord toRecord() {
        return new NodeRecord(generation, perms, data, children);
    }

    public int recordSize() {
        return NodeRecord.size(perms.size(), data.length, children.length);
    }

    /** Appends a child name + NUL ({@code add_child()}). */
    public void addChild(String base) {
        byte[] b = base.getBytes(StandardCharsets.ISO_8859_1);
        byte[] c = new byte[children.length + b.length + 1];
        System.arraycopy(children, 0, c, 0, children.length);
        System.arraycopy(b, 0, c, children.length, b.length);
        children = c;
    }

    /** Removes the child name starting at byte {@code offset} with its NUL ({@code memdel()}). */
    public void removeChildAt(int offset) {
        int end = offset;
        while (end < children.length && children[end] != 0) {
            end++;
        }
        int len = Math.min(children.length, end + 1) - offset;
        byte[] c = new byte[children.length - len];
        System.arraycopy(children, 0, c, 0, offset);
        System.arraycopy(children, offset + len, c, offset, children.length - offset - len);
        children = c;
    }

    /** The C string at {@code offset} of the children list. */
    public String childAt(int offset) {
        int end = offset;
        while (end < children.length && children[end] != 0) {
            end++;
        }
        return new String(children, offset, end - offset, StandardCharsets.ISO_8859_1);
    }

    public static List<String> childNames(byte[] children) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < children.length; i++) {
            if (children[i] == 0) {
                out.add(new String(children, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name + " gen " + Long.toUnsignedString(generation) + " [" + perms + "]";
    }
}
