package org.xenpv.harness.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.xenpv.harness.toolstack.DeviceSpec;

class DeviceArgTest {

    @Test
    void vifDefaultsAndOverrides() {
        DeviceSpec d = DeviceArg.parse("vif", "", 1);
        assertThat(d.type()).isEqualTo("vif");
        assertThat(d.devid()).isEqualTo(1);
        assertThat(d.beDomid()).isZero();
        assertThat(d.backendKeys()).containsEntry("mac", "00:16:3e:00:00:01").containsEntry("handle", "1")
                .containsEntry("bridge", "xenbr0");
        DeviceSpec e = DeviceArg.parse("vif", "mac=00:16:3e:aa:bb:cc, backend=3,devid=7", 0);
        assertThat(e.devid()).isEqualTo(7);
        assertThat(e.beDomid()).isEqualTo(3);
        assertThat(e.backendKeys()).containsEntry("mac", "00:16:3e:aa:bb:cc").doesNotContainKey("backend");
    }

    @Test
    void vbdUsesTheXvdEncoding() {
        DeviceSpec d = DeviceArg.parse("vbd", "vdev=xvdb,sectors=2048", 0);
        assertThat(d.devid()).isEqualTo(51728);
        assertThat(d.backendKeys()).containsEntry("dev", "xvdb").containsEntry("sectors", "2048")
                .containsEntry("device-type", "disk").doesNotContainKey("vdev");
        assertThat(DeviceArg.parse("vbd", "", 0).devid()).isEqualTo(51712);
    }

    @Test
    void badArgumentsNameTheirPart() {
        assertThatThrownBy(() -> DeviceArg.parse("vif", "mac", 0)).hasMessageContaining("'mac' is not key=value");
        assertThatThrownBy(() -> DeviceArg.parse("vbd", "vdev=hda", 0)).hasMessageContaining("vdev 'hda'");
        assertThatThrownBy(() -> DeviceArg.parse("vif", "backend=-1", 0)).hasMessageContaining("'-1'");
        assertThatThrownBy(() -> DeviceArg.parse("vkbd", "", 0)).hasMessageContaining("unknown device type");
    }
}
