package org.xenpv.xenbus.store;

/**
 * A failed STORE call (windows-pv-drivers.md §1.4): the status the driver would return, the
 * {@code XS_ERROR} string when the daemon sent one, and the path involved.
 */
public final class StoreException extends RuntimeException {

    private final StoreStatus status;
    private final String errno;

    public StoreException(StoreStatus status, String errno, String message) {
        super(message);
        this.status = status;
        this.errno = errno;
    }

    public StoreStatus status() {
        return status;
    }

    /** The error string of the {@code XS_ERROR} reply (without NUL), or {@code null}. */
    public String errno() {
        return errno;
    }
}
