package org.xenpv.cli.bench;

import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/**
 * The benchmark's request mix (write, read, read, directory over 16 keys; see {@code storebench.c}) fed
 * straight into the daemon engine on one thread, no socket: the upper bound the server's transport works
 * against.
 */
final class EngineStoreBench {

    private EngineStoreBench() {
    }

    /** Requests per second after a warm-up of {@code ops / 2}. */
    static double opsPerSecond(long ops) {
        XenStore store = XenStore.create();
        long[] replies = new long[1];
        XsConnection c = store.connect(0, true, m -> replies[0]++);
        int keys = 16;
        XsMessage[] writes = new XsMessage[keys];
        XsMessage[] reads = new XsMessage[keys];
        byte[] value = XsPayload.bytes("0123456789abcdef0123456789abcdef");
        for (int k = 0; k < keys; k++) {
            writes[k] = XsMessage.write(k, 0, "/bench/engine/k" + k, value);
            reads[k] = XsMessage.of(XsType.READ, k, 0, "/bench/engine/k" + k);
            c.handle(writes[k]);
        }
        XsMessage dir = XsMessage.of(XsType.DIRECTORY, 99, 0, "/bench/engine");
        run(c, writes, reads, dir, ops / 2);
        long t0 = System.nanoTime();
        run(c, writes, reads, dir, ops);
        long t1 = System.nanoTime();
        c.close();
        return ops * 1e9 / Math.max(1, t1 - t0);
    }

    private static void run(XsConnection c, XsMessage[] writes, XsMessage[] reads, XsMessage dir, long ops) {
        for (long i = 0; i < ops; i++) {
            int k = (int) (i % writes.length);
            switch ((int) (i & 3)) {
                case 0 -> c.handle(writes[k]);
                case 1, 2 -> c.handle(reads[k]);
                default -> c.handle(dir);
            }
        }
    }
}
