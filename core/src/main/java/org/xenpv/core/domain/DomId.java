package org.xenpv.core.domain;

/**
 * A domain id ({@code domid_t}, {@code xen.h}): a 16-bit number, of which {@code 0x7FF0} and above
 * are reserved names ({@code DOMID_SELF}, {@code DOMID_IO}, ...), never real domains.
 */
public record DomId(int value) {

    /** {@code DOMID_FIRST_RESERVED}: ids from here on cannot name an ordinary domain. */
    public static final int DOMID_FIRST_RESERVED = 0x7FF0;
    /** {@code DOMID_SELF}: the calling domain. */
    public static final int DOMID_SELF = 0x7FF0;
    /** {@code DOMID_IO}. */
    public static final int DOMID_IO = 0x7FF1;
    /** {@code DOMID_XEN}. */
    public static final int DOMID_XEN = 0x7FF2;
    /** {@code DOMID_COW}. */
    public static final int DOMID_COW = 0x7FF3;
    /** {@code DOMID_INVALID}. */
    public static final int DOMID_INVALID = 0x7FF4;
    /** {@code DOMID_IDLE}. */
    public static final int DOMID_IDLE = 0x7FFF;
    /** {@code DOMID_MASK}. */
    public static final int DOMID_MASK = 0x7FFF;

    /** The control domain. */
    public static final DomId DOM0 = new DomId(0);
    /** {@code DOMID_SELF}. */
    public static final DomId SELF = new DomId(DOMID_SELF);

    public DomId {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("domid out of domid_t range: " + value);
        }
    }

    /** Whether this names a real domain rather than a reserved id. */
    public boolean ordinary() {
        return value < DOMID_FIRST_RESERVED;
    }

    @Override
    public String toString() {
        return name(value);
    }

    /** {@code d5}, or the reserved name ({@code DOMID_SELF}, ...). */
    public static String name(int domid) {
        return switch (domid) {
            case DOMID_SELF -> "DOMID_SELF";
            case DOMID_IO -> "DOMID_IO";
            case DOMID_XEN -> "DOMID_XEN";
            case DOMID_COW -> "DOMID_COW";
            case DOMID_INVALID -> "DOMID_INVALID";
            case DOMID_IDLE -> "DOMID_IDLE";
            default -> "d" + domid;
        };
    }
}
