package org.xenpv.xenbus.unplug;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.devicemodel.IoPorts;

/**
 * XENBUS's emulated-device unplug ({@code [bus xen/unplug.c; filt/driver.c]}, windows-pv-drivers.md
 * §1.6): the children's requests (the registry DWORDs {@code Unplug\DISKS}/{@code NICS}), their
 * consumption at boot, and the port sequence of {@code hvm-emulated-unplug}, run at boot and again
 * on every resume ({@link #resume}, called from the suspend code's early callback on CPU0).
 *
 * <p>Quirks reproduced:
 * <ul>
 *   <li>At boot the request values are read and deleted; a non-zero value counts only if a matching PV
 *       device already exists under {@code Enum\XENBUS}, unless {@code ForceUnplug} is set.</li>
 *   <li>With a version byte the driver writes product 0xFFFF to 0x12 and its build
 *       {@code MAJ<<16|MIN<<8|MIC} to 0x10, then re-reads the magic to learn whether it was blacklisted.</li>
 *   <li>DISKS writes 0x0009 (IDE/SCSI + NVMe), or 0x0004 (auxiliary IDE only) with
 *       {@code XEN:BOOT_EMULATED=TRUE}; NICS writes 0x0002; each as its own 16-bit write to 0x10.</li>
 * </ul>
 */
public final class Unplug {

    private static final Logger LOG = LoggerFactory.getLogger(Unplug.class);

    public static final int PORT_MAGIC = 0x10;
    public static final int PORT_VERSION = 0x12;
    public static final int MAGIC = 0x49d2;
    public static final int MAGIC_BLACKLISTED = 0xd249;
    /** The product number XENBUS writes. */
    public static final int PRODUCT = 0xFFFF;
    /** DISKS mask: {@code UNPLUG_ALL_DISKS | UNPLUG_NVME_DISKS}. */
    public static final int MASK_DISKS = 0x0009;
    /** DISKS mask with {@code XEN:BOOT_EMULATED=TRUE}: {@code UNPLUG_AUX_IDE_DISKS}, keeping the boot disk. */
    public static final int MASK_DISKS_BOOT_EMULATED = 0x0004;
    /** NICS mask: {@code UNPLUG_ALL_NICS}. */
    public static final int MASK_NICS = 0x0002;

    private final IoPorts ports;
    private final int buildNumber;
    private final boolean bootEmulated;
    private final Map<UnplugType, Integer> registry = new EnumMap<>(UnplugType.class);
    private final Set<UnplugType> active = EnumSet.noneOf(UnplugType.class);
    private int runs;

    /**
     * @param ports        the platform device's ports
     * @param major        driver version, as in the build number
     * @param minor        "
     * @param micro        "
     * @param bootEmulated {@code XEN:BOOT_EMULATED=TRUE}
     */
    public Unplug(IoPorts ports, int major, int minor, int micro, boolean bootEmulated) {
        this.ports = ports;
        this.buildNumber = (major & 0xff) << 16 | (minor & 0xff) << 8 | (micro & 0xff);
        this.bootEmulated = bootEmulated;
    }

    /** {@code MAJ<<16|MIN<<8|MIC}. */
    public int buildNumber() {
        return buildNumber;
    }

    /** {@code UNPLUG.Request(type, make)}: adjusts the registry count for the next boot. */
    public synchronized void request(UnplugType type, boolean make) {
        int n = registry.getOrDefault(type, 0) + (make ? 1 : -1);
        registry.put(type, Math.max(0, n));
    }

    /** The registry value for {@code type} (0 when absent). */
    public synchronized int requests(UnplugType type) {
        return registry.getOrDefault(type, 0);
    }

    /**
     * Boot: consumes the registry values (read, then delete), keeps the types with a non-zero value and
     * a PV device already enumerated ({@code pvDeviceExists}) or all non-zero ones with
     * {@code forceUnplug}, and runs the port sequence for them.
     */
    public synchronized UnplugOutcome boot(Predicate<UnplugType> pvDeviceExists, boolean forceUnplug) {
        active.clear();
        for (UnplugType t : UnplugType.values()) {
            Integer v = registry.remove(t);
            if (v != null && v != 0 && (forceUnplug || pvDeviceExists.test(t))) {
                active.add(t);
            }
        }
        return unplugDevices();
    }

    /** Every resume (early, CPU0): the same types again, since a new device model starts with everything plugged. */
    public synchronized UnplugOutcome resume() {
        return unplugDevices();
    }

    /** The types unplugged at boot. */
    public synchronized Set<UnplugType> active() {
        return EnumSet.copyOf(active.isEmpty() ? EnumSet.noneOf(UnplugType.class) : active);
    }

    /** How many times the port sequence ran. */
    public synchronized int runs() {
        return runs;
    }

    private UnplugOutcome unplugDevices() {
        if (active.isEmpty()) {
            return UnplugOutcome.NOTHING_REQUESTED;
        }
        runs++;
        int magic = ports.in16(PORT_MAGIC);
        if (magic == MAGIC_BLACKLISTED) {
            LOG.warn("unplug: device model blacklisted this driver");
            return UnplugOutcome.BLACKLISTED;
        }
        if (magic != MAGIC) {
            LOG.info("unplug: magic 0x{} at port 0x10: no unplug protocol", Integer.toHexString(magic));
            return UnplugOutcome.UNSUPPORTED;
        }
        if (ports.in8(PORT_VERSION) != 0) {
            ports.out16(PORT_VERSION, PRODUCT);
            ports.out32(PORT_MAGIC, buildNumber);
            magic = ports.in16(PORT_MAGIC);
            if (magic != MAGIC) {
                LOG.warn("unplug: product 0x{} build 0x{} blacklisted", Integer.toHexString(PRODUCT),
                        Integer.toHexString(buildNumber));
                return UnplugOutcome.BLACKLISTED;
            }
        }
        if (active.contains(UnplugType.DISKS)) {
            ports.out16(PORT_MAGIC, bootEmulated ? MASK_DISKS_BOOT_EMULATED : MASK_DISKS);
        }
        if (active.contains(UnplugType.NICS)) {
            ports.out16(PORT_MAGIC, MASK_NICS);
        }
        return UnplugOutcome.DONE;
    }
}
