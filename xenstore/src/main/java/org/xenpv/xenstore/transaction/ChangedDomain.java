package org.xenpv.xenstore.transaction;

/** Node-count change of one domain inside a transaction ({@code struct changed_domain}). */
public final class ChangedDomain {

    public final int domid;
    public int nbentry;

    public ChangedDomain(int domid) {
        this.domid = domid;
    }
}
