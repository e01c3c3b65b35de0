package org.xenpv.core.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ReadOnlyBufferException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.xenpv.core.log.Event;
import org.xenpv.core.mem.Page;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.LeakCheck;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Kernel;

/** Grant tables v1: the entry bytes, permit/revoke on the guest side, map/unmap with every GNTST failure. */
class GrantTableTest {

    private static final long GFN = 0x42;

    private final Kernel kernel = Kernel.deterministic(6);
    private final Platform platform = new Platform(kernel);
    private final Domain dom0 = platform.dom0();
    private final Domain guest = platform.createDomain("guest");
    private final GrantTable table = guest.grantTable();

    @AfterEach
    void close() {
        kernel.close();
    }

    private static GrantException assertStatus(int status, Executable call) {
        GrantException e = org.junit.jupiter.api.Assertions.assertThrows(GrantException.class, call);
        assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
        return e;
    }

    private int flags(int ref) {
        return table.entry(ref).flags();
    }

    @Test
    void permitWritesAByteExactGrantEntryV1() {
        table.permit(40, 0, 0x12345, true);
        Page frame = table.frame(0);
        int off = 40 * 8;
        assertThat(frame.getShort(off)).isEqualTo((short) (Gtf.PERMIT_ACCESS | Gtf.READONLY));
        assertThat(frame.getShort(off + 2)).isEqualTo((short) 0);
        assertThat(frame.getInt(off + 4)).isEqualTo(0x12345);
        table.permit(41, 7, 0xFFFF_FFFFL, false);
        assertThat(frame.getShort(off + 8)).isEqualTo((short) Gtf.PERMIT_ACCESS);
        assertThat(frame.getShort(off + 10)).isEqualTo((short) 7);
        assertThat(frame.getInt(off + 12)).isEqualTo(-1);
        assertThat(table.entry(41)).isEqualTo(new GrantEntryV1(Gtf.PERMIT_ACCESS, 7, 0xFFFF_FFFFL));
        assertThat(kernel.log().entries()).extracting(e -> e.event())
                .contains(new Event.GrantPermit(guest.domid(), 40, 0, 0x12345, true));
        table.revoke(40);
        table.revoke(41);
    }

