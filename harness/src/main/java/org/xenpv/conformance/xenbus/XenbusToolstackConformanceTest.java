package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.grant.GrantEntryV1;
import org.xenpv.core.grant.Gtf;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;

/** The simulated toolstack builds what XENBUS relies on (xen-pv-protocols.md §6, windows-pv-drivers.md §1.3). */
@Tag("toolstack")
@Seeds(count = 20)
@Tag("xenbus")
class XenbusToolstackConformanceTest {

    @XenpvTest
    @Checks(id = "XENBUS-5", ref = "windows-pv-drivers.md §1.3")
    @DisplayName("The builder seeds grant entries 0/1 (console/store, for dom0) and the four HVM params; store port unbound for dom0" + " (" + "windows-pv-drivers.md §1.3" + ")")
    void builderSeeds(Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("guest");
        Domain d = platform.domain(g.domid());
        assertThat(d.grantTable().entry(0)).isEqualTo(new GrantEntryV1(Gtf.PERMIT_ACCESS, 0, g.consoleGfn()));
        assertThat(d.grantTable().entry(1)).isEqualTo(new GrantEntryV1(Gtf.PERMIT_ACCESS, 0, g.storeGfn()));
        assertThat(d.hvmParam(HvmParam.STORE_PFN)).isEqualTo(g.storeGfn());
        assertThat(d.hvmParam(HvmParam.CONSOLE_PFN)).isEqualTo(g.consoleGfn());
        assertThat(d.evtchn().status((int) d.hvmParam(HvmParam.STORE_EVTCHN)))
                .isEqualTo(new EvtchnStatus.Interdomain(0, 0, g.dom0StorePort()));
        assertThat(d.evtchn().status((int) d.hvmParam(HvmParam.CONSOLE_EVTCHN)))
                .isEqualTo(new EvtchnStatus.Interdomain(0, 0, g.dom0ConsolePort()));
    }

    @XenpvTest
    @Checks(id = "TOOLSTACK-1", ref = "xen-pv-protocols.md §6")
    @DisplayName("Domain and device directories have libxl's layout and permissions; destroy removes them" + " (" + "xen-pv-protocols.md §6" + ")")
    void layoutAndPerms(Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("guest");
        String p = g.path();
        int id = g.domid();
        var xs = toolstack.xs();
        assertThat(xs.directory(p)).contains("name", "domid", "vm", "control", "memory", "device", "data", "attr",
                "error", "drivers", "feature");
        assertThat(xs.read(p + "/domid")).isEqualTo(Integer.toString(id));
        assertThat(xs.read(p + "/vm")).isEqualTo(g.vmPath());
        assertThat(xs.perms(p)).containsExactly("n0", "r" + id);
        assertThat(xs.perms(p + "/device")).containsExactly("n0", "r" + id);
        for (String rw : List.of("data", "drivers", "feature", "attr", "error", "control/shutdown")) {
            assertThat(xs.perms(p + "/" + rw)).as(rw).containsExactly("n" + id);
        }
        toolstack.addDevice(id, "vif", 0, 0, Map.of("mac", "00:16:3e:00:00:01"));
        String fe = Toolstack.frontendPath(id, "vif", 0);
        String be = Toolstack.backendPath(0, "vif", id, 0);
        assertThat(xs.read(fe + "/backend")).isEqualTo(be);
        assertThat(xs.read(fe + "/backend-id")).isEqualTo("0");
        assertThat(xs.read(fe + "/state")).isEqualTo("1");
        assertThat(xs.perms(fe)).containsExactly("n" + id, "r0");
        assertThat(xs.read(be + "/frontend")).isEqualTo(fe);
        assertThat(xs.read(be + "/frontend-id")).isEqualTo(Integer.toString(id));
        assertThat(xs.read(be + "/online")).isEqualTo("1");
        assertThat(xs.read(be + "/state")).isEqualTo("1");
        assertThat(xs.perms(be + "/state")).containsExactly("n0", "r" + id);
        toolstack.destroy(id);
        assertThat(toolstack.store().node(p)).isEmpty();
        assertThat(toolstack.store().node(be)).isEmpty();
        assertThat(platform.findDomain(id)).isEmpty();
        assertThat(platform.leakReport().isEmpty()).as(platform.leakReport().text()).isTrue();
    }
}
