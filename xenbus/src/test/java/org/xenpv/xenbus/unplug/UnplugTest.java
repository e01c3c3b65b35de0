package org.xenpv.xenbus.unplug;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.core.devicemodel.IoAccess;
import org.xenpv.core.devicemodel.PlatformUnplugDevice;

class UnplugTest {

    @Test
    void bootRunsTheHandshakeThenOneWritePerType() {
        PlatformUnplugDevice dev = new PlatformUnplugDevice();
        Unplug u = new Unplug(dev, 9, 1, 2, false);
        u.request(UnplugType.DISKS, true);
        u.request(UnplugType.NICS, true);
        assertThat(u.boot(t -> true, false)).isEqualTo(UnplugOutcome.DONE);
        assertThat(dev.accesses()).containsExactly(
                IoAccess.in(2, 0x10, 0x49d2), IoAccess.in(1, 0x12, 1), IoAccess.out(2, 0x12, 0xffff),
                IoAccess.out(4, 0x10, 0x090102), IoAccess.in(2, 0x10, 0x49d2), IoAccess.out(2, 0x10, 0x0009),
                IoAccess.out(2, 0x10, 0x0002));
        assertThat(dev.unplugged()).isEqualTo(0x000b);
        assertThat(u.requests(UnplugType.DISKS)).as("consumed at boot").isZero();
    }

    @Test
    void requestsNeedAMatchingPvDeviceUnlessForced() {
        PlatformUnplugDevice dev = new PlatformUnplugDevice();
        Unplug u = new Unplug(dev, 9, 1, 0, true);
        u.request(UnplugType.DISKS, true);
        u.request(UnplugType.NICS, true);
        u.boot(t -> t == UnplugType.DISKS, false);
        assertThat(dev.unplugged()).isEqualTo(0x0004);
        PlatformUnplugDevice dev2 = new PlatformUnplugDevice();
        Unplug forced = new Unplug(dev2, 9, 1, 0, false);
        forced.request(UnplugType.NICS, true);
        forced.boot(t -> false, true);
        assertThat(dev2.unplugged()).isEqualTo(0x0002);
        Unplug none = new Unplug(new PlatformUnplugDevice(), 9, 1, 0, false);
        none.request(UnplugType.NICS, true);
        none.request(UnplugType.NICS, false);
        assertThat(none.boot(t -> true, true)).isEqualTo(UnplugOutcome.NOTHING_REQUESTED);
    }

    @Test
    void blacklistedOrOldDevicesAndResume() {
        PlatformUnplugDevice bl = new PlatformUnplugDevice(1, 0xffff);
        Unplug u = new Unplug(bl, 9, 1, 0, false);
        u.request(UnplugType.DISKS, true);
        assertThat(u.boot(t -> true, false)).isEqualTo(UnplugOutcome.BLACKLISTED);
        assertThat(bl.unplugged()).isZero();
        PlatformUnplugDevice old = new PlatformUnplugDevice(0, -1);
        Unplug v0 = new Unplug(old, 9, 1, 0, false);
        v0.request(UnplugType.NICS, true);
        v0.boot(t -> true, false);
        assertThat(old.accesses()).containsExactly(IoAccess.in(2, 0x10, 0x49d2), IoAccess.in(1, 0x12, 0),
                IoAccess.out(2, 0x10, 0x0002));
        old.clearAccesses();
        assertThat(v0.resume()).isEqualTo(UnplugOutcome.DONE);
        assertThat(old.accesses()).hasSize(3).last().isEqualTo(IoAccess.out(2, 0x10, 0x0002));
        assertThat(v0.runs()).isEqualTo(2);
        assertThat(List.copyOf(v0.active())).containsExactly(UnplugType.NICS);
    }
}
