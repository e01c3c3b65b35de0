package org.xenpv.xenstore.cxenstored;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.client.XsSocketClient;

/**
 * The real Xen 4.17 C xenstored ({@code /usr/lib/xen-4.17/bin/xenstored}, Debian xen-utils-4.17)
 * running without a hypervisor under the {@code xsstub.c} LD_PRELOAD stub (reference §3.5), for
 * pinning its behaviour and differential tests:
 *
 * <pre>
 * XENSTORED_RUNDIR=&lt;dir&gt; LD_PRELOAD=&lt;stub&gt; xenstored -N -T &lt;dir&gt;/trace.log [quota options]
 * </pre>
 *
 * It listens on {@link #socketPath()} (privileged dom0 connections), writes its 4.17 trace to
 * {@link #tracePath()} (reference §4.1), and, with guest rings on (the default), serves unprivileged
 * guests over shared ring pages ({@link #guest}) once dom0 INTRODUCEs them. Which domains exist for
 * {@code xc_domain_getinfo} is {@link Builder#domains} and can change at run time
 * ({@link #setDomains}, then {@link #kickVirq}).
 *
 * <p>Skips the calling test with a message when xenstored, gcc or the libxen headers are missing.
 * Start-up is bounded by a timeout; {@link #close} kills the daemon.
 */
