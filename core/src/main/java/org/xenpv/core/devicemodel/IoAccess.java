package org.xenpv.core.devicemodel;

/**
 * One port access seen by a device model, for tests that check a guest's exact sequence.
 *
 * @param write whether it was an OUT
 * @param size  1, 2 or 4 bytes
 * @param port  the I/O port
 * @param value the value written, or the value the device returned
 */
public record IoAccess(boolean write, int size, int port, int value) {

    public static IoAccess in(int size, int port, int value) {
        return new IoAccess(false, size, port, value);
    }

    public static IoAccess out(int size, int port, int value) {
        return new IoAccess(true, size, port, value);
    }

    @Override
    public String toString() {
        return (write ? "out" : "in") + size * 8 + "(0x" + Integer.toHexString(port) + ")" + (write ? " <- " : " = ")
                + "0x" + Integer.toHexString(value);
    }
}
