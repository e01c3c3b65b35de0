package org.xenpv.xenbus.store;

/**
 * The NTSTATUS a STORE call of XENBUS returns instead of success (windows-pv-drivers.md §1.4 "Errors"):
 * {@code XS_ERROR} strings map through {@code xsd_errors} (ENOENT -> NAME_NOT_FOUND, EAGAIN -> RETRY,
 * EACCES/EPERM -> ACCESS_DENIED, EQUOTA -> QUOTA_EXCEEDED, any other table entry -> its own errno status,
 * nothing matched -> UNSUCCESSFUL), plus the client-side failures.
 */
public enum StoreStatus {
    /** {@code STATUS_OBJECT_NAME_NOT_FOUND} (ENOENT). */
    NAME_NOT_FOUND,
    /** {@code STATUS_RETRY} (EAGAIN; also END of a transaction made stale by suspend). */
    RETRY,
    /** {@code STATUS_ACCESS_DENIED} (EACCES, EPERM). */
    ACCESS_DENIED,
    /** {@code STATUS_QUOTA_EXCEEDED} (EQUOTA). */
    QUOTA_EXCEEDED,
    /** Any other {@code xsd_errors} entry; {@link StoreException#errno()} names it. */
    ERRNO,
    /** {@code STATUS_UNSUCCESSFUL}: an error string in no table, or an op on a stale transaction. */
    UNSUCCESSFUL,
    /** {@code STATUS_INVALID_PARAMETER}: refused before the wire (path too long, payload too big). */
    INVALID_PARAMETER,
    /**
     * Not a driver status: the ring peer broke the protocol (bad ring index, reply length) and this client
     * stopped using the ring rather than reading garbage (see {@link StoreClient} "Divergences").
     */
    RING_FAULT
}
