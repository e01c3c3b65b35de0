package org.xenpv.cli.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.daemon.XsTraceSink;
import org.xenpv.xenstore.domain.XsQuotaConfig;
import org.xenpv.xenstore.server.QuotaOptions;
import org.xenpv.xenstore.server.XsServer;
import org.xenpv.xenstore.trace.TraceRecordSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code xenpv serve}: our XenStore daemon (cxenstored 4.17 semantics) on a Unix socket, usable by
 * libxenstore clients ({@code xenstore-*}, {@code test-xenstore}, pyxs) through {@code XENSTORED_PATH}.
 * Quota options mirror cxenstored's ({@code xenstored --help}, xen-pv-protocols.md §1.9); {@code --domain}
 * adds sockets whose clients are unprivileged guests. Runs until SIGINT/SIGTERM, then closes every
 * connection and removes the socket files.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the XenStore daemon (cxenstored 4.17 semantics) on a Unix socket.",
            "Clients find it with XENSTORED_PATH=<socket>. Stops on SIGINT/SIGTERM."})
public final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    /** Exit codes of the {@code xenpv} root command. */
    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 2;

    /** Where libxenstore looks by default: {@code XEN_RUN_STORED/socket} on Debian. */
    public static final Path DEFAULT_SOCKET = Path.of("/var/run/xenstored/socket");

    /** Trace formats. */
    public enum TraceFormat { cxenstored, jsonl }

    @Spec
    CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH", description = "dom0 socket (default: ${DEFAULT-VALUE}); its "
            + "parent directory is created")
    Path socket = DEFAULT_SOCKET;

    @Option(names = {"-T", "--trace"}, paramLabel = "FILE", description = "append a trace of every message to FILE")
    Path trace;

    @Option(names = "--trace-format", paramLabel = "FORMAT", description = "cxenstored (4.17 -T text, default) or "
            + "jsonl (lossless JSON lines, docs/traces.md)")
    TraceFormat traceFormat = TraceFormat.cxenstored;

    @Option(names = {"-E", "--entry-nb"}, paramLabel = "N", description = "nodes per unprivileged domain (1000)")
    Integer entryNb;

    @Option(names = {"-S", "--entry-size"}, paramLabel = "BYTES", description = "max node size (2048)")
    Integer entrySize;

    @Option(names = {"-W", "--watch-nb"}, paramLabel = "N", description = "watches per unprivileged domain (128)")
    Integer watchNb;

    @Option(names = {"-t", "--transaction"}, paramLabel = "N", description = "open transactions per domain (10)")
    Integer transaction;

    @Option(names = {"-A", "--perm-nb"}, paramLabel = "N", description = "permission entries per node (5)")
    Integer permNb;

    @Option(names = {"-M", "--path-max"}, paramLabel = "N", description = "path length beyond the domain prefix "
            + "(2048, the maximum)")
    Integer pathMax;

    @Option(names = "--transaction-nodes", paramLabel = "N", description = "nodes accessed per transaction (1024)")
    Integer transactionNodes;

    @Option(names = "--memory", paramLabel = "BYTES", description = "memory per domain, hard quota (2621440)")
    Integer memory;

    @Option(names = "--soft-memory", paramLabel = "BYTES", description = "memory per domain, soft quota (2097152)")
    Integer softMemory;

    @Option(names = "--outstanding", paramLabel = "N", description = "outstanding requests per domain (20)")
    Integer outstanding;

    @Option(names = "--watch-event-timeout", paramLabel = "SECONDS", description = "unread watch events of guests "
            + "are dropped after this (20)")
    Integer watchEventTimeout;

    @Option(names = {"-Q", "--quota"}, paramLabel = "NAME=N", description = "cxenstored -Q: transaction-nodes, memory, "
            + "outstanding")
    Map<String, Long> quota = new LinkedHashMap<>();

    @Option(names = {"-q", "--quota-soft"}, paramLabel = "NAME=N", description = "cxenstored -q: memory")
    Map<String, Long> quotaSoft = new LinkedHashMap<>();

    @Option(names = {"-w", "--timeout"}, paramLabel = "NAME=SECONDS", description = "cxenstored -w: watch-event")
    Map<String, Long> timeout = new LinkedHashMap<>();

    @Option(names = {"-K", "--keep-orphans"}, description = "nodes of destroyed domains go to dom0 instead of being "
            + "deleted")
    boolean keepOrphans;

    @Option(names = "--domain", paramLabel = "N=PATH", description = "also listen on PATH; its clients act as "
            + "unprivileged domain N (introduced at start, /local/domain/N owned by N). Repeatable.")
    Map<Integer, Path> domains = new LinkedHashMap<>();

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        XsQuotaConfig quotas;
        try {
            quotas = quotas();
        } catch (IllegalArgumentException e) {
            err.println("xenpv serve: " + e.getMessage());
            return EXIT_USAGE;
        }
        long start = System.nanoTime();
        TraceRecordSink traceOut = null;
        XsTraceSink sink = XsTraceSink.NONE;
        try {
            if (trace != null) {
                Path parent = trace.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                // Appended to, as cxenstored does; a JSON-lines file has its header only on its first line.
                boolean fresh = !Files.exists(trace) || Files.size(trace) == 0;
                OutputStream file = Files.newOutputStream(trace, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE);
                traceOut = traceFormat == TraceFormat.jsonl
                        ? TraceRecordSink.jsonl(file, fresh, () -> System.nanoTime() - start, Clock.systemUTC(),
                                "xenpv serve")
                        : TraceRecordSink.cxenstored(file, Clock.systemDefaultZone());
                sink = traceOut;
            }
        } catch (IOException e) {
            err.println("xenpv serve: cannot open trace file " + trace + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        XsServer.Builder b = XsServer.builder().listen(socket).quotas(quotas).trace(sink)
                .configure(c -> c.keepOrphans(keepOrphans));
        for (Map.Entry<Integer, Path> d : domains.entrySet()) {
            if (d.getKey() <= 0 || d.getKey() >= 0x7FF0) {
                err.println("xenpv serve: --domain " + d.getKey() + "=" + d.getValue()
                        + ": domid must be a guest domain (1..32751)");
                closeQuietly(traceOut);
                return EXIT_USAGE;
            }
            b.listenAsDomain(d.getKey(), d.getValue(), true);
        }
        XsServer server;
        try {
            server = b.start();
        } catch (IOException | IllegalArgumentException e) {
            err.println("xenpv serve: " + e.getMessage());
            closeQuietly(traceOut);
            return EXIT_USAGE;
        }
        TraceRecordSink traceFile = traceOut;
        Thread hook = new Thread(() -> {
            LOG.info("signal received: shutting down");
            server.close();
            closeQuietly(traceFile);
            stopped.countDown();
        }, "xenpv-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.info("xenstored ready: XENSTORED_PATH={}{}", server.dom0Socket(),
                trace == null ? "" : ", trace " + trace + " (" + traceFormat + ")");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            closeQuietly(traceFile);
        }
        return EXIT_OK;
    }

    /** The quota options applied over cxenstored's defaults. */
    XsQuotaConfig quotas() {
        XsQuotaConfig q = new XsQuotaConfig();
        set(q, "entry-nb", entryNb);
        set(q, "entry-size", entrySize);
        set(q, "watch-nb", watchNb);
        set(q, "transaction", transaction);
        set(q, "perm-nb", permNb);
        set(q, "path-max", pathMax);
        set(q, "transaction-nodes", transactionNodes);
        set(q, "memory", memory);
        set(q, "soft-memory", softMemory);
        set(q, "outstanding", outstanding);
        set(q, "watch-event-timeout", watchEventTimeout);
        for (Map.Entry<String, Long> e : quota.entrySet()) {
            if (!java.util.Set.of("transaction-nodes", "memory", "outstanding").contains(e.getKey())) {
                throw new IllegalArgumentException("-Q " + e.getKey() + ": unknown quota (transaction-nodes, memory, "
                        + "outstanding)");
            }
            QuotaOptions.apply(q, e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Long> e : quotaSoft.entrySet()) {
            if (!e.getKey().equals("memory")) {
                throw new IllegalArgumentException("-q " + e.getKey() + ": unknown soft quota (memory)");
            }
            QuotaOptions.apply(q, "soft-memory", e.getValue());
        }
        for (Map.Entry<String, Long> e : timeout.entrySet()) {
            if (!e.getKey().equals("watch-event")) {
                throw new IllegalArgumentException("-w " + e.getKey() + ": unknown timeout (watch-event)");
            }
            QuotaOptions.apply(q, "watch-event-timeout", e.getValue());
        }
        return q;
    }

    private static void set(XsQuotaConfig q, String name, Integer v) {
        if (v != null) {
            QuotaOptions.apply(q, name, v);
        }
    }

    private static void closeQuietly(java.io.Closeable out) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("closing the trace file failed: {}", e.toString());
            }
        }
    }
}
