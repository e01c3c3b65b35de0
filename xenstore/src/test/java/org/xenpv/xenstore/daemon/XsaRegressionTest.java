package org.xenpv.xenstore.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.wire.XsFrameDecoder;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsProtocolException;
import org.xenpv.xenstore.wire.XsType;

/**
 * One regression test per XenStore security advisory of xen-pv-protocols.md §7.1 whose check applies to
 * a cxenstored-compatible daemon. Scenario scripts cover more detail (scripts/*.xs).
 */
class XsaRegressionTest {

    /** A connection with a recorded output. */
    static final class Client {
        final XsConnection conn;
        final List<XsMessage> out = new ArrayList<>();
        int req;

        Client(XenStore s, int domid, boolean priv) {
            conn = s.connect(domid, priv, out::add);
        }

        /** Sends a request and returns what came back; {@link #out} then only collects later deliveries. */
        List<XsMessage> send(XsType type, int tx, byte[] payload) {
            out.clear();
            conn.handle(new XsMessage(type.code(), ++req, tx, payload));
            List<XsMessage> r = new ArrayList<>(out);
            out.clear();
            return r;
        }

        /** Messages delivered since the last request or drain. */
        List<XsMessage> drain() {
            List<XsMessage> r = new ArrayList<>(out);
            out.clear();
            return r;
        }

        List<XsMessage> send(XsType type, String... args) {
            return send(type, 0, XsPayload.strings(args));
        }

        /** Payload of the single reply (fails on anything else). */
        String reply(XsType type, String... args) {
            List<XsMessage> r = send(type, args);
            assertThat(r).as("replies to %s", type).hasSize(1);
            return (XsScript.typeName(r.get(0).type()) + " " + XsScript.escape(r.get(0).payload())).stripTrailing();
        }

        String write(String path, String value) {
            List<XsMessage> r = send(XsType.WRITE, 0, XsPayload.pathAndValue(path, XsPayload.bytes(value)));
            return (XsScript.typeName(r.get(r.size() - 1).type()) + " " + XsScript.escape(r.get(r.size() - 1).payload()))
                    .stripTrailing();
        }
    }

    private static XenStore daemon() {
        return XenStore.create();
    }

    /** dom0 gives /local/domain/<domid> to the domain, as a toolstack does. */
    private static void homeFor(Client dom0, int domid) {
        dom0.send(XsType.MKDIR, "/local/domain/" + domid);
        dom0.send(XsType.SET_PERMS, "/local/domain/" + domid, "n" + domid);
    }

    @Test
    @DisplayName("XSA-72: a 4097-byte header is a protocol error; an oversize reply becomes E2BIG")
    void xsa72() throws Exception {
        XsFrameDecoder d = new XsFrameDecoder();
        byte[] hdr = new XsHeader(XsType.READ.code(), 1, 0, 4097).toBytes();
        assertThatThrownBy(() -> d.decode(hdr, 0, hdr.length)).isInstanceOf(XsProtocolException.class)
                .hasMessageContaining("4097").extracting(e -> ((XsProtocolException) e).reason()).isEqualTo(3);

        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        String name = "c".repeat(2000);
        a.send(XsType.MKDIR, "/" + name);
        a.send(XsType.MKDIR, "/" + name.replace('c', 'd'));
        a.send(XsType.MKDIR, "/" + name.replace('c', 'e'));
        assertThat(a.reply(XsType.DIRECTORY, "/")).isEqualTo("ERROR E2BIG\\0");
        assertThat(a.reply(XsType.READ, "/tool")).isEqualTo("READ");
    }

