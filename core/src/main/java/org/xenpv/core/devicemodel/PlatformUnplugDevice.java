package org.xenpv.core.devicemodel;

import java.util.ArrayList;
import java.util.List;

/**
 * The Xen platform device's fixed I/O ports as QEMU's {@code xen_platform.c} implements them
 * ({@code docs/misc/hvm-emulated-unplug.pandoc}): 16-bit read of 0x10 gives the magic (0x49d2, or
 * 0xd249 once the driver's product/build was blacklisted), 8-bit read of 0x12 the protocol version,
 * 16-bit write of 0x12 the product number, 32-bit write of 0x10 the build number, and a 16-bit write
 * of 0x10 unplugs the emulated devices in its mask (ORed over writes). Every access is recorded.
 */
public final class PlatformUnplugDevice implements IoPorts {

    /** Port of the magic, the build number and the unplug mask. */
    public static final int PORT_MAGIC = 0x10;
    /** Port of the version (read) and product number (write). */
    public static final int PORT_VERSION = 0x12;
    /** The magic a supported device returns. */
    public static final int MAGIC = 0x49d2;
    /** The byte-swapped magic of a blacklisted driver. */
    public static final int MAGIC_BLACKLISTED = 0xd249;
    /** {@code UNPLUG_ALL_DISKS}: every emulated IDE disk (and SCSI). */
    public static final int UNPLUG_ALL_DISKS = 0x0001;
    /** {@code UNPLUG_ALL_NICS}. */
    public static final int UNPLUG_ALL_NICS = 0x0002;
    /** {@code UNPLUG_AUX_IDE_DISKS}: all but the primary master. */
    public static final int UNPLUG_AUX_IDE_DISKS = 0x0004;
    /** {@code UNPLUG_NVME_DISKS}. */
    public static final int UNPLUG_NVME_DISKS = 0x0008;

    private final int version;
    private final int blacklistedProduct;
    private final List<IoAccess> accesses = new ArrayList<>();
    private int product = -1;
    private long build = -1;
    private int unplugged;
    private int unplugWrites;

    /** A device with protocol version 1 that blacklists nothing. */
    public PlatformUnplugDevice() {
        this(1, -1);
    }

    /**
     * @param version            value of the version byte (0: an old device without the handshake)
     * @param blacklistedProduct product number to refuse, or -1
     */
    public PlatformUnplugDevice(int version, int blacklistedProduct) {
        this.version = version;
        this.blacklistedProduct = blacklistedProduct;
    }

    private boolean blacklisted() {
        return product >= 0 && product == blacklistedProduct;
    }

    @Override
    public synchronized int in8(int port) {
        int v = port == PORT_VERSION ? version : 0xff;
        accesses.add(IoAccess.in(1, port, v));
        return v;
    }

    @Override
    public synchronized int in16(int port) {
        int v = port == PORT_MAGIC ? (blacklisted() ? MAGIC_BLACKLISTED : MAGIC) : 0xffff;
        accesses.add(IoAccess.in(2, port, v));
        return v;
    }

    @Override
    public synchronized void out16(int port, int value) {
        accesses.add(IoAccess.out(2, port, value & 0xffff));
        if (port == PORT_VERSION) {
            product = value & 0xffff;
        } else if (port == PORT_MAGIC && !blacklisted()) {
            unplugged |= value & 0xffff;
            unplugWrites++;
        }
    }

    @Override
    public synchronized void out32(int port, int value) {
        accesses.add(IoAccess.out(4, port, value));
        if (port == PORT_MAGIC) {
            build = Integer.toUnsignedLong(value);
        }
    }

    /** The OR of every accepted unplug mask. */
    public synchronized int unplugged() {
        return unplugged;
    }

    /** How many unplug masks were accepted. */
    public synchronized int unplugWrites() {
        return unplugWrites;
    }

    /** Product number written, or -1. */
    public synchronized int product() {
        return product;
    }

    /** Build number written, or -1. */
    public synchronized long build() {
        return build;
    }

    /** Every access so far, in order. */
    public synchronized List<IoAccess> accesses() {
        return List.copyOf(accesses);
    }

    /** Forgets the recorded accesses (the unplug state stays: QEMU keeps it across a guest resume). */
    public synchronized void clearAccesses() {
        accesses.clear();
    }
}
