package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.devicemodel.IoAccess;
import org.xenpv.core.devicemodel.PlatformUnplugDevice;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.xenbus.unplug.Unplug;
import org.xenpv.xenbus.unplug.UnplugOutcome;
import org.xenpv.xenbus.unplug.UnplugType;

/** Emulated-device unplug against the platform device's ports (windows-pv-drivers.md §1.6, §8 XENBUS-9). */
@Seeds(count = 20)
@Tag("xenbus")
@Tag("unplug")
class XenbusUnplugConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.6 / §8";

    private static List<IoAccess> handshake(int build) {
        return List.of(IoAccess.in(2, 0x10, 0x49d2), IoAccess.in(1, 0x12, 1), IoAccess.out(2, 0x12, 0xffff),
                IoAccess.out(4, 0x10, build), IoAccess.in(2, 0x10, 0x49d2));
    }

    @XenpvTest
    @Checks(id = "XENBUS-9", ref = REF)
    @DisplayName("At boot: magic, version, product 0xFFFF, build, magic again, then DISKS 0x0009 and NICS 0x0002" + " (" + REF + ")")
    void bootSequenceAndMasks() {
        PlatformUnplugDevice dev = new PlatformUnplugDevice();
        Unplug u = new Unplug(dev, 9, 1, 3, false);
        u.request(UnplugType.DISKS, true);
        u.request(UnplugType.NICS, true);
        assertThat(u.boot(t -> true, false)).isEqualTo(UnplugOutcome.DONE);
        List<IoAccess> expected = new java.util.ArrayList<>(handshake(0x090103));
        expected.add(IoAccess.out(2, 0x10, 0x0009));
        expected.add(IoAccess.out(2, 0x10, 0x0002));
        assertThat(dev.accesses()).containsExactlyElementsOf(expected);
        assertThat(dev.unplugged()).isEqualTo(PlatformUnplugDevice.UNPLUG_ALL_DISKS
                | PlatformUnplugDevice.UNPLUG_NVME_DISKS | PlatformUnplugDevice.UNPLUG_ALL_NICS);
    }

    @XenpvTest
    @Checks(id = "XENBUS-9", ref = REF)
    @DisplayName("Every resume repeats the whole port sequence with the boot-time masks, on a fresh device model" + " (" + REF + ")")
    void everyResumeRepeats() {
        PlatformUnplugDevice boot = new PlatformUnplugDevice();
        Unplug u = new Unplug(boot, 9, 1, 0, false);
        u.request(UnplugType.DISKS, true);
        u.boot(t -> true, false);
        List<IoAccess> bootSeq = boot.accesses();
        for (int resume = 1; resume <= 3; resume++) {
            boot.clearAccesses();
            assertThat(u.resume()).isEqualTo(UnplugOutcome.DONE);
            assertThat(boot.accesses()).as("resume %d", resume).containsExactlyElementsOf(bootSeq);
        }
        assertThat(u.runs()).isEqualTo(4);
        assertThat(boot.unplugWrites()).isEqualTo(4);
    }

    @XenpvTest
    @Checks(id = "XENBUS-9", ref = REF)
    @DisplayName("XEN:BOOT_EMULATED=TRUE unplugs only auxiliary IDE disks (0x0004); a blacklisted build writes no mask" + " (" + REF + ")")
    void bootEmulatedAndBlacklist() {
        PlatformUnplugDevice dev = new PlatformUnplugDevice();
        Unplug u = new Unplug(dev, 9, 1, 0, true);
        u.request(UnplugType.DISKS, true);
        u.boot(t -> true, false);
        assertThat(dev.unplugged()).isEqualTo(PlatformUnplugDevice.UNPLUG_AUX_IDE_DISKS);
        PlatformUnplugDevice bl = new PlatformUnplugDevice(1, 0xffff);
        Unplug b = new Unplug(bl, 9, 1, 0, false);
        b.request(UnplugType.NICS, true);
        assertThat(b.boot(t -> true, false)).isEqualTo(UnplugOutcome.BLACKLISTED);
        assertThat(bl.accesses()).noneMatch(a -> a.write() && a.size() == 2 && a.port() == 0x10);
        assertThat(bl.unplugged()).isZero();
    }
}
