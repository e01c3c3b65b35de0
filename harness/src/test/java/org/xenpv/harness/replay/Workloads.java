package org.xenpv.harness.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.xenpv.xenstore.client.XsBytes;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsErrorException;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.wire.XsError;
import org.xenpv.xenstore.wire.XsType;

/**
 * Toolstack-like xenstore workloads, run against any {@link ReplayTarget} (the real cxenstored rig to
 * record traces, or xenpv's daemon to capture its own). Each asserts the replies it relies on, so a
 * workload also pins the daemon's behaviour. Domain 5 must exist for the hypervisor.
 *
 * <p>They avoid what the cxenstored 4.17 trace cannot tell, where they can: no spaces or NULs in values
 * (except {@link #binaryValues}, which is about exactly that), at most one open transaction per
 * connection, and no tx-0 requests on a connection while its transaction is open. Requests inside a
 * transaction remain ambiguous in a 4.17 trace (it records no tx_id); the replay's guess is right for them.
 */
final class Workloads {

    static final int DOMID = 5;
    static final String DOM = "/local/domain/5";
    static final String VM = "/vm/00000000-0000-0000-0000-000000000005";
    static final String VBD_FE = DOM + "/device/vbd/51712";
    static final String VBD_BE = "/local/domain/0/backend/vbd/5/51712";
    static final String VIF_FE = DOM + "/device/vif/0";
    static final String VIF_BE = "/local/domain/0/backend/vif/5/0";

    /** A workload: drives a daemon through client connections. */
    interface Workload {
        void run(ReplayTarget rig) throws IOException, XsClientException;
    }

    /** The workloads recorded and replayed by the tests, by name. */
    static final List<String> NAMES = List.of("toolstack", "transactions", "binary-values", "domain-death");

    static Workload byName(String name) {
        return switch (name) {
            case "toolstack" -> Workloads::toolstack;
            case "transactions" -> Workloads::transactions;
            case "binary-values" -> Workloads::binaryValues;
            case "domain-death" -> Workloads::domainDeath;
            default -> throw new IllegalArgumentException("no workload " + name);
        };
    }

    private Workloads() {
    }

