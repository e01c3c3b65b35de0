package org.xenpv.xenstore.perm;

/**
 * One {@code struct xs_permissions} entry ({@code tools/include/xenstore_lib.h}): a domid and a bit mask
 * of {@link #READ}, {@link #WRITE}, {@link #OWNER} and the daemon-internal {@link #IGNORE} flag, which
 * marks entries naming a domain that no longer exists (or did not exist when the entry was written) so a
 * later domain reusing the domid does not inherit them (XSA-322). The domid is kept as the raw 32-bit value.
 */
public record Perm(int domid, int bits) {

    public static final int NONE = 0x00;
    public static final int READ = 0x01;
    public static final int WRITE = 0x02;
    /** {@code XS_PERM_ENOENT_OK}, unused by the 4.17 daemon. */
    public static final int ENOENT_OK = 0x04;
    public static final int OWNER = 0x08;
    public static final int IGNORE = 0x10;

    public boolean ignored() {
        return (bits & IGNORE) != 0;
    }

    public Perm withIgnore() {
        return new Perm(domid, bits | IGNORE);
    }

    public Perm withDomid(int newDomid) {
        return new Perm(newDomid, bits);
    }

    /**
     * {@code xs_perm_to_string()}: letter ({@code n r w b}, the IGNORE flag is not shown) followed by the
     * domid printed with {@code %i} (so 0xffffffff prints as "-1").
     */
    public String toWireString() {
        char letter = switch (bits & ~IGNORE) {
            case WRITE -> 'w';
            case READ -> 'r';
            case READ | WRITE -> 'b';
            case NONE -> 'n';
            default -> '?';
        };
        return letter + Integer.toString(domid);
    }

    @Override
    public String toString() {
        return toWireString() + (ignored() ? "(ignored)" : "");
    }
}
