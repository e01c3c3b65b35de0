package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvRun;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.balloon.BalloonMover;
import org.xenpv.xenbus.balloon.BalloonTarget;
import org.xenpv.xenbus.enumeration.ClassScan;
import org.xenpv.xenbus.fdo.XenbusFdo;

/** Class scan and balloon against a toolstack-built guest's store (windows-pv-drivers.md §1.7, §1.8, §8 XENBUS-10). */
@Seeds(count = 20)
@Tag("xenbus")
@Tag("enumeration")
class XenbusEnumerationConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.7 / §1.8 / §8";

    @XenpvTest
    @Checks(id = "XENBUS-10", ref = REF)
    @DisplayName("Classes are DIRECTORY device upper-cased plus IFACE and CONS, filtered by the supported list; console is not CONS" + " (" + REF + ")")
    void classUnionAndFilter(Toolstack toolstack) {
        GuestDomain g = toolstack.create("guest");
        toolstack.addDevice(g.domid(), "vif", 0, 0, Map.of("mac", "00:16:3e:00:00:01"));
        toolstack.addDevice(g.domid(), "vbd", 768, 0, Map.of());
        toolstack.addDevice(g.domid(), "console", 0, 0, Map.of());
        toolstack.addDevice(g.domid(), "9pfs", 0, 0, Map.of());
        List<String> dir = toolstack.xs().directory(g.path() + "/device");
        assertThat(dir).contains("vif", "vbd", "console", "9pfs");
        assertThat(ClassScan.scan(dir)).containsExactly("CONS", "IFACE", "VBD", "VIF");
        assertThat(ClassScan.scan(dir, List.of(), ClassScan.SUPPORTED)).as("no synthetic classes")
                .containsExactly("VBD", "VIF");
        toolstack.removeDevice(g.domid(), "vif", 0, 0);
        assertThat(ClassScan.scan(toolstack.xs().directory(g.path() + "/device"))).as("empty device/vif is still a class")
                .contains("VIF");
        toolstack.xs().rm(g.path() + "/device/vif");
        assertThat(ClassScan.scan(toolstack.xs().directory(g.path() + "/device"))).doesNotContain("VIF");
    }

    @XenpvTest
    @Seeds(count = 20)
    @Tag("balloon")
    @Checks(id = "XENBUS-10", ref = REF)
    @DisplayName("Balloon size is (static-max - videoram)/4 - min(target/4, cap) pages from the guest's memory keys" + " (" + REF + ")")
    void balloonArithmetic(XenpvRun run, Toolstack toolstack) {
        GuestDomain g = toolstack.create("guest");
        long staticMax = Long.parseLong(toolstack.xs().read(g.path() + "/memory/static-max"));
        long videoram = Long.parseLong(toolstack.xs().read(g.path() + "/memory/videoram"));
        long cap = (staticMax - videoram) / 4;
        assertThat(BalloonTarget.balloonPages(staticMax, videoram, staticMax)).isZero();
        long target = Math.floorMod(run.seed(), staticMax + 4096);
        toolstack.xs().write(g.path() + "/memory/target", Long.toString(target));
        long t = Long.parseLong(toolstack.xs().read(g.path() + "/memory/target"));
        long pages = BalloonTarget.balloonPages(staticMax, videoram, t);
        assertThat(pages).isEqualTo(cap - Math.min(t / 4, cap)).isBetween(0L, cap);
    }

    @XenpvTest
    @Tag("balloon")
    @Checks(id = "XENBUS-10", ref = REF)
    @DisplayName("control/balloon-active is 1 while the FDO's balloon thread moves the balloon and stays 1 across a short move and its retry; 0 only once the size is reached" + " (" + REF + ")")
    void balloonActiveBracketing(Kernel kernel, Platform platform) {
        List<String> duringMove = Collections.synchronizedList(new ArrayList<>());
        XenbusBoot[] boot = new XenbusBoot[1];
        // Each move reads the key on the daemon: what any dom0 reader would see while the balloon moves.
        BalloonMover shortThenDone = (current, target) -> {
            duringMove.add(boot[0].node("control/balloon-active").orElse("<absent>"));
            return duringMove.size() == 1 ? current + (target - current) / 2 : target;
        };
        // A toolstack that lets the guest write control/ (libxl refuses balloon-active there).
        try (XenbusBoot b = XenbusBoot.create(kernel, platform, DomainConfig.guest("bal"), XenbusFdo.Options.DEFAULT,
                shortThenDone, true)) {
            boot[0] = b;
            b.start();
            b.observe("control/balloon-active");
            b.settle();
            long staticMax = Long.parseLong(b.node("memory/static-max").orElseThrow());
            long videoram = Long.parseLong(b.node("memory/videoram").orElseThrow());
            b.dom0Write("memory/target", Long.toString(staticMax / 2));
            kernel.runUntil(() -> duringMove.size() == 2 && !b.fdo.balloonActive(), XenbusBoot.T);
            b.settle();
            assertThat(duringMove).as("balloon-active during the short move and during its retry").containsExactly("1", "1");
            assertThat(b.node("control/balloon-active")).contains("0");
            List<String> seen = b.observed("control/balloon-active");
            assertThat(seen.subList(seen.indexOf("1"), seen.size())).as("one 1..0 bracket around the short move and its retry")
                    .containsExactly("1", "0");
            assertThat(b.fdo.balloonSize()).isEqualTo(BalloonTarget.balloonPages(staticMax, videoram, staticMax / 2));
            b.dom0Write("memory/target", Long.toString(staticMax));
            kernel.runUntil(() -> b.fdo.balloonSize() == 0 && !b.fdo.balloonActive(), XenbusBoot.T);
        }
    }
}
