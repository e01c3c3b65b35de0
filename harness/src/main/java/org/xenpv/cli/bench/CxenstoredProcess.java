package org.xenpv.cli.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real Debian Xen 4.17 C xenstored, run without a hypervisor under the {@code xsstub.c} LD_PRELOAD stub
 * (xen-pv-protocols.md §3.5), for comparisons from the CLI:
 * {@code XENSTORED_RUNDIR=<dir> XSSTUB_DIR=<dir> LD_PRELOAD=<stub> xenstored -N}. No trace file (it would
 * slow the daemon down); every socket connection is dom0.
 */
final class CxenstoredProcess implements AutoCloseable {

    static final Path XENSTORED = Path.of(System.getProperty("xenpv.xenstored", "/usr/lib/xen-4.17/bin/xenstored"));
    static final String STUB = "/org/xenpv/xenstore/cxenstored/xsstub.c";

    private final Path dir;
    private final Process process;

    private CxenstoredProcess(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Checks that xenstored, gcc and the libxen headers the stub needs are there. */
    static void require() throws CBuild.MissingTool {
        if (!Files.isExecutable(XENSTORED)) {
            throw new CBuild.MissingTool("xen-utils-4.17 not installed (" + XENSTORED + " missing)");
        }
        CBuild.require(List.of(Path.of("/usr/include/xenctrl.h"), Path.of("/usr/include/xenevtchn.h"),
                Path.of("/usr/include/xengnttab.h")));
    }

    /** Builds the stub if needed and starts a daemon; waits up to 10 s for its socket. */
    static CxenstoredProcess start() throws IOException {
        Path stub = CBuild.build(STUB, "libxsstub.so", List.of("-shared", "-fPIC", "-O2"), List.of("-ldl"));
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xsdbench");
        ProcessBuilder pb = new ProcessBuilder(XENSTORED.toString(), "-N").directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.log").toFile()).redirectError(dir.resolve("stderr.log").toFile());
        pb.environment().put("XENSTORED_RUNDIR", dir.toString());
        pb.environment().put("XSSTUB_DIR", dir.toString());
        pb.environment().put("LD_PRELOAD", stub.toString());
        pb.environment().remove("XENSTORED_PATH");
        Process p = pb.start();
        CxenstoredProcess d = new CxenstoredProcess(dir, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (!canConnect(d.socket())) {
                if (!p.isAlive()) {
                    throw new IOException("xenstored exited with " + p.exitValue() + " during start-up: "
                            + Files.readString(dir.resolve("stderr.log")));
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("xenstored did not open " + d.socket() + " within 10 s");
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d.close();
            throw new IOException("interrupted while starting xenstored", e);
        } catch (IOException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private static boolean canConnect(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    Path socket() {
        return dir.resolve("socket");
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
