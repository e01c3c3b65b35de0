package org.xenpv.cli.boot;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.xenpv.cli.support.UserError;
import org.xenpv.core.devicemodel.PlatformUnplugDevice;
import org.xenpv.core.log.EventLog;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.LeakReport;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.SimulationException;
import org.xenpv.harness.boot.DeviceArg;
import org.xenpv.harness.console.ConsoleBackend;
import org.xenpv.harness.boot.LogSummary;
import org.xenpv.harness.boot.StoreTree;
import org.xenpv.harness.toolstack.DeviceSpec;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.enumeration.PdoIds;
import org.xenpv.xenbus.fdo.XenbusFdo;
import org.xenpv.xenbus.log.LogLevel;
import org.xenpv.xenbus.unplug.Unplug;
import org.xenpv.xenbus.unplug.UnplugType;
import org.xenpv.xenstore.ring.Xenstored;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code xenpv boot}: boots a simulated Windows guest (XENBUS alone for now) against the simulated
 * toolstack and xenstored in deterministic mode, then prints the guest's xenstore tree, what XENBUS
 * enumerated and a summary of the event log. Exit 0 when XENBUS came up (and, with {@code --migrate}
 * or {@code --stop}, when those went through cleanly), 1 when the guest failed, 2 on bad arguments.
 */
@Command(name = "boot", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Boot a simulated Windows PV guest (XENBUS) on the simulated toolstack and print its "
                + "xenstore tree and event-log summary.")
public final class BootCommand implements Callable<Integer> {

