package org.xenpv.xenstore.transaction;

import org.xenpv.xenstore.perm.NodePerms;

/**
 * A node touched by a transaction ({@code struct accessed_node}, xenstored_transaction.c 4.17).
 * {@link #generation} is the main-tree generation seen at the first <em>read</em> access
 * ({@code NO_GENERATION} if the node did not exist); {@link #checkGen} says whether commit must find it
 * unchanged. {@link #perms} are the node's permissions at first access, used to filter watch events for
 * nodes deleted by the transaction.
 */
public final class AccessedNode {

    /** Database key of the transaction-private copy: {@code "<tx generation>/<node>"}. */
    public final String transName;
    /** Main-tree node name. */
    public final String node;
    public long generation;
    public NodePerms perms;
    public boolean checkGen;
    public boolean modified;
    /** A transaction-private copy exists in the database under {@link #transName}. */
    public boolean taNode;
    public boolean fireWatch;
    public boolean watchExact;

    public AccessedNode(String transName, String node) {
        this.transName = transName;
        this.node = node;
    }

    @Override
    public String toString() {
        return node + (modified ? " modified" : "") + (checkGen ? " check@" + Long.toUnsignedString(generation) : "")
                + (taNode ? " ta" : "") + (fireWatch ? (watchExact ? " fire-exact" : " fire") : "");
    }
}
