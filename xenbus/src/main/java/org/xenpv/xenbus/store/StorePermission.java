package org.xenpv.xenbus.store;

/**
 * One entry of {@code PermissionsSet} ({@code XENBUS_STORE_PERMISSION}, windows-pv-drivers.md §1.4
 * "Payloads"): on the wire {@code <n|r|w|b><domid>\0} (xen-pv-protocols.md §1.5).
 */
public record StorePermission(int domid, Mask mask) {

    /** {@code XENBUS_STORE_PERM_*}. */
    public enum Mask {
        NONE('n'), READ('r'), WRITE('w'), BOTH('b');

        private final char letter;

        Mask(char letter) {
            this.letter = letter;
        }

        public char letter() {
            return letter;
        }
    }

    public StorePermission {
        if (domid < 0 || domid > 0xffff) {
            throw new IllegalArgumentException("store permission: domid " + domid + " out of range");
        }
        if (mask == null) {
            throw new IllegalArgumentException("store permission: no mask");
        }
    }

    /** The wire form without its NUL, e.g. {@code r5}. */
    public String wire() {
        return mask.letter() + Integer.toString(domid);
    }
}
