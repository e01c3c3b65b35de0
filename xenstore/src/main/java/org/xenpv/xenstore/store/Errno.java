package org.xenpv.xenstore.store;

import org.xenpv.xenstore.wire.XsError;

/**
 * Linux errno numbers used inside the daemon. cxenstored passes plain errno values around (and sometimes
 * answers with whatever {@code errno} was left by an earlier operation), so the daemon keeps ints
 * internally and maps them to the wire names only when replying ({@code send_error()}): a value missing
 * from {@code xsd_errors[]} is sent as {@code EINVAL}, exactly as cxenstored does.
 */
public final class Errno {

    public static final int OK = 0;
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int EISCONN = 106;

    private Errno() {
    }

    /**
     * The wire error for an errno ({@code send_error()}): the {@code xsd_errors[]} entry, or EINVAL for an
     * errno the table does not have (cxenstored logs "error %i untranslatable" and sends EINVAL).
     */
    public static XsError toWire(int errno) {
        for (XsError e : XsError.values()) {
            if (e != XsError.EQUOTA && e.errno() == errno) {
                return e;
            }
        }
        return XsError.EINVAL;
    }

    /** Whether {@link #toWire} knows the value (false means it will be sent as EINVAL). */
    public static boolean translatable(int errno) {
        for (XsError e : XsError.values()) {
            if (e != XsError.EQUOTA && e.errno() == errno) {
                return true;
            }
        }
        return false;
    }

    /** Symbolic name for logs ("E2BIG", "errno 34"). */
    public static String name(int errno) {
        if (errno == ERANGE) {
            return "ERANGE";
        }
        if (errno == EBADF) {
            return "EBADF";
        }
        return translatable(errno) ? toWire(errno).name() : "errno " + errno;
    }
}