    /**
     * xl-style domain and device creation: the /local/domain/5 and /vm trees in a transaction, vbd and vif
     * backend/frontend directories with their permissions, INTRODUCE, the guest's frontend handshake over
     * its ring while a backend driver watches, guest errors (EACCES, ENOENT, EINVAL, EPERM), device
     * removal (RM of subtrees), RELEASE and cleanup.
     */
    static void toolstack(ReplayTarget rig) throws IOException, XsClientException {
        List<XsConnection> open = new ArrayList<>();
        try {
            XsConnection xl = track(open, rig.openSocket("xl"));
            XsConnection be = track(open, rig.openSocket("backend"));
            XsConnection watcher = track(open, rig.openSocket("watcher"));
            watcher.watch("@introduceDomain", "intro");
            watcher.watch("@releaseDomain", "release");
            be.watch("/local/domain/0/backend", "be");

            int t = xl.transactionStart();
            xl.mkdir(t, DOM);
            xl.setPerms(t, DOM, "n0", "r5");
            xl.write(t, DOM + "/vm", bytes(VM));
            xl.write(t, DOM + "/name", bytes("guest5"));
            xl.write(t, DOM + "/domid", bytes("5"));
            xl.mkdir(t, DOM + "/device");
            xl.mkdir(t, DOM + "/data");
            xl.setPerms(t, DOM + "/data", "n5");
            xl.write(t, VM + "/name", bytes("guest5"));
            xl.write(t, VM + "/uuid", bytes("00000000-0000-0000-0000-000000000005"));
            xl.transactionEnd(t, true);

            xl.write(DOM + "/memory/target", "524288");
            xl.write(DOM + "/memory/static-max", "524288");
            xl.setPerms(DOM + "/memory/target", "n0", "r5");

            device(xl, VBD_BE, VBD_FE, List.of("frontend", VBD_FE, "frontend-id", "5", "online", "1", "removable", "0",
                    "bootable", "1", "state", "1", "dev", "xvda", "type", "phy", "mode", "w", "device-type", "disk",
                    "params", "/dev/vg/guest5"), List.of("backend", VBD_BE, "backend-id", "0", "state", "1",
                    "virtual-device", "51712", "device-type", "disk"));
            device(xl, VIF_BE, VIF_FE, List.of("frontend", VIF_FE, "frontend-id", "5", "online", "1", "state", "1",
                    "mac", "00:16:3e:00:00:05", "bridge", "xenbr0", "handle", "0", "script",
                    "/etc/xen/scripts/vif-bridge"), List.of("backend", VIF_BE, "backend-id", "0", "state", "1",
                    "handle", "0", "mac", "00:16:3e:00:00:05"));
            be.watch(VBD_FE + "/state", "be-fe-vbd");
            be.watch(VIF_FE + "/state", "be-fe-vif");

            rig.beforeIntroduce(DOMID);
            xl.introduce(DOMID, 0, 7);
            assertThat(xl.isDomainIntroduced(DOMID)).isTrue();
            assertThat(xl.getDomainPath(DOMID)).isEqualTo(DOM);
            XsConnection g = rig.domainConnection(DOMID, "dom5");

            // the guest's frontends find their backends (relative paths) and connect
            assertThat(new String(g.read("domid"), StandardCharsets.ISO_8859_1)).isEqualTo("5");
            assertThat(g.directory("device")).containsExactly("vbd", "vif");
            assertThat(new String(g.read("device/vbd/51712/backend"), StandardCharsets.ISO_8859_1)).isEqualTo(VBD_BE);
            // take each initial event before anything else can fire the watch: cxenstored drops an event equal to
            // one still queued for a domain ("dropping duplicate watch"), which depends on when the ring is drained
            g.watch(VBD_BE + "/state", "fe-vbd");
            g.nextEvent(WAIT);
            g.watch(VIF_BE + "/state", "fe-vif");
            g.nextEvent(WAIT);
            g.write("device/vbd/51712/ring-ref", bytes("8"));
            g.write("device/vbd/51712/event-channel", bytes("9"));
            g.write("device/vbd/51712/protocol", bytes("x86_64-abi"));
            g.write("device/vbd/51712/state", bytes("3"));
            g.write("device/vif/0/tx-ring-ref", bytes("10"));
            g.write("device/vif/0/rx-ring-ref", bytes("11"));
            g.write("device/vif/0/event-channel", bytes("12"));
            g.write("device/vif/0/request-rx-copy", bytes("1"));
            g.write("device/vif/0/state", bytes("3"));

            // the backend reads what the frontend wrote and connects
            assertThat(new String(be.read(VBD_FE + "/ring-ref"), StandardCharsets.ISO_8859_1)).isEqualTo("8");
            be.write(VBD_BE + "/sectors", "16777216");
            be.write(VBD_BE + "/sector-size", "512");
            be.write(VBD_BE + "/info", "0");
            be.write(VBD_BE + "/feature-flush-cache", "1");
            be.write(VBD_BE + "/state", "4");
            be.write(VIF_BE + "/feature-rx-copy", "1");
            be.write(VIF_BE + "/state", "4");
            g.write("device/vbd/51712/state", bytes("4"));
            g.write("device/vif/0/state", bytes("4"));

            // guest errors: a backend node is read-only for it, /vm is not even readable, bad paths, owner change
            expect(XsError.EACCES, () -> g.write(VBD_BE + "/state", bytes("6")));
            expect(XsError.EACCES, () -> g.read(VM + "/name"));
            expect(XsError.ENOENT, () -> g.read("device/vbd/51712/nonexistent"));
            expect(XsError.EINVAL, () -> g.read("/local/domain//5"));
            g.write("data/uptime", bytes("42"));
            g.setPerms("data/uptime", "n5", "r0");
            expect(XsError.EPERM, () -> g.setPerms("data/uptime", "n0"));
            g.mkdir("data/sub");
            assertThat(g.getPerms("data/sub")).containsExactly("n5");
            expect(XsError.EEXIST, () -> g.watch(VBD_BE + "/state", "fe-vbd"));

            // dom0 errors and queries
            expect(XsError.ENOENT, () -> xl.read(DOM + "/nope"));
            expect(XsError.EINVAL, () -> xl.mkdir("/bad$path"));
            expect(XsError.ENOENT, () -> xl.transactionEnd(0, true));
            XsSocketMessage r = raw(xl, XsType.WATCH, "/x\0t\0extra\0");
            assertThat(r.errorName()).isEqualTo("EINVAL");
            assertThat(xl.getPerms(VBD_FE)).containsExactly("n5", "r0");
            assertThat(xl.directoryPart(DOM + "/device", 0)).contains("vbd", "vif");
            assertThat(xl.directory(VBD_BE)).contains("state", "frontend");

            // device removal: the backend closes, the frontend follows, the toolstack removes both directories
            xl.write(VBD_BE + "/online", "0");
            be.write(VBD_BE + "/state", "5");
            g.write("device/vbd/51712/state", bytes("6"));
            be.write(VBD_BE + "/state", "6");
            xl.rm(VBD_FE);
            xl.rm(VBD_BE);
            g.unwatch(VBD_BE + "/state", "fe-vbd");
            expect(XsError.ENOENT, () -> g.unwatch(VBD_BE + "/state", "fe-vbd"));

            // domain destruction: RELEASE (the daemon deletes what domain 5 owns), then the toolstack cleans up
            xl.release(DOMID);
            xl.rm(DOM);
            xl.rm(VM);
            xl.rm("/local/domain/0/backend/vif/5");
            be.unwatch("/local/domain/0/backend", "be");
            watcher.resetWatches();
            assertThat(xl.isDomainIntroduced(DOMID)).isFalse();
        } finally {
            closeAll(open);
        }
    }

