package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.console.ConsoleBackend;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.console.Console;
import org.xenpv.xenbus.debug.Debug;
import org.xenpv.xenbus.enumeration.PdoIds;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.gnttab.GnttabClient;
import org.xenpv.xenbus.iface.InterfaceNotSupportedException;
import org.xenpv.xenbus.iface.InterfaceReference;
import org.xenpv.xenbus.iface.InterfaceRegistry;
import org.xenpv.xenbus.iface.InterfaceSpec;
import org.xenpv.xenbus.iface.PdoRevision;
import org.xenpv.xenbus.iface.XenbusInterfaces;
import org.xenpv.xenbus.log.XenbusLog;
import org.xenpv.xenbus.memory.GuestFrames;
import org.xenpv.xenbus.sharedinfo.SharedInfoTime;

/** XENBUS interface versioning: query by name and version, Acquire/Release, PDO revisions (windows-pv-drivers.md §1.7). */
@Tag("xenbus")
@Tag("iface")
class XenbusInterfaceConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.7";

    /** A guest's XENBUS with the interfaces this project implements published on its bus. */
    private record Bus(InterfaceRegistry registry, EvtchnClient evtchn, GnttabClient gnttab, SharedInfoTime sharedInfo,
                       Debug debug, Console console) {
        static Bus of(Kernel kernel, Domain d) {
            GuestFrames frames = new GuestFrames(Vm.of(d));
            EvtchnClient evtchn = new EvtchnClient(frames.vm(), frames, EvtchnClient.Options.DEFAULT);
            evtchn.acquire();
            GnttabClient gnttab = new GnttabClient(frames.vm(), frames);
            gnttab.acquire();
            SharedInfoTime si = new SharedInfoTime(frames.vm(), frames, SharedInfoTime.Options.DEFAULT);
            si.acquire();
            Debug debug = new Debug(evtchn.vm(), evtchn, new XenbusLog("d" + d.domid() + " XENBUS"));
            Console console = new Console(evtchn.vm(), evtchn, gnttab, debug);
            InterfaceRegistry r = new InterfaceRegistry("d" + d.domid() + " XENBUS");
            r.publish(XenbusInterfaces.EVTCHN, evtchn);
            r.publish(XenbusInterfaces.GNTTAB, gnttab);
            r.publish(XenbusInterfaces.SHARED_INFO, si);
            r.publish(XenbusInterfaces.DEBUG, debug);
            r.publish(XenbusInterfaces.CONSOLE, console);
            return new Bus(r, evtchn, gnttab, si, debug, console);
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-IFACE-1", ref = REF)
    @DisplayName("Interfaces are queried by name and version; a version outside MIN..MAX fails with STATUS_NOT_SUPPORTED naming the interface and range" + " (" + REF + ")")
    void versionRangesAreEnforced(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("bus");
        Bus bus = Bus.of(kernel, platform.domain(g.domid()));
        for (InterfaceSpec s : bus.registry().published()) {
            for (int v = s.versionMin(); v <= s.versionMax(); v++) {
                assertThat(bus.registry().query(s.name(), v, Object.class, "xenvif").version()).isEqualTo(v);
            }
            for (int v : new int[] {s.versionMin() - 1, s.versionMax() + 1}) {
                assertThatThrownBy(() -> bus.registry().query(s.name(), v, Object.class, "xenvif"))
                        .isInstanceOf(InterfaceNotSupportedException.class)
                        .hasMessageContaining(s.name() + " version " + v)
                        .hasMessageContaining("implements versions " + s.range())
                        .hasMessageContaining("STATUS_NOT_SUPPORTED");
            }
        }
        assertThat(bus.registry().published()).extracting(InterfaceSpec::toString)
                .containsExactly("EVTCHN 5..9", "GNTTAB 2..4", "SHARED_INFO 2..4", "DEBUG 1", "CONSOLE 1");
        assertThatThrownBy(() -> bus.registry().query("STORE", 2, Object.class, "xenvbd"))
                .isInstanceOf(InterfaceNotSupportedException.class).hasMessageContaining("no interface STORE");
        bus.evtchn().close();
    }

    @XenpvTest
    @Checks(id = "XENBUS-IFACE-2", ref = REF)
    @DisplayName("A child bound to a PDO revision gets that revision's versions; Acquire/Release are ref-counted and a leak names what is still acquired" + " (" + REF + ")")
    void revisionBoundChildAcquiresAndReleases(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("bus");
        Bus bus = Bus.of(kernel, platform.domain(g.domid()));
        ConsoleBackend backend = ConsoleBackend.of(platform, g);
        PdoRevision rev = PdoRevision.of(0x09000008); // an old XENCONS bound to REV_09000008
        InterfaceReference<SharedInfoTime> si = bus.registry().query(rev, XenbusInterfaces.SHARED_INFO,
                SharedInfoTime.class, "xencons");
        InterfaceReference<Console> cons = bus.registry().query(rev, XenbusInterfaces.CONSOLE, Console.class, "xencons");
        InterfaceReference<Console> iface = bus.registry().query(PdoRevision.newest(), XenbusInterfaces.CONSOLE,
                Console.class, "xeniface");
        assertThat(si.version()).isEqualTo(3);
        assertThat(cons.version()).isEqualTo(1);
        assertThatThrownBy(cons::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("without Acquire");
        cons.acquire();
        iface.acquire();
        si.acquire();
        assertThat(cons.get().acquire()).as("the console behind the reference is the real one").isTrue();
        Actor w = kernel.spawn("d" + g.domid() + "/xencons", () -> cons.get().write("hi\r\n".getBytes()));
        kernel.runUntil(() -> w.finished() && backend.output().equals("hi\r\n"), Duration.ofSeconds(5));
        assertThat(si.get().getTime().windowsTime()).isPositive();
        assertThat(bus.registry().references("CONSOLE")).isEqualTo(2);
        cons.release();
        si.release();
        assertThatThrownBy(cons::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CONSOLE v1 released by xencons more often than acquired");
        assertThat(bus.registry().acquired()).extracting(Object::toString).containsExactly("CONSOLE v1 by xeniface x1");
        assertThatThrownBy(bus.registry()::checkNoLeaks).hasMessageContaining("CONSOLE v1 by xeniface x1");
        iface.release();
        bus.registry().checkNoLeaks();
        bus.console().release();
        backend.close();
        bus.evtchn().close();
    }

    @XenpvTest
    @Checks(id = "XENBUS-IFACE-3", ref = REF)
    @DisplayName("PDO revisions 0x09000008-0x0900000C each ask for versions in range, the newest for every newest version, and are the PDO's REV_ hardware IDs" + " (" + REF + ")")
    void revisionTable(Kernel kernel, Platform platform, Toolstack toolstack) {
        assertThat(PdoRevision.numbers()).containsExactly(0x09000008, 0x09000009, 0x0900000A, 0x0900000B, 0x0900000C);
        PdoRevision.validate(PdoRevision.TABLE, XenbusInterfaces.ALL);
        for (InterfaceSpec s : XenbusInterfaces.ALL) {
            assertThat(PdoRevision.newest().versionOf(s)).as(s.name()).isEqualTo(s.versionMax());
        }
        List<String> ids = PdoIds.hardwareIds(PdoIds.DEFAULT_PREFIX, "0001", "VIF", PdoRevision.numbers());
        assertThat(ids).startsWith("XENBUS\\VEN_XP0001&DEV_VIF&REV_0900000C").contains(
                "XENBUS\\VEN_XP0001&DEV_VIF&REV_09000008").endsWith("XENCLASS");
        assertThat(PdoRevision.of(0x0900000B).versions()).containsExactly(1, 4, 9, 1, 2, 1, 2, 4, 3, 1, 2);
        assertThatThrownBy(() -> PdoRevision.validate(List.of(new PdoRevision(0x0900000D, 1, 4, 10, 1, 2, 1, 2, 4, 3, 1, 3)),
                XenbusInterfaces.ALL)).hasMessageContaining("EVTCHN version 10 outside its range 5..9");
    }
}