public final class RealCxenstored implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RealCxenstored.class);

    /** The daemon binary of Debian's xen-utils-4.17 (override with {@code -Dxenpv.xenstored=<path>}). */
    public static final Path XENSTORED = Path.of(System.getProperty("xenpv.xenstored",
            "/usr/lib/xen-4.17/bin/xenstored"));
    /** sun_path is 108 bytes including the NUL. */
    private static final int MAX_SOCKET_PATH = 100;

    /** Daemons still running, killed by a shutdown hook if a test forgets to close one. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "xenstored-reaper"));
    }

    private final Path runDir;
    private final Process process;
    private final EvtchnLink link;
    private final Duration timeout;
    private final List<String> command;
    private final Map<Integer, RingGuest> guests = new HashMap<>();
    private int connections;

    private RealCxenstored(Path runDir, Process process, EvtchnLink link, Duration timeout, List<String> command) {
        this.runDir = runDir;
        this.process = process;
        this.link = link;
        this.timeout = timeout;
        this.command = command;
    }

    /** Whether the daemon binary is installed (for tests that want to check without skipping). */
    public static boolean available() {
        return Files.isExecutable(XENSTORED);
    }

    /**
     * Skips the calling test unless the rig can run here (xenstored installed, stub built); returns
     * the stub library.
     */
    public static Path assumeRunnable() {
        assumeTrue(available(), "xen-utils-4.17 not installed (" + XENSTORED + " missing): cannot run the real "
                + "cxenstored");
        return XsStub.library();
    }

    /** Starts a daemon with default quotas where only domain 0 exists. */
    public static RealCxenstored start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for one daemon. Quota setters map to the 4.17 command-line options named in each. */
    public static final class Builder {
        private String domains = "0";
        private final List<String> options = new ArrayList<>();
        private boolean guestRings = true;
        private Duration startupTimeout = Duration.ofSeconds(10);
        private Duration timeout = XsSocketClient.DEFAULT_TIMEOUT;

        /** Domains that exist for {@code xc_domain_getinfo}; default only 0. */
        public Builder domains(int... domids) {
            StringBuilder sb = new StringBuilder();
            for (int d : domids) {
                sb.append(sb.isEmpty() ? "" : " ").append(d);
            }
            domains = sb.toString();
            return this;
        }

        /** Domains as the stub reads them: {@code "0 5 7:dying 8:shutdown 9:crashed"}. */
        public Builder domains(String spec) {
            domains = spec;
            return this;
        }

        /** {@code -E/--entry-nb}: nodes per unprivileged domain. */
        public Builder entryNb(int n) {
            return option("-E", Integer.toString(n));
        }

        /** {@code -S/--entry-size}: bytes per node. */
        public Builder entrySize(int n) {
            return option("-S", Integer.toString(n));
        }

        /** {@code -W/--watch-nb}: watches per unprivileged domain. */
        public Builder watchNb(int n) {
            return option("-W", Integer.toString(n));
        }

        /** {@code -t/--transaction}: open transactions per unprivileged domain. */
        public Builder transactions(int n) {
            return option("-t", Integer.toString(n));
        }

        /** {@code -A/--perm-nb}: permission entries per node. */
        public Builder permNb(int n) {
            return option("-A", Integer.toString(n));
        }

        /** {@code -M/--path-max}: path length beyond the domain's prefix. */
        public Builder pathMax(int n) {
            return option("-M", Integer.toString(n));
        }

        /** {@code -Q/--quota what=n}: {@code transaction-nodes}, {@code memory}, {@code outstanding}. */
        public Builder quota(String what, long n) {
            return option("-Q", what + "=" + n);
        }

        /** {@code -q/--quota-soft what=n}: {@code memory}. */
        public Builder softQuota(String what, long n) {
            return option("-q", what + "=" + n);
        }

        /** {@code -w/--timeout what=seconds}: {@code watch-event}. */
        public Builder timeout(String what, long seconds) {
            return option("-w", what + "=" + seconds);
        }

        /** Any further command-line arguments, passed as they are. */
        public Builder option(String... args) {
            options.addAll(List.of(args));
            return this;
        }

        /** Whether guests can be served over rings (needs the stub's event-channel socket); default on. */
        public Builder guestRings(boolean on) {
            guestRings = on;
            return this;
        }

        /** Bound on the daemon's start-up; default 10 s. */
        public Builder startupTimeout(Duration t) {
            startupTimeout = t;
            return this;
        }

        /** Reply timeout of the connections this daemon hands out; default 5 s. */
        public Builder replyTimeout(Duration t) {
            timeout = t;
            return this;
        }

        /**
         * Starts the daemon and waits until its socket accepts connections.
         *
         * @throws org.opentest4j.TestAbortedException (skip) if xenstored, gcc or libxen-dev is missing
         * @throws IllegalStateException with the daemon's output if it dies or does not come up in time
         */
        public RealCxenstored start() {
            Path stub = assumeRunnable();
            try {
                return launch(stub, this);
            } catch (IOException e) {
                throw new UncheckedIOException("starting " + XENSTORED + ": " + e.getMessage(), e);
            }
        }
    }

    private static RealCxenstored launch(Path stub, Builder b) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xsd");
        Path socket = dir.resolve("socket");
        if (socket.toString().length() > MAX_SOCKET_PATH) {
            throw new IOException("run directory path too long for a Unix socket: " + socket);
        }
        Files.writeString(dir.resolve("domains"), b.domains + "\n");
        List<String> cmd = new ArrayList<>(List.of(XENSTORED.toString(), "-N", "-T",
                dir.resolve("trace.log").toString()));
        cmd.addAll(b.options);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("XENSTORED_RUNDIR", dir.toString());
        env.put("XSSTUB_DIR", dir.toString());
        env.put("LD_PRELOAD", stub.toString());
        env.remove("XENSTORED_PATH");
        ServerSocketChannel evtchnServer = null;
        if (b.guestRings) {
            Path evtchn = dir.resolve("evtchn");
            evtchnServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            evtchnServer.bind(UnixDomainSocketAddress.of(evtchn));
            evtchnServer.configureBlocking(false);
            env.put("XSSTUB_EVTCHN", evtchn.toString());
        }
        Process p = pb.start();
        LIVE.add(p);
        EvtchnLink link = null;
        long deadline = System.nanoTime() + b.startupTimeout.toNanos();
        try {
            while (true) {
                if (link == null && evtchnServer != null) {
                    SocketChannel ch = evtchnServer.accept();
                    if (ch != null) {
                        ch.configureBlocking(true);
                        link = new EvtchnLink(ch);
                    }
                }
                if ((link != null || evtchnServer == null) && Files.exists(socket) && listening(socket)) {
                    break;
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException("xenstored exited with " + p.exitValue() + " during start-up: "
                            + String.join(" ", cmd) + "\n" + output(dir));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("xenstored did not open " + socket + " within "
                            + b.startupTimeout.toMillis() + " ms: " + String.join(" ", cmd) + "\n" + output(dir));
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(p);
            throw new IllegalStateException("interrupted while starting xenstored", e);
        } catch (RuntimeException | IOException e) {
            kill(p);
            if (link != null) {
                link.close();
            }
            throw e;
        } finally {
            if (evtchnServer != null) {
                evtchnServer.close();
            }
        }
        LOG.debug("xenstored pid {} up in {}", p.pid(), dir);
        return new RealCxenstored(dir, p, link, b.timeout, List.copyOf(cmd));
    }

    private static final Path PROC_NET_UNIX = Path.of("/proc/net/unix");
    /** {@code __SO_ACCEPTCON} in the Flags column of /proc/net/unix: the socket is listening. */
    private static final String LISTENING = "00010000";

    /**
     * Whether the daemon listens on {@code socket}. Read from /proc/net/unix rather than by
     * connecting, so that the daemon's trace holds only the test's own connections; a connect is the
     * fallback where /proc is unavailable.
     */
    private static boolean listening(Path socket) {
        if (Files.isReadable(PROC_NET_UNIX)) {
            try {
                String path = socket.toString();
                for (String line : Files.readAllLines(PROC_NET_UNIX)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 8 && f[3].equals(LISTENING) && f[7].equals(path)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                // fall back to connecting
            }
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String output(Path dir) {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("stdout.log", "stderr.log")) {
            try {
                String s = Files.readString(dir.resolve(f));
                if (!s.isBlank()) {
                    sb.append(f).append(":\n").append(s);
                }
            } catch (IOException e) {
                sb.append(f).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return sb.toString();
    }

    private static void kill(Process p) {
        LIVE.remove(p);
        p.destroy();
        try {
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** The daemon's Unix socket: every connection to it is dom0, privileged. */
    public Path socketPath() {
        return runDir.resolve("socket");
    }

    /** The daemon's {@code -T} trace file (4.17 format, reference §4.1). */
    public Path tracePath() {
        return runDir.resolve("trace.log");
    }

    /** The daemon's run directory: socket, trace, stub files, stdout/stderr. */
    public Path runDir() {
        return runDir;
    }

    /** The command line the daemon was started with. */
    public List<String> command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The daemon's stdout and stderr so far. */
    public String output() {
        return output(runDir);
    }

    /** A new privileged connection to the socket, named {@code name}. */
    public XsSocketClient connect(String name) throws IOException {
        return XsSocketClient.connect(socketPath(), name, timeout);
    }

    /** A new privileged connection to the socket. */
    public XsSocketClient connect() throws IOException {
        return connect("dom0#" + ++connections);
    }

    /**
     * The ring of guest {@code domid} (created on first call): an unprivileged connection that
     * works once dom0 has sent {@code INTRODUCE domid <gfn> <evtchn>}.
     *
     * @throws IllegalStateException if the daemon was started without guest rings
     */
    public RingGuest guest(int domid) throws IOException {
        return guest(domid, "dom" + domid);
    }

    /** {@link #guest(int)}, naming the connection {@code name} if it is created now. */
    public synchronized RingGuest guest(int domid, String name) throws IOException {
        if (link == null) {
            throw new IllegalStateException("xenstored was started with guestRings(false): no guest " + domid);
        }
        RingGuest g = guests.get(domid);
        if (g == null || !g.isOpen()) {
            g = new RingGuest(name, domid, runDir.resolve("ring-" + domid), link, timeout);
            guests.put(domid, g);
        }
        return g;
    }

    /** The event-channel link to the stub, {@code null} without guest rings. */
    public EvtchnLink evtchn() {
        return link;
    }

    /** Replaces the set of existing domains (same syntax as {@link Builder#domains(String)}). */
    public void setDomains(String spec) throws IOException {
        Path tmp = Files.createTempFile(runDir, "domains", ".tmp");
        Files.writeString(tmp, spec + "\n");
        Files.move(tmp, runDir.resolve("domains"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Fires {@code VIRQ_DOM_EXC} so the daemon re-reads every domain's state. */
    public void kickVirq() throws IOException {
        if (link == null) {
            throw new IllegalStateException("xenstored was started with guestRings(false): no event channel link");
        }
        link.kickVirq();
    }

    /** The trace file's content so far. */
    public List<String> traceLines() throws IOException {
        return Files.readAllLines(tracePath(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Kills the daemon and removes its run directory (kept with {@code -Dxenpv.keepRundir=true}). */
    @Override
    public void close() {
        synchronized (this) {
            guests.values().forEach(RingGuest::close);
        }
        kill(process);
        if (link != null) {
            link.close();
        }
        if (Boolean.getBoolean("xenpv.keepRundir")) {
            LOG.info("kept xenstored run directory {}", runDir);
            return;
        }
        try (Stream<Path> s = Files.walk(runDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.debug("removing {}: {}", runDir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "RealCxenstored[pid " + process.pid() + ", " + runDir + "]";
    }
}
