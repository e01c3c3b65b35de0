package org.xenpv.conformance.xenbus;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.xenpv.core.devicemodel.PlatformUnplugDevice;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.LogEntry;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.LeakReport;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.ActorFailedException;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.balloon.BalloonMover;
import org.xenpv.xenbus.fdo.XenbusFdo;
import org.xenpv.xenbus.suspend.SuspendOutcome;
import org.xenpv.xenbus.unplug.Unplug;
import org.xenpv.xenbus.unplug.UnplugType;
import org.xenpv.xenstore.ring.Dom0Client;
import org.xenpv.xenstore.ring.Xenstored;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * A guest booted with XENBUS ({@link XenbusFdo}) on a toolstack whose store is the simulated
 * {@link Xenstored} serving the guest's ring, plus the platform unplug device and dom0 observers of
 * store nodes, for the suspend/resume and FDO suites (windows-pv-drivers.md §1.5, §1.8).
 */
final class XenbusBoot implements AutoCloseable {

    /** Kernel-time limit of every wait in these suites. */
    static final Duration T = Duration.ofMinutes(2);

    final Kernel kernel;
    final Platform platform;
    final Xenstored xenstored;
    final Toolstack toolstack;
    final PlatformUnplugDevice unplugDevice = new PlatformUnplugDevice();
    final Unplug unplug;
    final Vm vm;
    final XenbusFdo fdo;
    private final List<Dom0Client> observers = new ArrayList<>();

    private XenbusBoot(Kernel kernel, Platform platform, DomainConfig config, XenbusFdo.Options options,
                       BalloonMover mover, boolean controlWritable) {
        this.kernel = kernel;
        this.platform = platform;
        this.xenstored = Xenstored.start(platform);
        this.toolstack = new Toolstack(platform, xenstored);
        toolstack.setControlWritableByGuest(controlWritable);
        GuestDomain g = toolstack.create(config);
        this.vm = Vm.of(platform, platform.domain(g.domid()));
        this.unplug = new Unplug(unplugDevice, options.major(), options.minor(), options.micro(), false);
        unplug.request(UnplugType.DISKS, true);
        unplug.request(UnplugType.NICS, true);
        this.fdo = new XenbusFdo(vm, options, unplug, mover);
    }

    /**
     * Builds the guest, its FDO not started yet.
     *
     * @param controlWritable a toolstack that lets the guest create keys under {@code control/}
     *                        (libxl does not: {@link Toolstack#setControlWritableByGuest})
     */
    static XenbusBoot create(Kernel kernel, Platform platform, DomainConfig config, XenbusFdo.Options options,
                             BalloonMover mover, boolean controlWritable) {
        return new XenbusBoot(kernel, platform, config, options, mover, controlWritable);
    }

    /** Builds the guest on a libxl-like toolstack, its FDO not started yet. */
    static XenbusBoot create(Kernel kernel, Platform platform, DomainConfig config, XenbusFdo.Options options,
                             BalloonMover mover) {
        return create(kernel, platform, config, options, mover, false);
    }

    /** Builds the guest and starts its FDO. */
    static XenbusBoot boot(Kernel kernel, Platform platform, DomainConfig config, XenbusFdo.Options options,
                           BalloonMover mover, boolean controlWritable) {
        XenbusBoot b = create(kernel, platform, config, options, mover, controlWritable);
        b.start();
        return b;
    }

    static XenbusBoot boot(Kernel kernel, Platform platform, DomainConfig config, XenbusFdo.Options options,
                           BalloonMover mover) {
        return boot(kernel, platform, config, options, mover, false);
    }

    /** Starts the FDO; returns once its threads had their first look. */
    void start() {
        run("boot", fdo::start);
        kernel.runUntil(() -> fdo.scans() >= 1, T);
    }

    static XenbusBoot boot(Kernel kernel, Platform platform) {
        return boot(kernel, platform, DomainConfig.guest("xenbus"), XenbusFdo.Options.DEFAULT, null);
    }

    int domid() {
        return vm.domid();
    }

    /** What the toolstack set up for the domain the guest runs in now (its console port, ...). */
    GuestDomain guest() {
        return toolstack.guest(vm.domid());
    }

    /** {@code /local/domain/<current domid>}. */
    String path() {
        return "/local/domain/" + vm.domid();
    }

    /** A node under the current domain directory, if it exists. */
    Optional<String> node(String relative) {
        return node(domid(), relative);
    }

    Optional<String> node(int domid, String relative) {
        return xenstored.call(s -> s.node("/local/domain/" + domid + "/" + relative))
                .map(n -> new String(n.data(), StandardCharsets.ISO_8859_1));
    }

    /** dom0 writes a node under the guest's directory (through the daemon). */
    void dom0Write(String relative, String value) {
        toolstack.xs().write(path() + "/" + relative, value);
    }

    /** Spawns a guest actor. */
    Actor spawn(String name, Runnable body) {
        return kernel.spawn("d" + vm.domid() + "/" + name, body);
    }