    @Test
    void permitRefusesBusyEntriesRefsBeyondTheTableAndFramesBeyondU32() {
        table.permit(10, 0, GFN, false);
        assertThatThrownBy(() -> table.permit(10, 0, GFN, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("d1: grant ref 10 is not free");
        assertThatThrownBy(() -> table.permit(GrantEntryV1.PER_FRAME, 0, GFN, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grant ref 512 beyond the table");
        assertThatThrownBy(() -> table.permit(11, 0, 1L << 32, false)).isInstanceOf(IllegalArgumentException.class);
        table.revoke(10);
    }

    @Test
    void mapSharesTheFrameAndMarksTheEntryInUse() {
        guest.memory().page(GFN).putInt(0, 0xCAFE);
        table.permit(8, 0, GFN, false);
        GrantMapping m = dom0.grants().map(guest.domid(), 8, false);
        assertThat(m.page().getInt(0)).isEqualTo(0xCAFE);
        m.page().putInt(4, 0xBEEF);
        assertThat(guest.memory().page(GFN).getInt(4)).isEqualTo(0xBEEF);
        assertThat(m.page().sameFrame(guest.memory().page(GFN))).isTrue();
        assertThat(flags(8)).isEqualTo(Gtf.PERMIT_ACCESS | Gtf.READING | Gtf.WRITING);
        assertThat(table.inUse(8)).isTrue();
        assertThat(table.pins(8)).isEqualTo(new GrantTable.Pins(0, 1, 0));
        assertThat(m.gfn()).isEqualTo(GFN);
        dom0.grants().unmap(m);
        assertThat(flags(8)).isEqualTo(Gtf.PERMIT_ACCESS);
        assertThat(table.pinnedRefs()).isZero();
        assertThat(table.revoke(8)).isTrue();
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void aReadOnlyMappingRefusesWritesAndSetsOnlyReading() {
        table.permit(8, 0, GFN, true);
        GrantMapping m = dom0.grants().map(guest.domid(), 8, true);
        assertThat(m.page().readOnly()).isTrue();
        assertThatThrownBy(() -> m.page().putInt(0, 1)).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(flags(8)).isEqualTo(Gtf.PERMIT_ACCESS | Gtf.READONLY | Gtf.READING);
        dom0.grants().unmap(m);
        table.revoke(8);
    }

    @Test
    void mappingAReadOnlyGrantWritableIsPermissionDenied() {
        table.permit(8, 0, GFN, true);
        GrantException e = assertStatus(GntSt.PERMISSION_DENIED, () -> dom0.grants().map(guest.domid(), 8, false));
        assertThat(e.getMessage()).contains("GNTTABOP_map_grant_ref by d0 on d1 ref 8", "GNTST_permission_denied",
                "GTF_readonly");
        assertThat(flags(8)).isEqualTo(Gtf.PERMIT_ACCESS | Gtf.READONLY);
        assertThat(kernel.log().entries().getLast().event())
                .isEqualTo(new Event.GrantMap(0, guest.domid(), 8, false, -1, GntSt.PERMISSION_DENIED));
        table.revoke(8);
    }

    @Test
    void readOnlyAndWritablePinsAreCountedAndFlagsClearedAsEachKindEnds() {
        table.permit(8, 0, GFN, false);
        GrantMapping ro = dom0.grants().map(guest.domid(), 8, true);
        assertThat(flags(8)).isEqualTo(Gtf.PERMIT_ACCESS | Gtf.READING);
        GrantMapping rw = dom0.grants().map(guest.domid(), 8, false);
        GrantMapping rw2 = dom0.grants().map(guest.domid(), 8, false);
        assertThat(table.pins(8)).isEqualTo(new GrantTable.Pins(1, 2, 0));
        assertThat(flags(8)).isEqualTo(Gtf.PERMIT_ACCESS | Gtf.READING | Gtf.WRITING);
        dom0.grants().unmap(rw);
        assertThat(flags(8)).isEqualTo(Gtf.PERMIT_ACCESS | Gtf.READING | Gtf.WRITING);
        dom0.grants().unmap(rw2);
        assertThat(flags(8)).isEqualTo(Gtf.PERMIT_ACCESS | Gtf.READING);
        assertThat(table.revoke(8)).isFalse();
        dom0.grants().unmap(ro);
        assertThat(flags(8)).isEqualTo(Gtf.PERMIT_ACCESS);
        assertThat(table.revoke(8)).isTrue();
    }

    @Test
    void revokeWhileMappedIsRefusedAndLeavesTheMappingIntact() {
        table.permit(8, 0, GFN, false);
        GrantMapping m = dom0.grants().map(guest.domid(), 8, false);
        assertThat(table.revoke(8)).isFalse();
        assertThat(table.entry(8)).isEqualTo(new GrantEntryV1(Gtf.PERMIT_ACCESS | Gtf.READING | Gtf.WRITING, 0, GFN));
        assertThat(kernel.log().entries().getLast().event()).isEqualTo(new Event.GrantRevoke(guest.domid(), 8, false));
        m.page().putInt(0, 7);
        assertThat(guest.memory().page(GFN).getInt(0)).isEqualTo(7);
        dom0.grants().unmap(m);
        assertThat(table.revoke(8)).isTrue();
        assertThat(table.entry(8)).isEqualTo(new GrantEntryV1(0, 0, 0));
    }

    @Test
    void mapAfterRevokeAndMapByTheWrongDomainAreGeneralErrors() {
        table.permit(8, 0, GFN, false);
        table.revoke(8);
        GrantException after = assertStatus(GntSt.GENERAL_ERROR, () -> dom0.grants().map(guest.domid(), 8, false));
        assertThat(after.getMessage()).contains("not permitted");
        Domain other = platform.createDomain("other");
        table.permit(9, 0, GFN, false);
        GrantException wrong = assertStatus(GntSt.GENERAL_ERROR, () -> other.grants().map(guest.domid(), 9, false));
        assertThat(wrong.getMessage()).contains("entry grants d0, not d2");
        assertThat(flags(9)).isEqualTo(Gtf.PERMIT_ACCESS);
        table.revoke(9);
        platform.destroyDomain(other.domid());
    }

    @Test
    void badDomainBadRefAndBadPage() {
        assertStatus(GntSt.BAD_DOMAIN, () -> dom0.grants().map(99, 8, false));
        assertStatus(GntSt.BAD_GNTREF, () -> dom0.grants().map(guest.domid(), GrantEntryV1.PER_FRAME, false));
        assertStatus(GntSt.BAD_GNTREF, () -> dom0.grants().map(guest.domid(), -1, false));
        Domain tiny = platform.createDomain(DomainConfig.guest("tiny").withMemoryPages(16));
        tiny.grantTable().permit(8, 0, 16, false); // one past its RAM
        assertStatus(GntSt.BAD_PAGE, () -> dom0.grants().map(tiny.domid(), 8, false));
        // The failed pin left no in-use flags behind, so the guest can take the grant back.
        assertThat(tiny.grantTable().entry(8).flags()).isEqualTo(Gtf.PERMIT_ACCESS);
        assertThat(tiny.grantTable().revoke(8)).isTrue();
        assertThat(dom0.grants().mappingCount()).isZero();
        platform.destroyDomain(tiny.domid());
    }

    @Test
    void aRefPinnedByOneDomainCannotBePinnedByAnotherEvenIfTheGuestRewritesTheEntry() {
        Domain other = platform.createDomain("other");
        table.permit(8, 0, GFN, false);
        GrantMapping m = dom0.grants().map(guest.domid(), 8, false);
        // A hostile guest rewrites the domid under the live mapping.
        table.frame(0).putShort(8 * 8 + GrantEntryV1.DOMID, (short) other.domid());
        GrantException e = assertStatus(GntSt.GENERAL_ERROR, () -> other.grants().map(guest.domid(), 8, true));
        assertThat(e.getMessage()).contains("already pinned by d0");
        dom0.grants().unmap(m);
        platform.destroyDomain(other.domid());
    }

    @Test
    void unmapFailuresBadHandleAndStaleMappings() {
        table.permit(8, 0, GFN, false);
        GrantMapping first = dom0.grants().map(guest.domid(), 8, false);
        assertThat(first.handle()).isZero();
        dom0.grants().unmap(first);
        GrantException twice = assertStatus(GntSt.BAD_HANDLE, () -> dom0.grants().unmap(first));
        assertThat(twice.getMessage()).contains("handle 0", "unmapped twice");
        assertThat(dom0.grants().unmap(12345)).isEqualTo(GntSt.BAD_HANDLE);
        // The handle is reused lowest-first; the stale object must not unmap the new mapping.
        GrantMapping second = dom0.grants().map(guest.domid(), 8, false);
        assertThat(second.handle()).isEqualTo(first.handle());
        assertStatus(GntSt.BAD_VIRT_ADDR, () -> dom0.grants().unmap(first));
        assertThat(table.inUse(8)).isTrue();
        assertThat(dom0.grants().unmap(second.handle())).isEqualTo(GntSt.OKAY);
        table.revoke(8);
    }

    @Test
    void runningOutOfMaptrackHandlesIsNoSpace() {
        Domain backend = platform.createDomain(DomainConfig.guest("driver-domain").withMaxMaptrackHandles(2));
        table.permit(8, backend.domid(), GFN, false);
        GrantMapping a = backend.grants().map(guest.domid(), 8, true);
        GrantMapping b = backend.grants().map(guest.domid(), 8, true);
        assertStatus(GntSt.NO_SPACE, () -> backend.grants().map(guest.domid(), 8, true));
        assertThat(table.pins(8).readOnly()).isEqualTo(2);
        backend.grants().unmap(a);
        backend.grants().unmap(b);
        table.revoke(8);
        platform.destroyDomain(backend.domid());
    }

    @Test
    void multiPageMapIsAllOrNothing() {
        table.permit(8, 0, GFN, false);
        table.permit(9, 0, GFN + 1, false);
        List<GrantMapping> ring = dom0.grants().map(guest.domid(), new int[] {8, 9}, false);
        assertThat(ring).extracting(GrantMapping::ref).containsExactly(8, 9);
        ring.forEach(dom0.grants()::unmap);
        assertStatus(GntSt.GENERAL_ERROR, () -> dom0.grants().map(guest.domid(), new int[] {8, 9, 10}, false));
        assertThat(dom0.grants().mappingCount()).isZero();
        assertThat(table.inUse(8)).isFalse();
        table.revoke(8);
        table.revoke(9);
    }

    @Test
    void theTableGrowsUpToItsMaximumFrames() {
        assertThat(table.nrFrames()).isEqualTo(GrantTable.INITIAL_FRAMES);
        assertThat(table.maxFrames()).isEqualTo(GrantTable.DEFAULT_MAX_FRAMES);
        assertThat(table.setupTable(4)).isEqualTo(GntSt.OKAY);
        assertThat(table.capacity()).isEqualTo(4 * 512);
        assertThat(table.setupTable(GrantTable.DEFAULT_MAX_FRAMES + 1)).isEqualTo(GntSt.GENERAL_ERROR);
        assertThat(table.setupTable(2)).isEqualTo(GntSt.OKAY);
        assertThat(table.nrFrames()).isEqualTo(4);
        table.permit(2000, 0, GFN, false);
        assertThat(table.frame(3).getInt((2000 - 3 * 512) * 8 + 4)).isEqualTo((int) GFN);
        GrantMapping m = dom0.grants().map(guest.domid(), 2000, false);
        dom0.grants().unmap(m);
        table.revoke(2000);
        Domain small = platform.createDomain(DomainConfig.guest("small").withMaxGrantFrames(2));
        assertThat(small.grantTable().grow(3)).isFalse();
        platform.destroyDomain(small.domid());
    }

    @Test
    void grantFramesMappedIntoThePhysmapAreTheTableItself() {
        long hole = 0xF0000;
        Page f1 = guest.mapGrantFrame(1, hole + 1);
        assertThat(table.nrFrames()).isEqualTo(2);
        // What the guest writes through its mapping of frame 1 is entry 512+.
        Page viaGuest = guest.memory().page(hole + 1);
        assertThat(viaGuest).isSameAs(f1);
        viaGuest.putShort(4 * 8 + 2, (short) 0);
        viaGuest.putInt(4 * 8 + 4, (int) GFN);
        viaGuest.putShort(4 * 8, (short) Gtf.PERMIT_ACCESS);
        GrantMapping m = dom0.grants().map(guest.domid(), 512 + 4, false);
        assertThat(m.gfn()).isEqualTo(GFN);
        dom0.grants().unmap(m);
        // Remapping moves the frame.
        guest.mapGrantFrame(1, hole + 5);
        assertThat(guest.memory().lookup(hole + 1)).isNull();
        assertThat(guest.memory().page(hole + 5)).isSameAs(f1);
        assertThatThrownBy(() -> guest.mapGrantFrame(64, hole + 9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-EINVAL");
        table.revoke(512 + 4);
    }
}
