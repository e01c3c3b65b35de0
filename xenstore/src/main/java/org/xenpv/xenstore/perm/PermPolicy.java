package org.xenpv.xenstore.perm;

/**
 * {@code perm_for_conn()} of cxenstored 4.17 (xenstored_core.c): privileged callers, the owner (entry 0)
 * and the holder of a SET_TARGET on the owner get READ|WRITE|OWNER; otherwise the first non-ignored
 * later entry naming the caller (or its target) decides; otherwise entry 0's bits are the default.
 */
public final class PermPolicy {

    /** Everything {@link #permFor} can return. */
    public static final int ALL = Perm.READ | Perm.WRITE | Perm.OWNER;

    private PermPolicy() {
    }

    public static int permFor(Accessor conn, NodePerms perms) {
        int owner = perms.get(0).domid();
        Integer target = conn.accessorTarget();
        if (conn.accessorPrivileged() || owner == conn.accessorDomid() || (target != null && owner == target)) {
            return ALL;
        }
        for (int i = 1; i < perms.size(); i++) {
            Perm p = perms.get(i);
            if (!p.ignored() && (p.domid() == conn.accessorDomid() || (target != null && p.domid() == target))) {
                return p.bits() & ALL;
            }
        }
        return perms.get(0).bits() & ALL;
    }
}
