package org.xenpv.xenbus.enumeration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassScanTest {

    @Test
    void unionOfStoreAndSyntheticClassesFilteredBySupported() {
        assertThat(ClassScan.scan(List.of("vif", "vbd", "console", "qdisk", "vkbd")))
                .containsExactly("CONS", "IFACE", "VBD", "VIF", "VKBD");
        assertThat(ClassScan.scan(List.of("console"), List.of(), ClassScan.SUPPORTED)).isEmpty();
        assertThat(ClassScan.scan(List.of("vi"), List.of(), ClassScan.SUPPORTED)).containsExactly("VI");
        assertThat(ClassScan.scan(List.of("vif", "VIF"), List.of(), ClassScan.SUPPORTED)).containsExactly("VIF");
    }

    @Test
    void pdoIdentityStrings() {
        assertThat(PdoIds.deviceId("XP", "vif")).isEqualTo("XENBUS\\VEN_XP&DEV_VIF");
        assertThat(PdoIds.hardwareIds("XP", "0001", "VBD", PdoIds.REVISIONS)).containsExactly(
                "XENBUS\\VEN_XP0001&DEV_VBD&REV_0900000C", "XENBUS\\VEN_XP0001&DEV_VBD&REV_0900000B",
                "XENBUS\\VEN_XP0001&DEV_VBD&REV_0900000A", "XENBUS\\VEN_XP0001&DEV_VBD&REV_09000009",
                "XENBUS\\VEN_XP0001&DEV_VBD&REV_09000008", "XENCLASS");
    }
}
