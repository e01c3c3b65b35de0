package org.xenpv.xenbus.fdo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DistributionTest {

    @Test
    void valueHasTheVendorWithUnderscoresAndATrailingSpaceInAFreeBuild() {
        assertThat(Distribution.vendorToken("Xen Project")).isEqualTo("Xen_Project");
        assertThat(Distribution.vendorToken("A.B-C d")).isEqualTo("A_B_C_d");
        assertThat(Distribution.value("Xen Project", "XENBUS", 9, 1, 0, 42, false)).isEqualTo("Xen_Project XENBUS 9.1.0.42 ");
        assertThat(Distribution.value("Xen Project", "XENBUS", 9, 1, 0, 42, true))
                .isEqualTo("Xen_Project XENBUS 9.1.0.42 (DEBUG)");
    }

    @Test
    void matchComparesTheVendorOverItsLengthAndTheProductIgnoringCase() {
        assertThat(Distribution.matches("Xen_Project XENBUS 9.1.0.0 ", "Xen Project", "XENBUS")).isTrue();
        assertThat(Distribution.matches("Xen_Project xenbus", "Xen Project", "XENBUS")).isTrue();
        assertThat(Distribution.matches("  Xen_Project   XENBUS", "Xen Project", "XENBUS")).as("strtok skips spaces").isTrue();
        assertThat(Distribution.matches("Xen_ProjectX XENBUS 1", "Xen Project", "XENBUS")).as("prefix quirk").isTrue();
        assertThat(Distribution.matches("Xen_Proj XENBUS 1", "Xen Project", "XENBUS")).isFalse();
        assertThat(Distribution.matches("Xen Project XENBUS", "Xen Project", "XENBUS")).as("space is not _").isFalse();
        assertThat(Distribution.matches("Xen_Project XENVIF 9", "Xen Project", "XENBUS")).isFalse();
        assertThat(Distribution.matches("Xen_Project XENBUSX", "Xen Project", "XENBUS")).isFalse();
        assertThat(Distribution.matches("Xen_Project", "Xen Project", "XENBUS")).as("no product token").isFalse();
        assertThat(Distribution.matches("", "Xen Project", "XENBUS")).isFalse();
    }
}
