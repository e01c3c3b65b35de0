package org.xenpv.core.evtchn;

/**
 * The error numbers hypercalls return, negated ({@code xen/errno.h}; the values equal Linux's).
 * Only those the event-channel and scheduler operations use are named.
 */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;

    private Errno() {
    }

    /** {@code -EINVAL} for -22, {@code 0} for 0, {@code errno -99} for unknown values. */
    public static String name(int rc) {
        int e = Math.abs(rc);
        String n = switch (e) {
            case 0 -> "0";
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case ENOSYS -> "ENOSYS";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            default -> null;
        };
        if (n == null) {
            return "errno " + rc;
        }
        return rc < 0 ? "-" + n : n;
    }
}