    @Test
    @DisplayName("XSA-115: events only for readable nodes (old perms count), special events need permission, "
            + "IS_DOMAIN_INTRODUCED is privileged, WATCH ignores tx_id")
    void xsa115() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        Client g = new Client(s, 5, false);
        a.write("/secret", "x");
        g.send(XsType.WATCH, "/", "all");
        g.send(XsType.WATCH, "@introduceDomain", "i");
        assertThat(a.write("/secret", "y")).isEqualTo("WRITE OK\\0");
        assertThat(g.out).isEmpty();
        a.send(XsType.INTRODUCE, "9", "0", "1");
        assertThat(g.out).isEmpty();
        a.write("/local/domain/5/pub", "v");
        a.send(XsType.SET_PERMS, "/local/domain/5/pub", "n0", "r5");
        assertThat(g.drain()).containsExactly(XsMessage.of(XsType.WATCH_EVENT, 0, 0, "/local/domain/5/pub", "all"));
        a.send(XsType.SET_PERMS, "/local/domain/5/pub", "n0");
        assertThat(g.drain()).as("revocation is still reported")
                .containsExactly(XsMessage.of(XsType.WATCH_EVENT, 0, 0, "/local/domain/5/pub", "all"));
        a.write("/local/domain/5/pub", "after");
        assertThat(g.drain()).isEmpty();
        assertThat(g.reply(XsType.IS_DOMAIN_INTRODUCED, "0")).isEqualTo("ERROR EACCES\\0");
        List<XsMessage> r = g.send(XsType.WATCH, 4711, XsPayload.strings("/w", "t"));
        assertThat(r).extracting(XsMessage::type).containsExactly(XsType.WATCH.code(), XsType.WATCH_EVENT.code());
    }

    @Test
    @DisplayName("XSA-322/XSA-417: a destroyed domain's permission entries are not inherited by a reused domid")
    void xsa322() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        a.send(XsType.INTRODUCE, "5", "0", "1");
        a.write("/shared", "s");
        a.send(XsType.SET_PERMS, "/shared", "n0", "r5");
        a.send(XsType.RELEASE, "5");
        a.write("/toolstack/step", "domain 5 destroyed");
        a.send(XsType.INTRODUCE, "5", "0", "1");
        List<XsMessage> o = new ArrayList<>();
        XsConnection g = s.domainConnection(5).orElseThrow();
        g.setOutput(o::add);
        g.handle(XsMessage.of(XsType.READ, 1, 0, "/shared"));
        assertThat(o).containsExactly(XsMessage.of(XsType.ERROR, 1, 0, "EACCES"));
    }

    @Test
    @DisplayName("XSA-324: a watch event longer than 4096 bytes is dropped and the daemon carries on")
    void xsa324() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        Client b = new Client(s, 0, true);
        String token = "t".repeat(4000);
        assertThat(b.send(XsType.WATCH, "/", token)).hasSize(2);
        assertThat(a.write("/" + "p".repeat(100), "v")).isEqualTo("WRITE OK\\0");
        assertThat(b.out).isEmpty();
        assertThat(a.write("/short", "v")).isEqualTo("WRITE OK\\0");
        assertThat(b.out).containsExactly(XsMessage.of(XsType.WATCH_EVENT, 0, 0, "/short", token));
    }

    @Test
    @DisplayName("XSA-325: a misbehaving guest is ignored; @releaseDomain fires only when the domain is destroyed")
    void xsa325() {
        XsScript sc = new XsScript();
        Client a = new Client(sc.store, 0, true);
        a.send(XsType.WATCH, "@releaseDomain", "r");
        Client g = new Client(sc.store, 5, false);
        g.conn.protocolError(XsProtocolException.ERROR_PROTO);
        assertThat(g.conn.isIgnored()).isTrue();
        assertThat(a.out).isEmpty();
        assertThat(sc.trace()).contains("CONN " + XsTraceSink.pointer(g.conn.traceId()) + " ignored, reason 3");
        assertThat(g.send(XsType.READ, "/")).isEmpty();
        sc.platform.kill(5);
        sc.store.checkDomains();
        assertThat(a.out).containsExactly(XsMessage.of(XsType.WATCH_EVENT, 0, 0, "@releaseDomain", "r"));
    }

    @Test
    @DisplayName("XSA-326: outstanding requests, memory, per-transaction nodes and unread events are bounded")
    void xsa326() {
        XsScript sc = new XsScript();
        XenStore s = sc.store;
        Client a = new Client(s, 0, true);
        Client g = new Client(s, 5, false);
        homeFor(a, 5);
        // Unread replies: after "outstanding" undelivered replies the domain's input is not read.
        g.conn.setOutputBlocked(true);
        for (int i = 0; i < 19; i++) {
            g.send(XsType.READ, "/local/domain/5");
            assertThat(g.conn.canAcceptInput()).isTrue();
        }
        g.send(XsType.READ, "/local/domain/5");
        assertThat(g.conn.canAcceptInput()).isFalse();
        g.conn.setOutputBlocked(false);
        assertThat(g.out).hasSize(20);
        assertThat(g.conn.canAcceptInput()).isTrue();
        // A request whose watch events are still queued for another connection stays outstanding.
        Client b = new Client(s, 0, true);
        b.send(XsType.WATCH, "/local/domain/5", "b");
        b.conn.setOutputBlocked(true);
        for (int i = 0; i < 20; i++) {
            g.write("w" + i, "x");
        }
        assertThat(g.conn.canAcceptInput()).isFalse();
        b.conn.setOutputBlocked(false);
        assertThat(b.drain()).hasSize(20);
        assertThat(g.conn.canAcceptInput()).isTrue();
        b.conn.close();
        // Unread watch events time out after 20 s (default -w watch-event=20).
        g.send(XsType.WATCH, "/local/domain/5", "t");
        g.conn.setOutputBlocked(true);
        a.write("/local/domain/5/e", "1");
        assertThat(g.conn.pendingOutput()).isEqualTo(1);
        sc.clock[0] += 20_001;
        s.poll();
        assertThat(g.conn.pendingOutput()).isZero();
        assertThat(sc.trace()).contains("watch event path /local/domain/5/e for domain 5 timed out");
        g.conn.setOutputBlocked(false);
        // Nodes per transaction.
        s.quotas().set(XsQuota.TRANSACTION_NODES, 2);
        g.send(XsType.TRANSACTION_START, "");
        g.send(XsType.READ, 1, XsPayload.strings("/local/domain/5"));
        g.send(XsType.READ, 1, XsPayload.strings("/local/domain/5/e"));
        assertThat(XsScript.escape(g.send(XsType.READ, 1, XsPayload.strings("/local/domain/5/x")).get(0).payload()))
                .isEqualTo("ENOSPC\\0");
        assertThat(XsScript.escape(g.send(XsType.TRANSACTION_END, 1, XsPayload.strings("T")).get(0).payload()))
                .isEqualTo("ENOMEM\\0");
        // Memory: over the hard quota the domain is refused and its input stalls.
        int used = s.domainUsage(5).orElseThrow().memory();
        s.quotas().set(XsQuota.MEMORY, used + 10);
        assertThat(g.write("new", "0123456789")).isEqualTo("ERROR EIO\\0");
        assertThat(a.write("/local/domain/5/fromdom0", "x")).as("nodes dom0 creates for domain 5 count for 5")
                .isEqualTo("ERROR EIO\\0");
        assertThat(g.conn.canAcceptInput()).isTrue();
        s.quotas().set(XsQuota.MEMORY, used);
        assertThat(g.conn.canAcceptInput()).as("at the hard quota the domain's input stalls").isFalse();
    }

    @Test
    @DisplayName("XSA-330: RESET_WATCHES leaves the domain's watch count at 0 (no quota bypass)")
    void xsa330() {
        XenStore s = daemon();
        Client g = new Client(s, 5, false);
        s.quotas().set(XsQuota.WATCHES, 1);
        g.send(XsType.WATCH, "/a", "1");
        g.send(XsType.WATCH, "/a", "2");
        assertThat(g.reply(XsType.WATCH, "/a", "3")).isEqualTo("ERROR E2BIG\\0");
        g.send(XsType.RESET_WATCHES, "");
        assertThat(s.domainUsage(5).orElseThrow().watches()).isZero();
        assertThat(g.conn.watchCount()).isZero();
        g.send(XsType.WATCH, "/a", "1");
        g.send(XsType.WATCH, "/a", "2");
        assertThat(g.reply(XsType.WATCH, "/a", "3")).isEqualTo("ERROR E2BIG\\0");
    }

    @Test
    @DisplayName("XSA-352: a domain cannot change the owner of its node (EPERM)")
    void xsa352() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        Client g = new Client(s, 5, false);
        homeFor(a, 5);
        g.send(XsType.MKDIR, "mine");
        assertThat(g.reply(XsType.SET_PERMS, "mine", "n0")).isEqualTo("ERROR EPERM\\0");
        assertThat(g.reply(XsType.SET_PERMS, "mine", "n6")).as("a non-existent owner is refused first")
                .isEqualTo("ERROR ENOENT\\0");
        assertThat(g.reply(XsType.SET_PERMS, "mine", "n0", "b5")).isEqualTo("ERROR EPERM\\0");
        assertThat(a.reply(XsType.GET_PERMS, "/local/domain/5/mine")).isEqualTo("GET_PERMS n5\\0");
    }

    @Test
    @DisplayName("XSA-353: a domain may not list, change or remove /")
    void xsa353() {
        XenStore s = daemon();
        Client g = new Client(s, 5, false);
        assertThat(g.reply(XsType.DIRECTORY, "/")).isEqualTo("ERROR EACCES\\0");
        assertThat(g.reply(XsType.SET_PERMS, "/", "b5")).isEqualTo("ERROR EACCES\\0");
        assertThat(g.reply(XsType.RM, "/")).isEqualTo("ERROR EACCES\\0");
        assertThat(g.reply(XsType.GET_PERMS, "/")).isEqualTo("ERROR EACCES\\0");
        assertThat(s.node("/").orElseThrow().perms().toString()).isEqualTo("n0");
    }

    @Test
    @DisplayName("XSA-414: a quota failure in the middle of a multi-node create leaves nothing behind")
    void xsa414() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        Client g = new Client(s, 5, false);
        homeFor(a, 5);
        s.quotas().set(XsQuota.NODES, 3);
        int records = s.databaseSize();
        assertThat(g.reply(XsType.MKDIR, "x/y/z")).isEqualTo("ERROR ENOSPC\\0");
        assertThat(s.databaseSize()).isEqualTo(records);
        assertThat(s.domainUsage(5).orElseThrow().nodes()).isEqualTo(1);
        assertThat(a.reply(XsType.DIRECTORY, "/local/domain/5")).isEqualTo("DIRECTORY");
        assertThat(g.reply(XsType.MKDIR, "x/y")).isEqualTo("MKDIR OK\\0");
    }

    @Test
    @DisplayName("XSA-415: a transaction in which a node creation failed cannot commit")
    void xsa415() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        Client g = new Client(s, 5, false);
        homeFor(a, 5);
        // Parent record = 24 + 8 + 2000 bytes: adding a 16-character child name pushes it to 2049 >= 2048.
        a.write("/local/domain/5", "v".repeat(2000));
        g.send(XsType.TRANSACTION_START, "");
        List<XsMessage> r = g.send(XsType.WRITE, 1, XsPayload.pathAndValue("newchildlong1234/x", XsPayload.bytes("v")));
        assertThat(XsScript.escape(r.get(0).payload())).isEqualTo("ENOSPC\\0");
        g.send(XsType.WRITE, 1, XsPayload.pathAndValue("other", XsPayload.bytes("v")));
        r = g.send(XsType.TRANSACTION_END, 1, XsPayload.strings("T"));
        assertThat(XsScript.escape(r.get(0).payload())).isEqualTo("ENOMEM\\0");
        assertThat(s.node("/local/domain/5/other")).isEmpty();
        assertThat(s.node("/local/domain/5/newchildlong1234")).isEmpty();
        assertThat(s.databaseSize()).as("no transaction copies left").isEqualTo(s.dump().size());
    }

    @Test
    @DisplayName("XSA-416: queued replies are accounted while unread and released once delivered")
    void xsa416() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        Client g = new Client(s, 5, false);
        homeFor(a, 5);
        int base = s.domainUsage(5).orElseThrow().memory();
        g.conn.setOutputBlocked(true);
        g.send(XsType.READ, "/local/domain/5");
        g.send(XsType.GET_DOMAIN_PATH, "5");
        assertThat(s.domainUsage(5).orElseThrow().memory()).isEqualTo(base + (16 + 0) + (16 + 16));
        g.conn.setOutputBlocked(false);
        assertThat(s.domainUsage(5).orElseThrow().memory()).isEqualTo(base);
    }

    @Test
    @DisplayName("XSA-418: a 1000-level deep tree can be created, walked and removed")
    void xsa418() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        String path = "/a".repeat(1000);
        assertThat(a.write(path, "deep")).isEqualTo("WRITE OK\\0");
        assertThat(a.reply(XsType.READ, path)).isEqualTo("READ deep");
        assertThat(a.reply(XsType.CONTROL, "check")).isEqualTo("CONTROL OK\\0");
        assertThat(a.reply(XsType.RM, "/a")).isEqualTo("RM OK\\0");
        assertThat(s.dump().keySet()).containsExactly("/", "/tool", "/tool/xenstored");
    }

    @Test
    @DisplayName("XSA-419: nodes owned by a destroyed domain are deleted")
    void xsa419() {
        XsScript sc = new XsScript();
        Client a = new Client(sc.store, 0, true);
        Client g = new Client(sc.store, 5, false);
        homeFor(a, 5);
        for (int i = 0; i < 10; i++) {
            g.write("n" + i, "v");
        }
        a.write("/elsewhere/given", "x");
        a.send(XsType.SET_PERMS, "/elsewhere/given", "n5");
        assertThat(sc.store.domainUsage(5).orElseThrow().nodes()).isEqualTo(12);
        sc.platform.kill(5);
        sc.store.checkDomains();
        assertThat(sc.store.dump().keySet()).noneMatch(k -> k.startsWith("/local/domain/5") || k.equals("/elsewhere/given"));
        assertThat(sc.store.node("/elsewhere")).isPresent();
        assertThat(sc.store.domainUsage(5)).isEmpty();
    }

    @Test
    @DisplayName("XSA-420: a header length with the top bit set is a protocol error, not a huge allocation")
    void xsa420() {
        XsFrameDecoder d = new XsFrameDecoder();
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(XsType.WRITE.code()).putInt(1).putInt(0).putInt(0x80000010).flip();
        assertThatThrownBy(() -> d.decode(b)).isInstanceOf(XsProtocolException.class).hasMessageContaining("2147483664");
        assertThat(d.failed()).isTrue();
    }

    @Test
    @DisplayName("XSA-421: a node created and deleted in one transaction commits cleanly with correct accounting")
    void xsa421() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        Client g = new Client(s, 5, false);
        homeFor(a, 5);
        int nodes = s.domainUsage(5).orElseThrow().nodes();
        int memory = s.domainUsage(5).orElseThrow().memory();
        g.send(XsType.TRANSACTION_START, "");
        g.send(XsType.WRITE, 1, XsPayload.pathAndValue("tmp/x", XsPayload.bytes("v")));
        g.send(XsType.RM, 1, XsPayload.strings("tmp"));
        List<XsMessage> r = g.send(XsType.TRANSACTION_END, 1, XsPayload.strings("T"));
        assertThat(r).containsExactly(new XsMessage(XsType.TRANSACTION_END.code(), g.req, 1, XsPayload.strings("OK")));
        assertThat(s.domainUsage(5).orElseThrow().nodes()).isEqualTo(nodes);
        assertThat(s.domainUsage(5).orElseThrow().memory()).isEqualTo(memory);
        assertThat(s.node("/local/domain/5/tmp")).isEmpty();
        assertThat(s.databaseSize()).isEqualTo(s.dump().size());
    }

    @Test
    @DisplayName("XSA-425: RELEASE of a domain with watches and open transactions")
    void xsa425() {
        XsScript sc = new XsScript();
        Client a = new Client(sc.store, 0, true);
        a.send(XsType.INTRODUCE, "5", "0", "1");
        XsConnection g = sc.store.domainConnection(5).orElseThrow();
        g.handle(XsMessage.of(XsType.WATCH, 1, 0, "/w", "t"));
        g.handle(XsMessage.of(XsType.TRANSACTION_START, 2, 0, ""));
        assertThat(a.reply(XsType.RELEASE, "5")).isEqualTo("RELEASE OK\\0");
        assertThat(g.isClosed()).isTrue();
        assertThat(sc.trace()).contains("DESTROY watch").contains("DESTROY transaction");
        assertThat(a.reply(XsType.RELEASE, "5")).isEqualTo("ERROR ENOENT\\0");
        assertThat(sc.store.databaseSize()).isEqualTo(sc.store.dump().size());
    }

    @Test
    @DisplayName("XSA-440: commit after the domain's nodes were removed outside the transaction")
    void xsa440() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        Client g = new Client(s, 5, false);
        homeFor(a, 5);
        g.write("n", "v");
        g.send(XsType.TRANSACTION_START, "");
        g.send(XsType.RM, 1, XsPayload.strings("n"));
        a.send(XsType.RM, "/local/domain/5");
        assertThat(s.domainUsage(5).orElseThrow().nodes()).isZero();
        List<XsMessage> r = g.send(XsType.TRANSACTION_END, 1, XsPayload.strings("T"));
        assertThat(XsScript.escape(r.get(0).payload())).isEqualTo("EAGAIN\\0");
        assertThat(s.domainUsage(5).orElseThrow().nodes()).isZero();
        assertThat(a.reply(XsType.READ, "/tool")).isEqualTo("READ");
    }

    @Test
    @DisplayName("XSA-481: the path /local/domain/ is EINVAL and the daemon stays alive")
    void xsa481() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        Client g = new Client(s, 5, false);
        for (XsType t : new XsType[] {XsType.READ, XsType.WRITE, XsType.MKDIR, XsType.RM, XsType.DIRECTORY,
            XsType.GET_PERMS}) {
            assertThat(a.reply(t, "/local/domain/")).isEqualTo("ERROR EINVAL\\0");
            assertThat(g.reply(t, "/local/domain/")).isEqualTo("ERROR EINVAL\\0");
        }
        assertThat(a.reply(XsType.WATCH, "/local/domain/", "t")).isEqualTo("ERROR EINVAL\\0");
        assertThat(a.reply(XsType.SET_PERMS, "/local/domain/", "n0")).isEqualTo("ERROR EINVAL\\0");
        assertThat(a.reply(XsType.READ, "/tool")).isEqualTo("READ");
    }

    @Test
    @DisplayName("XSA-483: a recycled domid starts with a node count of 0")
    void xsa483() {
        XenStore s = daemon();
        Client a = new Client(s, 0, true);
        a.send(XsType.INTRODUCE, "5", "0", "1");
        homeFor(a, 5);
        XsConnection g = s.domainConnection(5).orElseThrow();
        for (int i = 0; i < 5; i++) {
            g.handle(XsMessage.write(i + 1, 0, "n" + i, XsPayload.bytes("v")));
        }
        assertThat(s.domainUsage(5).orElseThrow().nodes()).isEqualTo(6);
        a.send(XsType.RELEASE, "5");
        a.send(XsType.INTRODUCE, "5", "0", "1");
        assertThat(s.domainUsage(5).orElseThrow().nodes()).isZero();
        assertThat(s.domainUsage(5).orElseThrow().memory()).isZero();
    }

    @Test
    @DisplayName("XSA-484: RESET_WATCHES inside a transaction and a connection error mid-transaction")
    void xsa484() {
        XenStore s = daemon();
        Client g = new Client(s, 5, false);
        g.send(XsType.TRANSACTION_START, "");
        List<XsMessage> r = g.send(XsType.RESET_WATCHES, 1, XsPayload.strings(""));
        assertThat(r).containsExactly(new XsMessage(XsType.RESET_WATCHES.code(), g.req, 1, XsPayload.strings("OK")));
        assertThat(g.conn.openTransactions()).isZero();
        g.send(XsType.TRANSACTION_START, "");
        g.conn.protocolError(XsProtocolException.ERROR_RINGIDX);
        assertThat(g.conn.openTransactions()).isZero();
        Client a = new Client(s, 0, true);
        assertThat(a.reply(XsType.IS_DOMAIN_INTRODUCED, "5")).isEqualTo("IS_DOMAIN_INTRODUCED T\\0");
        assertThat(s.databaseSize()).isEqualTo(s.dump().size());
    }
}
