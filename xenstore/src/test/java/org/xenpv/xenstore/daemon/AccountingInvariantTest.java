package org.xenpv.xenstore.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenpv.xenstore.store.NodeRecord;
import org.xenpv.xenstore.store.XsPath;
import org.xenpv.xenstore.watch.Watch;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/**
 * Seeded random request mixes from dom0 and two guests (writes, mkdir, rm, set_perms, watches,
 * transactions that commit, abort or conflict); afterwards cxenstored's bookkeeping must add up: node
 * counts per owner, memory per domain (records + keys + watches), no leftover transaction copies, and a
 * tree whose child lists match the records.
 */
class AccountingInvariantTest {

    private static final String[] NAMES = {"a", "b", "c", "dd", "e"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 4711})
    void bookkeepingAddsUp(long seed) {
        Random rnd = new Random(seed);
        XenStore s = XenStore.create();
        List<XsMessage> sink = new ArrayList<>();
        XsConnection a = s.connect(0, true, sink::add);
        XsConnection g = s.connect(5, false, sink::add);
        XsConnection h = s.connect(6, false, sink::add);
        XsConnection[] conns = {a, g, h};
        int[] req = {0};
        for (int d : new int[] {5, 6}) {
            a.handle(XsMessage.of(XsType.MKDIR, ++req[0], 0, "/local/domain/" + d));
            a.handle(XsMessage.of(XsType.SET_PERMS, ++req[0], 0, "/local/domain/" + d, "n" + d, "r0"));
        }
        Map<XsConnection, Integer> openTx = new HashMap<>();
        for (int i = 0; i < 1500; i++) {
            XsConnection c = conns[rnd.nextInt(conns.length)];
            int tx = openTx.getOrDefault(c, 0);
            String path = randomPath(rnd);
            int r = ++req[0];
            switch (rnd.nextInt(11)) {
                case 0, 1, 2 -> c.handle(XsMessage.write(r, tx, path, XsPayload.bytes("v".repeat(rnd.nextInt(40)))));
                case 3 -> c.handle(XsMessage.of(XsType.MKDIR, r, tx, path));
                case 4 -> c.handle(XsMessage.of(XsType.RM, r, tx, path));
                case 5 -> c.handle(XsMessage.of(XsType.SET_PERMS, r, tx, path,
                        "n" + new int[] {0, 5, 6}[rnd.nextInt(3)], "r" + new int[] {0, 5, 6}[rnd.nextInt(3)]));
                case 6 -> c.handle(XsMessage.of(XsType.WATCH, r, 0, path, "t" + rnd.nextInt(3)));
                case 7 -> c.handle(XsMessage.of(XsType.UNWATCH, r, 0, path, "t" + rnd.nextInt(3)));
                case 8 -> {
                    if (tx == 0) {
                        sink.clear();
                        c.handle(XsMessage.of(XsType.TRANSACTION_START, r, 0, ""));
                        XsMessage reply = sink.get(sink.size() - 1);
                        if (reply.type() == XsType.TRANSACTION_START.code()) {
                            openTx.put(c, Integer.parseInt(XsPayload.cString(reply.payload(), 0)));
                        }
                    }
                }
                case 9 -> {
                    if (tx != 0) {
                        c.handle(XsMessage.of(XsType.TRANSACTION_END, r, tx, rnd.nextBoolean() ? "T" : "F"));
                        openTx.remove(c);
                    }
                }
                default -> c.handle(XsMessage.of(XsType.READ, r, tx, path));
            }
        }
        for (Map.Entry<XsConnection, Integer> e : openTx.entrySet()) {
            e.getKey().handle(XsMessage.of(XsType.TRANSACTION_END, ++req[0], e.getValue(), "F"));
        }

        Map<String, NodeRecord> tree = s.dump();
        assertThat(s.databaseSize()).as("no transaction copies or unreachable records").isEqualTo(tree.size());
        for (Map.Entry<String, NodeRecord> e : tree.entrySet()) {
            if (!e.getKey().equals("/")) {
                NodeRecord parent = tree.get(XsPath.parent(e.getKey()));
                assertThat(parent.childNames()).as("parent lists %s", e.getKey()).contains(XsPath.basename(e.getKey()));
            }
        }
        for (int d : new int[] {0, 5, 6}) {
            int nodes = 0;
            int memory = 0;
            for (Map.Entry<String, NodeRecord> e : tree.entrySet()) {
                if (e.getValue().perms().get(0).domid() == d) {
                    nodes++;
                    memory += e.getValue().size() + e.getKey().length();
                }
            }
            for (XsConnection c : s.connections()) {
                if (c.domid() == d) {
                    for (Watch w : c.watches()) {
                        memory += w.accountedSize();
                    }
                }
            }
            XenStore.DomainUsage u = s.domainUsage(d).orElseThrow();
            assertThat(u.nodes()).as("node count of domain %d", d).isEqualTo(nodes);
            assertThat(u.memory()).as("memory of domain %d", d).isEqualTo(memory);
            assertThat(u.transactions()).isZero();
        }
    }

    private static String randomPath(Random rnd) {
        String base = switch (rnd.nextInt(4)) {
            case 0 -> "/local/domain/5";
            case 1 -> "/local/domain/6";
            case 2 -> "/shared";
            default -> "rel";
        };
        StringBuilder sb = new StringBuilder(base);
        int depth = rnd.nextInt(3);
        for (int i = 0; i < depth; i++) {
            sb.append('/').append(NAMES[rnd.nextInt(NAMES.length)]);
        }
        return sb.toString();
    }
}
