package org.xenpv.core.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.log.Event;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.LeakCheck;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Kernel;

/** {@code GNTTABOP_copy}: the data move, each end by grant ref or local gfn, and every per-op status. */
class GrantCopyTest {

    private static final long GUEST_GFN = 0x30;
    private static final long DOM0_GFN = 0x90;

    private final Kernel kernel = Kernel.deterministic(7);
    private final Platform platform = new Platform(kernel);
    private final Domain dom0 = platform.dom0();
    private final Domain guest = platform.createDomain("guest");

    @AfterEach
    void close() {
        kernel.close();
    }

    private static GrantCopy.Ptr ref(Domain d, int ref, int off) {
        return GrantCopy.Ptr.ref(d.domid(), ref, off);
    }

    private static GrantCopy.Ptr local(long gfn, int off) {
        return GrantCopy.Ptr.local(gfn, off);
    }

    @Test
    void copyFromAGrantIntoLocalMemoryAndBack() {
        byte[] data = "netfront tx payload".getBytes();
        guest.memory().write(GUEST_GFN * 4096 + 100, data);
        guest.grantTable().permit(8, 0, GUEST_GFN, true);
        guest.grantTable().permit(9, 0, GUEST_GFN + 1, false);
        assertThat(dom0.grants().copy(new GrantCopy(ref(guest, 8, 100), local(DOM0_GFN, 10), data.length)))
                .isEqualTo(GntSt.OKAY);
        assertThat(dom0.memory().read(DOM0_GFN * 4096 + 10, data.length)).isEqualTo(data);
        assertThat(dom0.grants().copy(new GrantCopy(local(DOM0_GFN, 10), ref(guest, 9, 4000), 19 + 77)))
                .isEqualTo(GntSt.OKAY);
        assertThat(guest.memory().read((GUEST_GFN + 1) * 4096 + 4000, data.length)).isEqualTo(data);
        // The pins were temporary: nothing is in use afterwards.
        assertThat(guest.grantTable().entry(8).flags()).isEqualTo(Gtf.PERMIT_ACCESS | Gtf.READONLY);
        assertThat(guest.grantTable().entry(9).flags()).isEqualTo(Gtf.PERMIT_ACCESS);
        assertThat(kernel.log().entries().getLast().event())
                .isEqualTo(new Event.GrantCopy(0, "DOMID_SELF gfn 0x90 +10", "d1 ref 9 +4000", 96, GntSt.OKAY));
        guest.grantTable().revoke(8);
        guest.grantTable().revoke(9);
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void grantToGrantCopyBetweenTwoGuests() {
        Domain other = platform.createDomain("other");
        guest.memory().write(GUEST_GFN * 4096, new byte[] {1, 2, 3, 4});
        guest.grantTable().permit(8, 0, GUEST_GFN, true);
        other.grantTable().permit(8, 0, 0x10, false);
        assertThat(dom0.grants().copy(new GrantCopy(ref(guest, 8, 0), ref(other, 8, 2), 4))).isEqualTo(GntSt.OKAY);
        assertThat(other.memory().read(0x10 * 4096 + 2, 4)).containsExactly(1, 2, 3, 4);
        guest.grantTable().revoke(8);
        other.grantTable().revoke(8);
        platform.destroyDomain(other.domid());
    }

    @Test
    void everyFailureHasItsOwnStatusInABatch() {
        Domain tiny = platform.createDomain(DomainConfig.guest("tiny").withMemoryPages(4));
        guest.grantTable().permit(8, 0, GUEST_GFN, true); // read-only
        guest.grantTable().permit(9, 0, GUEST_GFN, false);
        guest.grantTable().permit(10, 5, GUEST_GFN, false); // for someone else
        tiny.grantTable().permit(8, 0, 4, false); // beyond tiny's RAM
        List<GrantCopy> ops = List.of(
                new GrantCopy(ref(guest, 9, 0), local(DOM0_GFN, 0), 4096),            // ok
                new GrantCopy(ref(guest, 9, 1), local(DOM0_GFN, 0), 4096),            // beyond the page
                new GrantCopy(ref(guest, 9, 0), local(DOM0_GFN, 4000), 200),          // beyond the page
                new GrantCopy(GrantCopy.Ptr.ref(42, 1, 0), local(DOM0_GFN, 0), 8),    // no such domain
                new GrantCopy(GrantCopy.Ptr.gfn(guest.domid(), GUEST_GFN, 0), local(DOM0_GFN, 0), 8), // foreign gfn
                new GrantCopy(ref(guest, 4096, 0), local(DOM0_GFN, 0), 8),            // ref beyond the table
                new GrantCopy(ref(guest, 11, 0), local(DOM0_GFN, 0), 8),              // not permitted
                new GrantCopy(ref(guest, 10, 0), local(DOM0_GFN, 0), 8),              // permitted to d5
                new GrantCopy(local(DOM0_GFN, 0), ref(guest, 8, 0), 8),               // write to a r/o grant
                new GrantCopy(ref(tiny, 8, 0), local(DOM0_GFN, 0), 8),                // frame not memory
                new GrantCopy(ref(guest, 9, 0), local(1L << 40, 0), 8),               // local gfn not memory
                new GrantCopy(ref(guest, 9, 0), local(DOM0_GFN, 0), -1));             // negative length
        int[] status = dom0.grants().copy(ops);
        assertThat(status).containsExactly(GntSt.OKAY, GntSt.BAD_COPY_ARG, GntSt.BAD_COPY_ARG, GntSt.BAD_DOMAIN,
                GntSt.PERMISSION_DENIED, GntSt.BAD_GNTREF, GntSt.GENERAL_ERROR, GntSt.GENERAL_ERROR,
                GntSt.PERMISSION_DENIED, GntSt.BAD_PAGE, GntSt.BAD_PAGE, GntSt.BAD_COPY_ARG);
        // No failure left a pin or an in-use flag behind.
        for (int ref = 8; ref <= 10; ref++) {
            assertThat(guest.grantTable().entry(ref).inUse()).as("ref " + ref).isFalse();
        }
        assertThat(guest.grantTable().pinnedRefs()).isZero();
        assertThat(tiny.grantTable().entry(8).inUse()).isFalse();
        org.junit.jupiter.api.Assertions.assertThrows(GrantException.class,
                () -> dom0.grants().copyOrThrow(ops.get(1)));
        for (int ref = 8; ref <= 10; ref++) {
            guest.grantTable().revoke(ref);
        }
        platform.destroyDomain(tiny.domid());
    }

    @Test
    void aCopyUsesTheMappersOwnPinWhenItAlsoMapsTheRef() {
        guest.grantTable().permit(8, 0, GUEST_GFN, false);
        GrantMapping m = dom0.grants().map(guest.domid(), 8, true);
        assertThat(dom0.grants().copy(new GrantCopy(local(DOM0_GFN, 0), ref(guest, 8, 0), 16))).isEqualTo(GntSt.OKAY);
        assertThat(guest.grantTable().pins(8)).isEqualTo(new GrantTable.Pins(1, 0, 0));
        assertThat(guest.grantTable().entry(8).flags()).isEqualTo(Gtf.PERMIT_ACCESS | Gtf.READING);
        dom0.grants().unmap(m);
        guest.grantTable().revoke(8);
    }
}
