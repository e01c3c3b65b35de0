package org.xenpv.xenstore.wire;

/**
 * {@code xsd_errors[]} from {@code xen/io/xs_wire.h}, in table order, plus oxenstored's
 * {@code EQUOTA} (not in the table; only ever seen in oxenstored replies and logs).
 * An error reply carries the name followed by a NUL.
 */
public enum XsError {
    EINVAL(22),
    EACCES(13),
    EEXIST(17),
    EISDIR(21),
    ENOENT(2),
    ENOMEM(12),
    ENOSPC(28),
    EIO(5),
    ENOTEMPTY(39),
    ENOSYS(38),
    EROFS(30),
    EBUSY(16),
    EAGAIN(11),
    EISCONN(106),
    E2BIG(7),
    EPERM(1),
    EQUOTA(-1);

    private final int errno;

    XsError(int errno) {
        this.errno = errno;
    }

    /** Linux errno value ({@code -1} for EQUOTA, which has none). */
    public int errno() {
        return errno;
    }

    /** Parses an error name as sent in an ERROR reply (without its NUL); {@code null} if unknown. */
    public static XsError parse(String name) {
        for (XsError e : values()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }
}
