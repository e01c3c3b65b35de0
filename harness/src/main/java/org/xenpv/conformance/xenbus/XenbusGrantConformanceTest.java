package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.grant.GrantEntryV1;
import org.xenpv.core.grant.GrantMapping;
import org.xenpv.core.grant.Gtf;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.gnttab.GnttabClient;
import org.xenpv.xenbus.gnttab.GnttabException;
import org.xenpv.xenbus.memory.GuestFrames;

/** XENBUS's grant-table client against the platform (windows-pv-drivers.md §1.3, checklist §8 XENBUS-5). */
@Seeds(count = 20)
@Tag("xenbus")
@Tag("gnttab")
class XenbusGrantConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.3 / §8";

    private static GnttabClient gnttab(Platform platform, Domain d) {
        GnttabClient c = new GnttabClient(Vm.of(platform, d), new GuestFrames(Vm.of(platform, d)));
        c.acquire();
        return c;
    }

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.5)
    @Checks(id = "XENBUS-5", ref = REF)
    @DisplayName("Permit writes domid and frame before flags: Xen never sees GTF_permit_access on a half-written entry" + " (" + REF + ")")
    void permitWriteOrder(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("guest");
        Domain d = platform.domain(g.domid());
        GnttabClient c = gnttab(platform, d);
        int n = 40;
        List<Integer> refs = new ArrayList<>();
        boolean[] done = {false};
        List<String> torn = new ArrayList<>();
        kernel.spawn("d" + g.domid() + "/frontend", () -> {
            for (int i = 0; i < n; i++) {
                refs.add(c.permitForeignAccess(0, 0x1000 + i, (i & 1) == 1));
            }
            done[0] = true;
        });
        kernel.spawn("xen/observer", () -> {
            while (!done[0]) {
                for (int ref = GnttabClient.FIRST_FREE_REF; ref < GnttabClient.FIRST_FREE_REF + n; ref++) {
                    GrantEntryV1 e = d.grantTable().entry(ref);
                    if (e.permitsAccess() && (e.domid() != 0 || e.frame() != 0x1000 + ref - GnttabClient.FIRST_FREE_REF)) {
                        torn.add("ref " + ref + ": " + e);
                    }
                }
                kernel.preemptionPoint();
                kernel.yieldNow();
            }
        });
        kernel.runUntilIdle(Duration.ofSeconds(10));
        assertThat(torn).isEmpty();
        assertThat(refs).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(d.grantTable().entry(refs.get(i))).isEqualTo(new GrantEntryV1(
                    Gtf.PERMIT_ACCESS | ((i & 1) == 1 ? Gtf.READONLY : 0), 0, 0x1000 + i));
        }
        refs.forEach(c::revokeForeignAccess);
    }

    @XenpvTest
    @Checks(id = "XENBUS-5", ref = REF)
    @DisplayName("Revoke is refused while the backend maps the ref: error after 100 tries, entry untouched, ref leaked" + " (" + REF + ")")
    void revokeBlockedWhileInUse(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("guest");
        Domain d = platform.domain(g.domid());
        GnttabClient c = gnttab(platform, d);
        for (boolean readOnly : new boolean[] {true, false}) {
            int ref = c.permitForeignAccess(0, 0x77, readOnly);
            GrantMapping m = platform.dom0().grants().map(g.domid(), ref, readOnly);
            GrantEntryV1 mapped = d.grantTable().entry(ref);
            assertThat(mapped.flags() & (Gtf.READING | Gtf.WRITING)).isNotZero();
            assertThatThrownBy(() -> c.revokeForeignAccess(ref)).isInstanceOf(GnttabException.class)
                    .hasMessageContaining("grant ref " + ref);
            assertThat(d.grantTable().entry(ref)).isEqualTo(mapped);
            assertThat(c.leakedRefs().get(ref)).isTrue();
            platform.dom0().grants().unmap(m);
            c.revokeForeignAccess(ref);
            assertThat(d.grantTable().entry(ref)).isEqualTo(new GrantEntryV1(0, 0, 0));
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-5", ref = REF)
    @DisplayName("Refs below 32 are never handed out, even when the table grows; entries 2-31 stay untouched" + " (" + REF + ")")
    void reservedRefsNeverUsed(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("guest");
        Domain d = platform.domain(g.domid());
        GnttabClient c = gnttab(platform, d);
        List<Integer> refs = new ArrayList<>();
        for (int i = 0; i < 3 * GrantEntryV1.PER_FRAME; i++) {
            refs.add(c.permitForeignAccess(0, i, false));
        }
        assertThat(refs).allMatch(r -> r >= 32).doesNotHaveDuplicates();
        assertThat(c.frameCount()).isEqualTo(4);
        for (int ref = 2; ref < 32; ref++) {
            assertThat(d.grantTable().entry(ref)).as("ref %d", ref).isEqualTo(new GrantEntryV1(0, 0, 0));
        }
        refs.forEach(c::revokeForeignAccess);
    }

    @XenpvTest
    @Checks(id = "XENBUS-5", ref = REF)
    @DisplayName("The store and console ring gfns are read from grant entries 1 and 0, not from the HVM params" + " (" + REF + ")")
    void ringGfnsFromGrantEntries(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("guest");
        Domain d = platform.domain(g.domid());
        d.setHvmParam(HvmParam.STORE_PFN, 0x1234);
        d.setHvmParam(HvmParam.CONSOLE_PFN, 0x5678);
        GnttabClient c = gnttab(platform, d);
        assertThat(c.storeRingGfn()).isEqualTo(g.storeGfn());
        assertThat(c.consoleRingGfn()).isEqualTo(g.consoleGfn());
        assertThat(g.storeGfn()).isNotEqualTo(g.consoleGfn());
    }
}
