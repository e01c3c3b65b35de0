package org.xenpv.xenbus.iface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.xenbus.enumeration.PdoIds;

class PdoRevisionTest {

    @Test
    void theTableHasTheRevisionsThePdoAdvertisesAndTheirTuples() {
        assertThat(PdoRevision.numbers()).isEqualTo(PdoIds.REVISIONS);
        assertThat(PdoRevision.of(0x09000008).versions()).containsExactly(1, 3, 9, 1, 2, 1, 2, 4, 1, 1, 2);
        assertThat(PdoRevision.of(0x0900000A).versionOf(XenbusInterfaces.UNPLUG)).isEqualTo(2);
        assertThat(PdoRevision.newest().hex()).isEqualTo("0900000C");
        for (InterfaceSpec s : XenbusInterfaces.ALL) {
            assertThat(PdoRevision.newest().versionOf(s)).as(s.name()).isEqualTo(s.versionMax());
        }
        assertThatThrownBy(() -> PdoRevision.of(0x09000007)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("09000007").hasMessageContaining("0900000C");
    }

    @Test
    void validationCatchesOutOfRangeVersionsAndAStaleNewestRow() {
        List<InterfaceSpec> specs = XenbusInterfaces.ALL;
        PdoRevision bad = new PdoRevision(0x0900000D, 1, 5, 9, 1, 2, 1, 2, 4, 3, 1, 3);
        assertThatThrownBy(() -> PdoRevision.validate(List.of(bad), specs)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0900000D asks for SHARED_INFO version 5 outside its range 2..4");
        PdoRevision stale = new PdoRevision(0x0900000D, 1, 4, 8, 1, 2, 1, 2, 4, 3, 1, 3);
        assertThatThrownBy(() -> PdoRevision.validate(List.of(stale), specs))
                .hasMessageContaining("EVTCHN version 8, not its newest 9");
        PdoRevision noConsole = new PdoRevision(0x09000001, 1, 2, 5, 1, 2, 1, 1, 2, 1, 0, 1);
        PdoRevision.validate(List.of(noConsole, PdoRevision.newest()), specs);
        assertThatThrownBy(() -> PdoRevision.validate(List.of(PdoRevision.newest(), noConsole), specs))
                .hasMessageContaining("does not follow");
    }

    @Test
    void aChildBoundToARevisionGetsItsVersions() {
        InterfaceRegistry r = new InterfaceRegistry("d1 XENBUS");
        r.publish(XenbusInterfaces.SHARED_INFO, "si");
        r.publish(XenbusInterfaces.UNPLUG, "unplug");
        PdoRevision old = PdoRevision.of(0x09000008);
        assertThat(r.query(old, XenbusInterfaces.SHARED_INFO, String.class, "xeniface").version()).isEqualTo(3);
        assertThat(r.query(PdoRevision.newest(), XenbusInterfaces.UNPLUG, String.class, "xenvbd").version()).isEqualTo(3);
        assertThatThrownBy(() -> r.query(old, XenbusInterfaces.EVTCHN, String.class, "xenvif"))
                .isInstanceOf(InterfaceNotSupportedException.class).hasMessageContaining("no interface EVTCHN");
    }
}
