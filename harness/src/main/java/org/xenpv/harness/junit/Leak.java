package org.xenpv.harness.junit;

/**
 * A resource still held when a test ended: a grant still mapped or still permitted, an event
 * channel still bound, a store watch or transaction still open. Each names its owner and the
 * resource precisely enough to find it in the event log ({@code d1}, {@code port 5},
 * {@code ref 33}, {@code token 'tok1'}).
 *
 * @param kind     what sort of resource
 * @param owner    who holds it: a domain ({@code d1}) or a connection ({@code store conn d1})
 * @param resource the resource and its binding, e.g. {@code port 5 interdomain -> d0 port 7}
 */
public record Leak(Kind kind, String owner, String resource) {

    /** The resources the platform and the store can leak. */
    public enum Kind {
        /** A foreign mapping of a grant (the mapper never unmapped): {@code grant_table.h} GNTTABOP_map_grant_ref. */
        GRANT_MAPPED("grant-mapped"),
        /** A grant entry still permitting access (the granter never revoked it). */
        GRANT_PERMITTED("grant-permitted"),
        /** An event channel port still bound: {@code event_channel.h} EVTCHNOP_close never called. */
        EVTCHN_BOUND("evtchn-bound"),
        /** A store watch never removed: {@code xs_wire.h} XS_UNWATCH. */
        WATCH("store-watch"),
        /** A store transaction never ended: {@code xs_wire.h} XS_TRANSACTION_END. */
        TRANSACTION("store-transaction"),
        /** Anything else a world object tracks (kernel actors still alive, open files). */
        OTHER("other");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public Leak {
        if (kind == null || owner == null || resource == null) {
            throw new IllegalArgumentException("leak needs kind, owner and resource: " + kind + ", " + owner + ", "
                    + resource);
        }
    }

    /** {@code evtchn-bound d1: port 5 interdomain -> d0 port 7}. */
    @Override
    public String toString() {
        return kind.label() + " " + owner + ": " + resource;
    }
}