    /** Kernel-time limit for each phase. */
    static final Duration LIMIT = Duration.ofMinutes(2);

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", paramLabel = "S", description = "kernel seed (default: ${DEFAULT-VALUE}); the same seed "
            + "gives the same event log")
    long seed = 1;

    @Option(names = "--name", paramLabel = "NAME", description = "domain name (default: ${DEFAULT-VALUE})")
    String name = "windows";

    @Option(names = "--vcpus", paramLabel = "N", description = "vCPUs (default: ${DEFAULT-VALUE})")
    int vcpus = 2;

    @Option(names = "--vif", paramLabel = "SPEC", description = "add a network device: key=value,... (mac=, bridge=, "
            + "backend=DOMID, devid=N); repeatable; '' for defaults")
    List<String> vifs = new ArrayList<>();

    @Option(names = "--vbd", paramLabel = "SPEC", description = "add a disk: key=value,... (vdev=xvdX, sectors=, "
            + "mode=, backend=DOMID, devid=N); repeatable")
    List<String> vbds = new ArrayList<>();

    @Option(names = "--migrate", paramLabel = "N", description = "after boot, migrate the guest N times "
            + "(xl save + restore to a new domid) and show the tree in its last domain")
    int migrations = 0;

    @Option(names = "--stop", description = "after everything else, stop XENBUS (D3) and report anything left set up")
    boolean stop;

    @Option(names = "--console-log", paramLabel = "LEVELS", split = ",", description = "XENBUS ConsoleLogLevel: "
            + "log levels copied to the PV console (e.g. info,warning,error,critical,trace); a dom0 console backend "
            + "collects the output and it is printed (default: off, as the driver's default)")
    List<String> consoleLog = new ArrayList<>();

    @Option(names = "--log", paramLabel = "FILE", description = "write the whole event log to FILE "
            + "(JSON lines if FILE ends in .jsonl, text otherwise)")
    Path log;

    @Override
    public Integer call() {
        List<DeviceSpec> devices = devices();
        if (vcpus < 1 || vcpus > 32) {
            throw new UserError("--vcpus " + vcpus + ": must be 1..32");
        }
        if (migrations < 0) {
            throw new UserError("--migrate " + migrations + ": must be >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Kernel kernel = Kernel.deterministic(seed)) {
            Platform platform = new Platform(kernel);
            Xenstored xenstored = Xenstored.start(platform);
            Toolstack toolstack = new Toolstack(platform, xenstored);
            int rc = 0;
            XenbusFdo fdo = null;
            try {
                GuestDomain g = toolstack.create(DomainConfig.guest(name).withVcpus(vcpus));
                for (DeviceSpec d : devices) {
                    toolstack.addDevice(g.domid(), d.type(), d.devid(), d.beDomid(), d.backendKeys());
                }
                Vm vm = Vm.of(platform, platform.domain(g.domid()));
                PlatformUnplugDevice unplugDevice = new PlatformUnplugDevice();
                int consoleMask = LogLevel.parse(consoleLog);
                if (!consoleLog.isEmpty() && consoleMask == 0) {
                    throw new UserError("--console-log " + String.join(",", consoleLog) + ": no known level (ERROR, "
                            + "WARNING, INFO, TRACE, CRITICAL)");
                }
                XenbusFdo.Options options = XenbusFdo.Options.DEFAULT.withConsoleLogLevel(consoleMask);
                ConsoleBackend[] console = {consoleMask != 0 ? ConsoleBackend.of(platform, g) : null};
                Unplug unplug = new Unplug(unplugDevice, options.major(), options.minor(), options.micro(), false);
                if (devices.stream().anyMatch(d -> d.type().equals("vbd"))) {
                    unplug.request(UnplugType.DISKS, true);
                }
                if (devices.stream().anyMatch(d -> d.type().equals("vif"))) {
                    unplug.request(UnplugType.NICS, true);
                }
                XenbusFdo bus = new XenbusFdo(vm, options, unplug, null);
                fdo = bus;
                runActor(kernel, "d" + g.domid() + "/boot", bus::start);
                kernel.runUntil(() -> bus.scans() >= 1, LIMIT);
                kernel.runFor(Duration.ofSeconds(2));
                out.printf("booted %s: seed %d, %d vCPU(s), XENBUS %s, t=%s%n", platform.domain(vm.domid()), seed, vcpus,
                        options.distribution(), EventLog.seconds(kernel.nanoTime()));
                for (int i = 0; i < migrations; i++) {
                    int before = bus.suspends().size();
                    int from = vm.domid();
                    GuestDomain n = toolstack.migrate(from, LIMIT);
                    kernel.runUntil(() -> bus.suspends().size() > before, LIMIT);
                    kernel.runFor(Duration.ofSeconds(2));
                    out.printf("migrated d%d -> d%d: %s%n", from, n.domid(), bus.suspends().get(before));
                    if (console[0] != null) {
                        printConsole(out, console[0], from);
                        console[0].close();
                        console[0] = ConsoleBackend.of(platform, n);
                        kernel.runFor(Duration.ofSeconds(1));
                    }
                }
                printGuest(out, toolstack, xenstored, vm, bus, unplugDevice);
                if (console[0] != null) {
                    printConsole(out, console[0], vm.domid());
                }
                if (stop) {
                    runActor(kernel, "d" + vm.domid() + "/stop", bus::stop);
                    List<LeakReport.Leak> left = platform.leakReport().without(toolstack::owns)
                            .without(xenstored::owns).leaks();
                    out.println("stopped XENBUS (D3): " + (left.isEmpty() ? "nothing left set up" : left.size() + " left set up:"));
                    left.forEach(l -> out.println("  " + l.describe()));
                    if (!left.isEmpty()) {
                        rc = 1;
                    }
                }
            } catch (SimulationException | IllegalStateException e) {
                err.println("xenpv boot: guest failed: " + e.getMessage());
                rc = 1;
            } finally {
                out.println();
                out.print(LogSummary.render(kernel.log().entries()));
                out.flush();
                writeLog(kernel, err);
                toolstack.close();
                xenstored.stop();
            }
            return rc;
        }
    }

    private static void printConsole(PrintWriter out, ConsoleBackend console, int domid) {
        out.println("console d" + domid + (console.broken().map(b -> " (broken: " + b + ")").orElse("")) + ":");
        console.output().lines().forEach(l -> out.println("  " + l));
    }

    private List<DeviceSpec> devices() {
        List<DeviceSpec> out = new ArrayList<>();
        try {
            for (int i = 0; i < vifs.size(); i++) {
                out.add(DeviceArg.parse("vif", vifs.get(i), i));
            }
            for (int i = 0; i < vbds.size(); i++) {
                out.add(DeviceArg.parse("vbd", vbds.get(i), i));
            }
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        return out;
    }

    private static void runActor(Kernel kernel, String name, Runnable body) {
        Actor a = kernel.spawn(name, body);
        kernel.runUntil(a::finished, LIMIT);
        a.failure().ifPresent(t -> {
            throw new IllegalStateException(name + ": " + t, t);
        });
    }

    private static void printGuest(PrintWriter out, Toolstack toolstack, Xenstored xenstored, Vm vm, XenbusFdo bus,
                                   PlatformUnplugDevice unplugDevice) {
        int domid = vm.domid();
        GuestDomain g = toolstack.guest(domid);
        out.printf("XENBUS: drivers/%d, %d watch(es), %d suspend(s), emulated devices unplugged mask 0x%04x%n",
                bus.distributionIndex(), bus.watches().size(), bus.suspends().size(), unplugDevice.unplugged());
        out.println("PDOs:");
        for (String cls : bus.classes()) {
            out.println("  " + PdoIds.deviceId(PdoIds.DEFAULT_PREFIX, cls));
        }
        out.println();
        out.println("xenstore:");
        List<String> roots = new ArrayList<>(List.of(g.path(), g.vmPath()));
        for (DeviceSpec d : g.devices()) {
            roots.add(Toolstack.backendPath(d.beDomid(), d.type(), domid, d.devid()));
        }
        String tree = xenstored.call(s -> StoreTree.render(s, roots));
        out.print(tree);
    }

    private void writeLog(Kernel kernel, PrintWriter err) {
        if (log == null) {
            return;
        }
        String text = log.getFileName().toString().endsWith(".jsonl") ? kernel.log().toJsonLines() : kernel.log().toText();
        try {
            Files.writeString(log, text, StandardCharsets.UTF_8);
            err.println("event log: " + log.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new UserError("cannot write --log " + log + ": " + e.getMessage());
        }
    }
}
