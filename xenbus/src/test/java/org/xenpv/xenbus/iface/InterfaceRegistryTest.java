package org.xenpv.xenbus.iface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterfaceRegistryTest {

    /** A provider that records its lifecycle. */
    static final class Probe implements InterfaceLifecycle {
        final List<String> events = new ArrayList<>();

        @Override
        public void interfaceAcquired() {
            events.add("acquired");
        }

        @Override
        public void interfaceReleased() {
            events.add("released");
        }
    }

    @Test
    void everyInterfaceOfTheTableAcceptsExactlyItsVersionRange() {
        InterfaceRegistry r = new InterfaceRegistry("d1 XENBUS");
        for (InterfaceSpec s : XenbusInterfaces.ALL) {
            r.publish(s, new Object());
        }
        for (InterfaceSpec s : XenbusInterfaces.ALL) {
            for (int v = s.versionMin(); v <= s.versionMax(); v++) {
                assertThat(r.query(s.name(), v, Object.class, "child").version()).isEqualTo(v);
            }
            for (int v : new int[] {s.versionMin() - 1, s.versionMax() + 1}) {
                assertThatThrownBy(() -> r.query(s.name(), v, Object.class, "xenvif"))
                        .isInstanceOf(InterfaceNotSupportedException.class)
                        .hasMessageContaining("xenvif asked for " + s.name() + " version " + v)
                        .hasMessageContaining("implements versions " + s.range())
                        .hasMessageContaining("STATUS_NOT_SUPPORTED")
                        .satisfies(e -> assertThat(((InterfaceNotSupportedException) e).status()).isEqualTo(0xC00000BB));
            }
        }
        assertThat(XenbusInterfaces.EVTCHN.range()).isEqualTo("5..9");
        assertThat(XenbusInterfaces.DEBUG.range()).isEqualTo("1");
        assertThatThrownBy(() -> r.query("BALLOON", 1, Object.class, "x"))
                .isInstanceOf(InterfaceNotSupportedException.class).hasMessageContaining("no interface BALLOON");
    }

    @Test
    void theTableIsTheOneOfSection17() {
        assertThat(XenbusInterfaces.ALL).extracting(InterfaceSpec::toString).containsExactly("SUSPEND 1",
                "SHARED_INFO 2..4", "EVTCHN 5..9", "DEBUG 1", "STORE 2", "RANGE_SET 1", "CACHE 1..2", "GNTTAB 2..4",
                "UNPLUG 1..3", "CONSOLE 1", "EMULATED 1..3");
        for (InterfaceSpec s : XenbusInterfaces.ALL) {
            assertThat(java.util.UUID.fromString(s.guid().substring(1, 37)).toString()).isEqualTo(s.guid().substring(1, 37));
        }
    }

    @Test
    void acquireAndReleaseAreCountedAndLeaksListed() {
        InterfaceRegistry r = new InterfaceRegistry("d1 XENBUS");
        Probe probe = new Probe();
        r.publish(XenbusInterfaces.STORE, probe);
        r.publish(XenbusInterfaces.DEBUG, "a debug provider");
        InterfaceReference<Probe> vif = r.query("STORE", 2, Probe.class, "xenvif");
        InterfaceReference<Probe> vbd = r.query(XenbusInterfaces.STORE, 2, Probe.class, "xenvbd");
        InterfaceReference<String> dbg = r.query("DEBUG", 1, String.class, "xenvif");
        assertThatThrownBy(vif::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("without Acquire");
        vif.acquire();
        vbd.acquire();
        vbd.acquire();
        dbg.acquire();
        assertThat(vif.get()).isSameAs(probe);
        assertThat(probe.events).containsExactly("acquired");
        assertThat(r.references("STORE")).isEqualTo(3);
        assertThat(r.acquired()).extracting(Object::toString)
                .containsExactly("STORE v2 by xenvif x1", "STORE v2 by xenvbd x2", "DEBUG v1 by xenvif x1");
        assertThatThrownBy(() -> r.withdraw("STORE")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("xenvbd");
        vif.release();
        assertThatThrownBy(vif::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STORE v2 released by xenvif more often than acquired");
        vbd.release();
        vbd.release();
        assertThat(probe.events).containsExactly("acquired", "released");
        assertThatThrownBy(r::checkNoLeaks).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("DEBUG v1 by xenvif x1");
        dbg.release();
        r.checkNoLeaks();
        assertThatThrownBy(() -> r.query("DEBUG", 1, Integer.class, "x")).isInstanceOf(ClassCastException.class)
                .hasMessageContaining("java.lang.String");
        r.withdraw("STORE");
        assertThatThrownBy(vif::acquire).isInstanceOf(IllegalStateException.class).hasMessageContaining("withdrawn");
    }

    @Test
    void aFailingFirstAcquireLeavesNothingHeld() {
        InterfaceRegistry r = new InterfaceRegistry("d1 XENBUS");
        r.publish(XenbusInterfaces.CONSOLE, new InterfaceLifecycle() {
            @Override
            public void interfaceAcquired() {
                throw new IllegalStateException("no HVM_PARAM_CONSOLE_EVTCHN");
            }

            @Override
            public void interfaceReleased() {
            }
        });
        InterfaceReference<Object> c = r.query("CONSOLE", 1, Object.class, "xencons");
        assertThatThrownBy(c::acquire).hasMessageContaining("CONSOLE_EVTCHN");
        assertThat(c.acquired()).isZero();
        r.checkNoLeaks();
    }
}
