package org.xenpv.xenstore.wire;

/**
 * {@code enum xsd_sockmsg_type} from {@code xen/io/xs_wire.h}. The numbers are fixed by the ABI;
 * 23-26 exist only from Xen 4.21 and cxenstored 4.17 answers them with ENOSYS.
 */
public enum XsType {
    CONTROL(0),
    DIRECTORY(1),
    READ(2),
    GET_PERMS(3),
    WATCH(4),
    UNWATCH(5),
    TRANSACTION_START(6),
    TRANSACTION_END(7),
    INTRODUCE(8),
    RELEASE(9),
    GET_DOMAIN_PATH(10),
    WRITE(11),
    MKDIR(12),
    RM(13),
    SET_PERMS(14),
    WATCH_EVENT(15),
    ERROR(16),
    IS_DOMAIN_INTRODUCED(17),
    RESUME(18),
    SET_TARGET(19),
    RESTRICT(20),
    RESET_WATCHES(21),
    DIRECTORY_PART(22),
    GET_FEATURE(23),
    SET_FEATURE(24),
    GET_QUOTA(25),
    SET_QUOTA(26);

    private static final XsType[] BY_CODE = values();

    private final int code;

    XsType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type with wire number {@code code}, or {@code null} for an unknown number. */
    public static XsType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * The name cxenstored's trace prints ({@code sockmsg_string()}): the enum name, and
     * {@code DEBUG} for type 0 in some releases (both are accepted by the trace parser).
     */
    public String traceName() {
        return name();
    }
}
