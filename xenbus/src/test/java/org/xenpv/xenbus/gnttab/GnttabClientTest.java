package org.xenpv.xenbus.gnttab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.grant.GrantEntryV1;
import org.xenpv.core.grant.GrantMapping;
import org.xenpv.core.grant.Gtf;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.LeakCheck;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenbus.memory.GuestFrames;

class GnttabClientTest {

    private final Kernel kernel = Kernel.deterministic(5);
    private final Platform platform = new Platform(kernel);

    @AfterEach
    void close() {
        kernel.close();
    }

    private GnttabClient client(Domain d) {
        GnttabClient c = new GnttabClient(Vm.of(platform, d), new GuestFrames(Vm.of(platform, d)));
        c.acquire();
        return c;
    }

    @Test
    void refsStartAt32AndTheTableGrowsFrameByFrame() {
        Domain g = platform.createDomain("guest");
        GnttabClient c = client(g);
        assertThat(c.frameCount()).isEqualTo(1);
        int first = c.permitForeignAccess(0, 0x100, true);
        assertThat(first).isEqualTo(GnttabClient.FIRST_FREE_REF);
        for (int i = first + 1; i < GrantEntryV1.PER_FRAME; i++) {
            assertThat(c.permitForeignAccess(0, 0x100 + i, false)).isEqualTo(i);
        }
        assertThat(c.frameCount()).isEqualTo(1);
        int next = c.permitForeignAccess(0, 0x999, false);
        assertThat(next).isEqualTo(GrantEntryV1.PER_FRAME);
        assertThat(c.frameCount()).isEqualTo(2);
        assertThat(g.grantTable().entry(next)).isEqualTo(new GrantEntryV1(Gtf.PERMIT_ACCESS, 0, 0x999));
        assertThat(g.grantTable().entry(first)).isEqualTo(new GrantEntryV1(Gtf.PERMIT_ACCESS | Gtf.READONLY, 0, 0x100));
        for (int ref = first; ref <= next; ref++) {
            c.revokeForeignAccess(ref);
        }
        assertThat(g.grantTable().permittedRefs()).isEmpty();
        assertThat(c.permitForeignAccess(0, 1, false)).as("lowest free ref reused").isEqualTo(first);
        c.revokeForeignAccess(first);
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void aFullTableIsAnErrorNamingTheLimit() {
        Domain g = platform.createDomain(DomainConfig.guest("small").withMaxGrantFrames(1));
        GnttabClient c = client(g);
        for (int i = GnttabClient.FIRST_FREE_REF; i < GrantEntryV1.PER_FRAME; i++) {
            c.permitForeignAccess(0, i, false);
        }
        assertThatThrownBy(() -> c.permitForeignAccess(0, 1, false)).isInstanceOf(GnttabException.class)
                .hasMessageContaining("max_grant_frames 1");
    }

    @Test
    void revokeOfAMappedRefFailsAfter100TriesAndLeaksTheRefWithoutTouchingTheEntry() {
        Domain g = platform.createDomain("guest");
        GnttabClient c = client(g);
        int ref = c.permitForeignAccess(0, 0x42, false);
        GrantMapping m = platform.dom0().grants().map(g.domid(), ref, false);
        GrantEntryV1 before = g.grantTable().entry(ref);
        assertThat(before.flags() & Gtf.WRITING).isNotZero();
        assertThatThrownBy(() -> c.revokeForeignAccess(ref)).isInstanceOf(GnttabException.class)
                .hasMessageContaining("grant ref " + ref).hasMessageContaining("after 100 revoke attempts");
        assertThat(g.grantTable().entry(ref)).isEqualTo(before);
        assertThat(c.leakedRefs().get(ref)).isTrue();
        assertThat(c.permitForeignAccess(0, 0x43, false)).as("a leaked ref is never handed out again").isNotEqualTo(ref);
        platform.dom0().grants().unmap(m);
        c.revokeForeignAccess(ref);
        assertThat(c.leakedRefs().isEmpty()).isTrue();
        c.revokeForeignAccess(ref + 1);
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void ringGfnsComeFromGrantEntriesOneAndZero() {
        Domain g = platform.createDomain("guest");
        g.grantTable().permit(0, 0, 0xfeffc, false);
        g.grantTable().permit(1, 0, 0xfeffd, false);
        GnttabClient c = client(g);
        assertThat(c.storeRingGfn()).isEqualTo(0xfeffd);
        assertThat(c.consoleRingGfn()).isEqualTo(0xfeffc);
        Domain bare = platform.createDomain("bare");
        GnttabClient b = client(bare);
        assertThatThrownBy(b::storeRingGfn).isInstanceOf(GnttabException.class)
                .hasMessageContaining("grant entry 1 (store ring) was not seeded");
    }

    @Test
    void resumeReaddsFramesAtTheSameGfnsAndEntriesSurvive() {
        Domain g = platform.createDomain("guest");
        GnttabClient c = client(g);
        int ref = c.permitForeignAccess(0, 7, true);
        c.resumeEarly();
        assertThat(c.entry(ref)).isEqualTo(new GrantEntryV1(Gtf.PERMIT_ACCESS | Gtf.READONLY, 0, 7));
        c.revokeForeignAccess(ref);
    }
}