    /** Runs {@code body} as a guest actor until it returns; rethrows what it threw. */
    void run(String name, Runnable body) {
        Actor a = spawn(name, body);
        try {
            kernel.runUntil(a::finished, T);
        } catch (ActorFailedException e) {
            if (!e.actor().equals(a.name())) {
                throw e;
            }
        }
        a.failure().ifPresent(t -> {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            throw new AssertionError(a.name() + " failed", t);
        });
    }

    /** {@code xl save} + {@code xl restore}; returns once the guest's suspend sequence (LATE included) is over. */
    GuestDomain migrate() {
        int before = fdo.suspends().size();
        GuestDomain n = toolstack.migrate(vm.domid(), T);
        kernel.runUntil(() -> fdo.suspends().size() > before, T);
        return n;
    }

    /**
     * Lets the guest's threads finish what the last event started (after a resume every watch fired
     * once, so scan, suspend and balloon threads each make a round of store requests).
     */
    void settle() {
        kernel.runFor(Duration.ofSeconds(2));
    }

    /** {@code control/shutdown=suspend}, wait for SHUTDOWN_suspend, then a cooperative resume (the guest sees 1). */
    SuspendOutcome cancelledSuspend() {
        int before = fdo.suspends().size();
        toolstack.suspend(vm.domid(), T);
        toolstack.resume(vm.domid());
        kernel.runUntil(() -> fdo.suspends().size() > before, T);
        return fdo.suspends().get(before);
    }

    /**
     * A dom0 watch on {@code relative} under the guest's current directory: every event puts a
     * {@code observe <relative>=<value>} note in the event log (the value read on the daemon as the
     * event fires, so notes and platform events interleave as they happened).
     */
    void observe(String relative) {
        String abs = path() + "/" + relative;
        Dom0Client[] self = new Dom0Client[1];
        self[0] = xenstored.connectDom0("observer " + relative, m -> {
            if (m.type() == XsType.WATCH_EVENT.code()) {
                String value = xenstored.call(s -> s.node(abs)).map(n -> new String(n.data(), StandardCharsets.ISO_8859_1))
                        .orElse("<absent>");
                kernel.log().note("observer", observeNote(relative, value));
            }
        });
        self[0].send(XsMessage.of(XsType.WATCH, 1, 0, abs, "observer"));
        observers.add(self[0]);
        kernel.runUntil(() -> entries().stream().anyMatch(e -> e.event() instanceof Event.Note n
                && n.component().equals("observer") && n.message().startsWith("observe " + relative + "=")), T);
    }

    static String observeNote(String relative, String value) {
        return "observe " + relative + "=" + value;
    }

    /** The values {@link #observe} noted for {@code relative}, in order. */
    List<String> observed(String relative) {
        List<String> out = new ArrayList<>();
        String prefix = observeNote(relative, "");
        for (LogEntry e : entries()) {
            if (e.event() instanceof Event.Note n && n.component().equals("observer") && n.message().startsWith(prefix)) {
                out.add(n.message().substring(prefix.length()));
            }
        }
        return out;
    }

    /** The last value {@link #observe} noted for {@code relative} before log index {@code before}, or null. */
    String lastObservedBefore(String relative, int before) {
        String prefix = observeNote(relative, "");
        List<LogEntry> all = entries();
        for (int i = Math.min(before, all.size()) - 1; i >= 0; i--) {
            if (all.get(i).event() instanceof Event.Note n && n.component().equals("observer")
                    && n.message().startsWith(prefix)) {
                return n.message().substring(prefix.length());
            }
        }
        return null;
    }

    List<LogEntry> entries() {
        return kernel.log().entries();
    }

    /** Index in the event log of the first entry after {@code from} matching {@code event}, or -1. */
    int indexOf(Event event, int from) {
        List<LogEntry> all = entries();
        for (int i = Math.max(0, from); i < all.size(); i++) {
            if (all.get(i).event().equals(event)) {
                return i;
            }
        }
        return -1;
    }

    /** The messages of the "xenbus" notes, in order. */
    List<String> xenbusNotes() {
        List<String> out = new ArrayList<>();
        for (LogEntry e : entries()) {
            if (e.event() instanceof Event.Note n && n.component().equals("xenbus")) {
                out.add(n.message());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * What is still set up besides the toolstack's plumbing of live guests and the daemon's own: its
     * mapping of their store rings (grant ref 1) and its command and {@code VIRQ_DOM_EXC} ports.
     */
    List<LeakReport.Leak> leaks() {
        return platform.leakReport().without(toolstack::owns).without(xenstored::owns).leaks();
    }

    /** Stops the FDO if it can, destroys every guest, stops the daemon. */
    @Override
    public void close() {
        try {
            if (fdo.d0() && !vm.suspended() && fdo.balloonSize() == 0 && platform.findDomain(vm.domid()).isPresent()) {
                run("stop", fdo::stop);
            }
        } finally {
            for (Dom0Client c : observers) {
                c.close();
            }
            toolstack.close();
            xenstored.stop();
        }
    }
}