    /**
     * Transactions of two connections: a read-modify-write that conflicts with another connection's write
     * (EAGAIN) and is retried, a transaction that creates a child while another connection creates a
     * sibling (EAGAIN in cxenstored), an aborted transaction, EBUSY for a nested start and ENOENT for an
     * unknown transaction, watch events fired at commit.
     */
    static void transactions(ReplayTarget rig) throws IOException, XsClientException {
        List<XsConnection> open = new ArrayList<>();
        try {
            XsConnection a = track(open, rig.openSocket("toolstack"));
            XsConnection b = track(open, rig.openSocket("balloon"));
            XsConnection w = track(open, rig.openSocket("watcher"));
            a.write(DOM + "/memory/target", "524288");
            w.watch(DOM + "/memory", "mem");

            int t = a.transactionStart();
            assertThat(new String(a.read(t, DOM + "/memory/target"), StandardCharsets.ISO_8859_1)).isEqualTo("524288");
            b.write(DOM + "/memory/target", "262144");
            a.write(t, DOM + "/memory/target", bytes("393216"));
            expect(XsError.EAGAIN, () -> a.transactionEnd(t, true));
            int t2 = a.transactionStart();
            assertThat(new String(a.read(t2, DOM + "/memory/target"), StandardCharsets.ISO_8859_1)).isEqualTo("262144");
            a.write(t2, DOM + "/memory/target", bytes("393216"));
            expect(XsError.EBUSY, () -> raw(a, XsType.TRANSACTION_START, t2, "\0"));
            a.transactionEnd(t2, true);

            int t3 = b.transactionStart();
            b.write(t3, DOM + "/memory/videoram", bytes("8192"));
            a.write(DOM + "/memory/static-max", "1048576");
            expect(XsError.EAGAIN, () -> b.transactionEnd(t3, true));

            int t4 = b.transactionStart();
            b.write(t4, DOM + "/memory/videoram", bytes("8192"));
            b.transactionEnd(t4, false);
            expect(XsError.ENOENT, () -> b.read(DOM + "/memory/videoram"));

            expect(XsError.ENOENT, () -> a.transactionEnd(0, false));
            assertThat(a.directory(DOM + "/memory")).containsExactly("target", "static-max");
            a.rm(DOM);
        } finally {
            closeAll(open);
        }
    }

    /**
     * Values a 4.17 trace cannot show exactly: NULs and spaces (both shown as a space), next to bytes it
     * shows exactly (controls, 0x7f-0xff, tab, newline: a multi-line trace payload). The replay reports
     * each value with a space as ambiguous, and still diverges nowhere.
     */
    static void binaryValues(ReplayTarget rig) throws IOException, XsClientException {
        List<XsConnection> open = new ArrayList<>();
        try {
            XsConnection a = track(open, rig.openSocket("writer"));
            XsConnection b = track(open, rig.openSocket("reader"));
            b.watch("/blob", "blob");
            byte[] exact = {1, 2, 0x1f, 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff, '\t', 'x', '\n', 'y', '(', 'z'};
            a.write("/blob/exact", exact);
            assertThat(b.read("/blob/exact")).isEqualTo(exact);
            byte[] nul = {'a', 0, 'b', 0};
            a.write("/blob/nul", nul);
            assertThat(b.read("/blob/nul")).isEqualTo(nul);
            a.write("/blob/space", "two words");
            assertThat(b.readString("/blob/space")).isEqualTo("two words");
            a.write("/blob/zeros", new byte[] {0, 0, 0});
            assertThat(b.read("/blob/zeros")).hasSize(3);
            a.write("/blob/trailing", "x ");
            assertThat(b.directory("/blob")).containsExactly("exact", "nul", "space", "zeros", "trailing");
            a.rm("/blob");
        } finally {
            closeAll(open);
        }
    }

