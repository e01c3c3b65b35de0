package org.xenpv.xenstore.perm;

/**
 * The requester side of a permission check: what {@code perm_for_conn()} looks at in a connection.
 */
public interface Accessor {

    /** {@code conn->id}: the domid of the connection (0 for socket connections). */
    int accessorDomid();

    /** {@code !domain_is_unprivileged(conn)}: socket connections, dom0 and the privileged domid. */
    boolean accessorPrivileged();

    /** Domid of the SET_TARGET target of this connection's domain, or {@code null} for none. */
    Integer accessorTarget();
}
