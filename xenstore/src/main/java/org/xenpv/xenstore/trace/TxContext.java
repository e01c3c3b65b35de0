package org.xenpv.xenstore.trace;

/**
 * The transaction a message belongs to ({@code xsd_sockmsg.tx_id}), and how we know it.
 * cxenstored traces never record tx_id, so it is reconstructed by the rules in {@code docs/traces.md}.
 *
 * @param id    the tx_id (0 = no transaction); the best guess when {@code basis} is AMBIGUOUS
 * @param basis how {@code id} was obtained
 */
public record TxContext(long id, Basis basis) {

    public enum Basis {
        /** The trace recorded the tx_id (oxenstored {@code A5.3}, JSON lines {@code tx_id}). */
        RECORDED,
        /** Deduced with certainty under the stated rules (e.g. no transaction open: 0). */
        INFERRED,
        /** Several ids were possible; {@code id} is the rule's choice and an {@link Ambiguity} was recorded. */
        AMBIGUOUS,
        /** The daemon ignores tx_id for this type (WATCH/UNWATCH: {@code XS_FLAG_NOTID}). */
        NOT_APPLICABLE,
        /** Not reconstructed (reconstruction off, or nothing to go on). */
        UNKNOWN
    }

    public static final TxContext UNKNOWN = new TxContext(0, Basis.UNKNOWN);
    public static final TxContext NONE_INFERRED = new TxContext(0, Basis.INFERRED);
    public static final TxContext NOT_APPLICABLE = new TxContext(0, Basis.NOT_APPLICABLE);

    public static TxContext recorded(long id) {
        return new TxContext(id, Basis.RECORDED);
    }

    public static TxContext inferred(long id) {
        return new TxContext(id, Basis.INFERRED);
    }

    public static TxContext ambiguous(long guess) {
        return new TxContext(guess, Basis.AMBIGUOUS);
    }

    /** Whether {@link #id} is known for certain (recorded or inferred). */
    public boolean known() {
        return basis == Basis.RECORDED || basis == Basis.INFERRED || basis == Basis.NOT_APPLICABLE;
    }
}