    /**
     * A guest dies without RELEASE: the hypervisor destroys it, the daemon notices (VIRQ_DOM_EXC,
     * check_domains), drops its ring, deletes the nodes it owns (XSA-419) and fires {@code @releaseDomain};
     * the toolstack then finds the domain gone.
     */
    static void domainDeath(ReplayTarget rig) throws IOException, XsClientException {
        List<XsConnection> open = new ArrayList<>();
        try {
            XsConnection xl = track(open, rig.openSocket("xl"));
            XsConnection watcher = track(open, rig.openSocket("watcher"));
            watcher.watch("@releaseDomain", "release");
            assertThat(watcher.nextEvent(WAIT).stringList()).containsExactly("@releaseDomain", "release");
            xl.mkdir(DOM + "/control");
            xl.setPerms(DOM, "n0", "r5");
            xl.setPerms(DOM + "/control", "n5");
            xl.write(DOM + "/name", "guest5");
            rig.beforeIntroduce(DOMID);
            xl.introduce(DOMID, 0, 7);
            XsConnection g = rig.domainConnection(DOMID, "dom5");
            g.write("control/feature-poweroff", bytes("1"));
            g.write("control/shutdown", bytes(""));
            g.watch("control/shutdown", "shutdown");
            assertThat(g.nextEvent(WAIT).stringList()).containsExactly("control/shutdown", "shutdown");
            xl.write(DOM + "/control/shutdown", "poweroff");
            assertThat(new String(g.read("control/shutdown"), StandardCharsets.ISO_8859_1)).isEqualTo("poweroff");

            rig.domainGone(DOMID);
            assertThat(watcher.nextEvent(WAIT).stringList()).containsExactly("@releaseDomain", "release");
            assertThat(xl.isDomainIntroduced(DOMID)).isFalse();
            assertThat(xl.directory(DOM)).containsExactly("name");
            xl.rm(DOM);
        } finally {
            closeAll(open);
        }
    }

    private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(5);

    // ---------------------------------------------------------------- helpers

    private static void device(XsConnection xl, String bePath, String fePath, List<String> be, List<String> fe)
            throws XsClientException {
        xl.mkdir(bePath);
        xl.setPerms(bePath, "n0", "r5");
        for (int i = 0; i < be.size(); i += 2) {
            xl.write(bePath + "/" + be.get(i), be.get(i + 1));
        }
        xl.mkdir(fePath);
        xl.setPerms(fePath, "n5", "r0");
        for (int i = 0; i < fe.size(); i += 2) {
            xl.write(fePath + "/" + fe.get(i), fe.get(i + 1));
        }
    }

    interface Call {
        void run() throws XsClientException;
    }

    /** Runs a request that must fail with {@code error}. */
    static void expect(XsError error, Call c) {
        assertThatThrownBy(c::run).isInstanceOfSatisfying(XsErrorException.class,
                e -> assertThat(e.error()).isEqualTo(error));
    }

    static XsSocketMessage raw(XsConnection c, XsType type, String payload) throws XsClientException {
        return raw(c, type, 0, payload);
    }

    /** Sends a request as given and returns its reply; an ERROR reply is thrown as {@link XsErrorException}. */
    static XsSocketMessage raw(XsConnection c, XsType type, int tx, String payload) throws XsClientException {
        int id = c.send(type.code(), tx, payload.getBytes(StandardCharsets.ISO_8859_1));
        XsSocketMessage r = c.awaitReply(id, c.timeout().isZero() ? java.time.Duration.ofSeconds(5) : c.timeout());
        if (r.isError() && type == XsType.TRANSACTION_START) {
            throw new XsErrorException(c.name() + ": " + type, r.errorName());
        }
        return r;
    }

    private static byte[] bytes(String s) {
        return XsBytes.latin1(s);
    }

    private static XsConnection track(List<XsConnection> open, XsConnection c) {
        open.add(c);
        return c;
    }

    private static void closeAll(List<XsConnection> open) {
        for (XsConnection c : open) {
            c.close();
        }
    }
}
