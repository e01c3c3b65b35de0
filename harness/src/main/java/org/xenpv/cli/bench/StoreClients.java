package org.xenpv.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs N {@code storebench} processes (libxenstore clients) against a daemon socket at the same time
 * and measures the aggregate throughput: all clients connect and set up first, then get the start signal
 * together; throughput = total requests / (last end - first start), with the clients' own
 * CLOCK_MONOTONIC timestamps.
 */
final class StoreClients {

    /** Result of one run. */
    record Result(int clients, long ops, long nanos) {
        double opsPerSecond() {
            return ops * 1e9 / nanos;
        }
    }

    private StoreClients() {
    }

    static Result run(Path client, Path socket, int clients, long opsPerClient, String tag) throws IOException {
        List<Process> procs = new ArrayList<>();
        List<BufferedReader> outs = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                ProcessBuilder pb = new ProcessBuilder(client.toString(), tag + i, Long.toString(opsPerClient))
                        .redirectError(ProcessBuilder.Redirect.INHERIT);
                pb.environment().put("XENSTORED_PATH", socket.toString());
                pb.environment().remove("XENSTORED_RUNDIR");
                Process p = pb.start();
                procs.add(p);
                outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)));
            }
            for (int i = 0; i < clients; i++) {
                String l = outs.get(i).readLine();
                if (!"ready".equals(l)) {
                    throw new IOException("benchmark client " + i + " against " + socket + " did not get ready (said "
                            + l + ", exit " + exitOf(procs.get(i)) + ")");
                }
            }
            for (Process p : procs) {
                OutputStream o = p.getOutputStream();
                o.write('g');
                o.flush();
            }
            long ops = 0;
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int i = 0; i < clients; i++) {
                String l = outs.get(i).readLine();
                if (l == null || !l.startsWith("done ")) {
                    throw new IOException("benchmark client " + i + " against " + socket + " failed (said " + l
                            + ", exit " + exitOf(procs.get(i)) + ")");
                }
                String[] f = l.split(" ");
                ops += Long.parseLong(f[1]);
                first = Math.min(first, Long.parseLong(f[2]));
                last = Math.max(last, Long.parseLong(f[3]));
            }
            for (Process p : procs) {
                p.waitFor(10, TimeUnit.SECONDS);
            }
            return new Result(clients, ops, Math.max(1, last - first));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while benchmarking", e);
        } finally {
            for (Process p : procs) {
                p.destroyForcibly();
            }
        }
    }

    private static String exitOf(Process p) throws InterruptedException {
        return p.waitFor(2, TimeUnit.SECONDS) ? Integer.toString(p.exitValue()) : "still running";
    }
}
