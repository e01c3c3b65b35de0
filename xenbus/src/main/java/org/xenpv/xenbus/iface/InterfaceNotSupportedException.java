package org.xenpv.xenbus.iface;

/**
 * {@code IRP_MN_QUERY_INTERFACE} failed with {@code STATUS_NOT_SUPPORTED}: no such interface on the bus,
 * or a version outside the provider's range (windows-pv-drivers.md §1.7). The message names the
 * interface, the version asked for and the range offered.
 */
public final class InterfaceNotSupportedException extends RuntimeException {

    /** {@code STATUS_NOT_SUPPORTED}. */
    public static final int STATUS_NOT_SUPPORTED = 0xC00000BB;

    private final String interfaceName;
    private final int version;

    InterfaceNotSupportedException(String interfaceName, int version, String message) {
        super(message + " (STATUS_NOT_SUPPORTED 0x" + Integer.toHexString(STATUS_NOT_SUPPORTED).toUpperCase() + ")");
        this.interfaceName = interfaceName;
        this.version = version;
    }

    /** The interface asked for. */
    public String interfaceName() {
        return interfaceName;
    }

    /** The version asked for. */
    public int version() {
        return version;
    }

    /** Always {@link #STATUS_NOT_SUPPORTED}. */
    public int status() {
        return STATUS_NOT_SUPPORTED;
    }
}
