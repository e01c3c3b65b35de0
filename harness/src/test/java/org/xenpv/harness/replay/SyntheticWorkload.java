package org.xenpv.harness.replay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * A seeded random mix of toolstack-like traffic for long traces: three dom0 clients and a guest over
 * its ring, writes and reads of a bounded set of nodes (so the tree stays small however long it runs),
 * directory listings, permissions, watches firing on another connection, transactions (some conflicting,
 * some aborted), subtree removal and the usual errors. Runs until {@code lines} says the trace is long
 * enough. It keeps to what the 4.17 trace can tell (no spaces in values, one transaction per connection,
 * no tx-0 requests while it is open), so a replay of its trace must not diverge.
 */
final class SyntheticWorkload {

    private static final int KEYS = 40;
    private static final int[] MIX = {30, 20, 8, 4, 3, 5, 4, 6, 10, 4, 3, 3};

    private final SplittableRandom rnd;
    private final ReplayTarget rig;
    private final List<XsConnection> dom0 = new ArrayList<>();
    private XsConnection guest;
    private long ops;

    SyntheticWorkload(ReplayTarget rig, long seed) {
        this.rig = rig;
        this.rnd = new SplittableRandom(seed);
    }

    /** Runs until {@code lines.getAsLong() >= target}; returns the number of operations. */
    long run(LongSupplier lines, long target) throws Exception {
        for (String n : List.of("xl", "qemu", "backend")) {
            dom0.add(rig.openSocket(n));
        }
        XsConnection xl = dom0.get(0);
        XsConnection watcher = dom0.get(2);
        xl.mkdir("/local/domain/5");
        xl.setPerms("/local/domain/5", "n5", "r0");
        rig.beforeIntroduce(5);
        xl.introduce(5, 0, 7);
        guest = rig.domainConnection(5, "dom5");
        watcher.watch("/data/k1", "w1");
        watcher.watch("/data/k2", "w2");
        watcher.watch("/local/domain/5/data", "guest");
        while (lines.getAsLong() < target) {
            step();
            ops++;
            if ((ops & 1023) == 0) {
                for (XsConnection c : dom0) {
                    c.takeEvents();
                }
                guest.takeEvents();
            }
        }
        for (XsConnection c : dom0) {
            c.close();
        }
        return ops;
    }

    private void step() throws XsClientException {
        int pick = rnd.nextInt(100);
        int kind = 0;
        while (pick >= MIX[kind]) {
            pick -= MIX[kind];
            kind++;
        }
        XsConnection c = dom0.get(rnd.nextInt(dom0.size()));
        String key = "/data/k" + rnd.nextInt(KEYS) + (rnd.nextBoolean() ? "" : "/sub" + rnd.nextInt(4));
        switch (kind) {
            case 0 -> c.write(key, "v" + ops);
            case 1 -> request(c, XsType.READ, 0, key);
            case 2 -> request(c, XsType.DIRECTORY, 0, "/data/k" + rnd.nextInt(KEYS));
            case 3 -> request(c, XsType.GET_PERMS, 0, key);
            case 4 -> request(c, XsType.SET_PERMS, 0, key, "n0", "r5");
            case 5 -> request(c, XsType.RM, 0, "/data/k" + rnd.nextInt(KEYS));
            case 6 -> request(c, XsType.MKDIR, 0, key);
            case 7 -> transaction(c, key);
            case 8 -> guestStep();
            case 9 -> {
                String tok = "t" + rnd.nextInt(3);
                request(c, rnd.nextBoolean() ? XsType.WATCH : XsType.UNWATCH, 0, "/data/k" + rnd.nextInt(KEYS), tok);
            }
            case 10 -> request(c, XsType.READ, 0, rnd.nextBoolean() ? "/data//bad" : "/nonexistent/" + ops);
            default -> request(c, XsType.GET_DOMAIN_PATH, 0, Integer.toString(rnd.nextInt(8)));
        }
    }

    private void transaction(XsConnection c, String key) throws XsClientException {
        XsSocketMessage r = request(c, XsType.TRANSACTION_START, 0, "");
        int tx = Integer.parseInt(r.stringList().get(0));
        request(c, XsType.READ, tx, key);
        if (rnd.nextInt(4) == 0) {
            XsConnection other = dom0.get(rnd.nextInt(dom0.size()));
            if (other != c) {
                other.write(key, "conflict" + ops);
            }
        }
        c.write(tx, key, ("t" + ops).getBytes(StandardCharsets.ISO_8859_1));
        request(c, XsType.TRANSACTION_END, tx, rnd.nextInt(5) == 0 ? "F" : "T");
    }

    private void guestStep() throws XsClientException {
        switch (rnd.nextInt(4)) {
            case 0 -> guest.write("data/g" + rnd.nextInt(8), ("g" + ops).getBytes(StandardCharsets.ISO_8859_1));
            case 1 -> request(guest, XsType.READ, 0, "data/g" + rnd.nextInt(10));
            case 2 -> request(guest, XsType.WRITE, 0, "/data/k1", "denied");
            default -> request(guest, XsType.DIRECTORY, 0, "data");
        }
    }

    /** Sends a request of strings and returns its reply, error or not. */
    private static XsSocketMessage request(XsConnection c, XsType type, int tx, String... args)
            throws XsClientException {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            sb.append(a).append('\0');
        }
        if (type == XsType.WRITE && args.length == 2) {
            sb.setLength(sb.length() - 1);
        }
        int id = c.send(type.code(), tx, sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        return c.awaitReply(id, c.timeout().isZero() ? java.time.Duration.ofSeconds(5) : c.timeout());
    }
}
