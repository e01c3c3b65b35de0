package org.xenpv.xenstore.domain;

/**
 * What cxenstored 4.17 knows about a domain ({@code struct domain}, xenstored_domain.c): created when the
 * domain is introduced, when a node or permission names an existing domain, or at start-up for dom0.
 * {@link #generation} is the global generation when the struct was created: permission entries of
 * nodes older than that are ignored (XSA-322). The counters feed the per-domain quotas. Mutable; owned
 * by {@link Domains}.
 */
public final class Domain {

    public final int domid;
    public final long generation;
    /** {@code /local/domain/<domid>}, the implicit path of relative names. */
    public final String path;
    public boolean introduced;
    public boolean shutdown;
    /** Number of nodes owned. */
    public int nbentry;
    /** Accounted bytes: node records + keys, watches, queued output. */
    public int memory;
    public int nbwatch;
    public int nboutstanding;
    public int port;
    public boolean softQuotaReported;
    public boolean hardQuotaReported;
    public long memLastMsgSeconds = Long.MIN_VALUE / 2;
    /** The connection of this domain (an {@code XsConnection}), or null. */
    public Object connection;

    public Domain(int domid, long generation) {
        this.domid = domid;
        this.generation = generation;
        this.path = "/local/domain/" + Integer.toUnsignedString(domid);
    }

    @Override
    public String toString() {
        return "domain " + Integer.toUnsignedString(domid) + (introduced ? " introduced" : "") + " nodes " + nbentry
                + " watches " + nbwatch + " memory " + memory;
    }
}
