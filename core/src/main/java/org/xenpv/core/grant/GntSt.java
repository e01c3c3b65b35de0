package org.xenpv.core.grant;

/** {@code GNTST_*}: status codes of grant-table operations ({@code grant_table.h}). */
public final class GntSt {

    public static final int OKAY = 0;
    public static final int GENERAL_ERROR = -1;
    public static final int BAD_DOMAIN = -2;
    public static final int BAD_GNTREF = -3;
    public static final int BAD_HANDLE = -4;
    public static final int BAD_VIRT_ADDR = -5;
    public static final int BAD_DEV_ADDR = -6;
    public static final int NO_DEVICE_SPACE = -7;
    public static final int PERMISSION_DENIED = -8;
    public static final int BAD_PAGE = -9;
    public static final int BAD_COPY_ARG = -10;
    public static final int ADDRESS_TOO_BIG = -11;
    public static final int EAGAIN = -12;
    public static final int NO_SPACE = -13;

    private static final String[] NAMES = {
        "GNTST_okay", "GNTST_general_error", "GNTST_bad_domain", "GNTST_bad_gntref", "GNTST_bad_handle",
        "GNTST_bad_virt_addr", "GNTST_bad_dev_addr", "GNTST_no_device_space", "GNTST_permission_denied",
        "GNTST_bad_page", "GNTST_bad_copy_arg", "GNTST_address_too_big", "GNTST_eagain", "GNTST_no_space",
    };

    /** {@code GNTTABOP_error_msgs}, in order. */
    private static final String[] MESSAGES = {
        "okay", "undefined error", "unrecognised domain id", "invalid grant reference", "invalid mapping handle",
        "invalid virtual address", "invalid device address", "no spare translation slot in the I/O MMU",
        "permission denied", "bad page", "copy arguments cross page boundary", "page address size too large",
        "operation not done; try again", "out of space",
    };

    private GntSt() {
    }

    /** {@code GNTST_bad_gntref} for -3. */
    public static String name(int status) {
        return status <= 0 && -status < NAMES.length ? NAMES[-status] : "GNTST " + status;
    }

    /** Xen's message for the status ({@code GNTTABOP_error_msgs}). */
    public static String message(int status) {
        return status <= 0 && -status < MESSAGES.length ? MESSAGES[-status] : "unknown status " + status;
    }
}
