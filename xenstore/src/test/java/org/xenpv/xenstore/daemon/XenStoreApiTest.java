package org.xenpv.xenstore.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.domain.SimpleDomainPlatform;
import org.xenpv.xenstore.domain.XsDomainPlatform;
import org.xenpv.xenstore.store.Errno;
import org.xenpv.xenstore.trace.TraceRecordSink;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/** The public API around the dispatcher: connections, outputs, platform hooks, traces, big payloads. */
class XenStoreApiTest {

    private static List<String> render(List<XsMessage> msgs) {
        List<String> out = new ArrayList<>();
        for (XsMessage m : msgs) {
            out.add((XsScript.typeName(m.type()) + " " + XsScript.escape(m.payload())).stripTrailing());
        }
        return out;
    }

    @Test
    @DisplayName("connect: domid 0 must be privileged; a domain has one live connection")
    void connectRules() {
        XenStore s = XenStore.create();
        assertThatThrownBy(() -> s.connect(0, false, m -> { })).isInstanceOf(IllegalArgumentException.class);
        XsConnection g = s.connect(5, false, m -> { });
        assertThat(g.isDomainConnection()).isTrue();
        assertThat(g.privileged()).isFalse();
        assertThat(g.domid()).isEqualTo(5);
        assertThatThrownBy(() -> s.connect(5, false, m -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("domain 5");
        g.close();
        assertThat(s.connect(5, false, m -> { }).isClosed()).isFalse();
        XsConnection sock = s.connect(0, true, m -> { });
        assertThat(sock.isDomainConnection()).isFalse();
        assertThat(sock.privileged()).isTrue();
        assertThat(s.domainConnection(0)).as("dom0's own ring connection exists from start-up").isPresent();
        XsConnection ring0 = s.domainConnection(0).orElseThrow();
        ring0.handle(XsMessage.of(XsType.WATCH, 1, 0, "/x", "t"));
        ring0.close();
        assertThat(ring0.isClosed()).isFalse();
        assertThat(ring0.watchCount()).isZero();
        assertThat(s.isIntroduced(0)).isTrue();
        assertThat(s.dump()).containsKey("/tool/xenstored");
    }

    @Test
    @DisplayName("INTRODUCE uses the platform's ring writer; programmatic introduce fires @introduceDomain")
    void introduceThroughPlatform() {
        List<XsMessage> ring = new ArrayList<>();
        List<String> calls = new ArrayList<>();
        XsDomainPlatform p = new XsDomainPlatform() {
            @Override
            public DomainInfo domainInfo(int domid) {
                return domid == 13 ? null : DomainInfo.RUNNING;
            }

            @Override
            public java.util.function.Consumer<XsMessage> introduce(int domid, String gfn, int port)
                    throws PlatformException {
                calls.add("introduce " + domid + " " + gfn + " " + port);
                if (domid == 13) {
                    throw new PlatformException(Errno.ENOENT, "no domain 13");
                }
                return ring::add;
            }

            @Override
            public void resetRing(int domid) {
                calls.add("reset " + domid);
            }

            @Override
            public void domainReleased(int domid) {
                calls.add("released " + domid);
            }
        };
        XenStore s = XenStore.builder().platform(p).build();
        List<XsMessage> out = new ArrayList<>();
        XsConnection a = s.connect(0, true, out::add);
        a.handle(XsMessage.of(XsType.WATCH, 1, 0, "@introduceDomain", "i"));
        a.handle(XsMessage.of(XsType.INTRODUCE, 2, 0, "7", "0xfeffc", "3"));
        a.handle(XsMessage.of(XsType.INTRODUCE, 3, 0, "13", "0", "3"));
        assertThat(render(out)).containsExactly("WATCH OK\\0", "WATCH_EVENT @introduceDomain\\0i\\0",
                "WATCH_EVENT @introduceDomain\\0i\\0", "INTRODUCE OK\\0", "ERROR ENOENT\\0");
        assertThat(calls).containsExactly("introduce 7 0xfeffc 3", "reset 7", "introduce 13 0 3");
        s.domainConnection(7).orElseThrow().handle(XsMessage.of(XsType.GET_DOMAIN_PATH, 9, 0, "7"));
        assertThat(render(ring)).containsExactly("GET_DOMAIN_PATH /local/domain/7\\0");
        out.clear();
        List<XsMessage> ring8 = new ArrayList<>();
        XsConnection d8 = s.introduce(8, 4, ring8::add);
        assertThat(render(out)).containsExactly("WATCH_EVENT @introduceDomain\\0i\\0");
        assertThat(d8.domid()).isEqualTo(8);
        assertThat(s.isIntroduced(8)).isTrue();
        a.handle(XsMessage.of(XsType.RELEASE, 4, 0, "7"));
        assertThat(calls).endsWith("released 7");
    }

    @Test
    @DisplayName("output attached late and back-pressure keep order; requests from a consumer are queued")
    void outputHandling() {
        XenStore s = XenStore.create();
        XsConnection a = s.connect(0, true, null);
        a.handle(XsMessage.of(XsType.WATCH, 1, 0, "/x", "t"));
        a.handle(XsMessage.write(2, 0, "/x", XsPayload.bytes("v")));
        // The write's event equals the still-queued initial event, so cxenstored drops it as a duplicate.
        assertThat(a.pendingOutput()).isEqualTo(3);
        List<XsMessage> out = new ArrayList<>();
        a.setOutput(out::add);
        assertThat(render(out)).containsExactly("WATCH OK\\0", "WATCH_EVENT /x\\0t\\0", "WRITE OK\\0");
        out.clear();
        a.setOutputBlocked(true);
        a.handle(XsMessage.of(XsType.READ, 3, 0, "/x"));
        assertThat(out).isEmpty();
        a.setOutputBlocked(false);
        assertThat(render(out)).containsExactly("READ v");

        List<XsMessage> got = new ArrayList<>();
        XsConnection[] self = new XsConnection[1];
        self[0] = s.connect(0, true, m -> {
            got.add(m);
            if (m.reqId() == 10) {
                self[0].handle(XsMessage.of(XsType.READ, 11, 0, "/x"));
            }
        });
        self[0].handle(XsMessage.of(XsType.READ, 10, 0, "/x"));
        assertThat(got).extracting(XsMessage::reqId).containsExactly(10, 11);
    }

    @Test
    @DisplayName("malformed input never throws out of handle")
    void robustness() {
        XenStore s = XenStore.create();
        List<XsMessage> out = new ArrayList<>();
        XsConnection a = s.connect(0, true, out::add);
        XsConnection g = s.connect(5, false, out::add);
        byte[][] payloads = {new byte[0], {0}, {0, 0, 0}, {(byte) 0xff}, XsPayload.bytes("/a\0\0\0\0"),
            XsPayload.bytes("@\0@\0@\0"), XsPayload.bytes("//\0"), new byte[4096]};
        int n = 0;
        for (int type = -1; type < 30; type++) {
            for (byte[] p : payloads) {
                for (int tx : new int[] {0, 1, -1}) {
                    out.clear();
                    a.handle(new XsMessage(type, ++n, tx, p));
                    g.handle(new XsMessage(type, ++n, tx, p));
                    assertThat(out).as("type %d: each request answered once", type)
                            .filteredOn(m -> m.type() != XsType.WATCH_EVENT.code()).hasSize(2);
                }
            }
        }
        a.handle(XsMessage.of(XsType.READ, 1, 0, "/tool"));
        assertThat(render(out.subList(out.size() - 1, out.size()))).containsExactly("READ");
        out.clear();
        g.handle(XsMessage.write(1, 0, "x", new byte[4095]));
        assertThat(out).isEmpty();
        assertThat(g.isIgnored()).as("an oversized request is a protocol violation").isTrue();
    }

    @Test
    @DisplayName("node-size quota for domains: record = 24 + 8 * perms + value + children; dom0 unlimited")
    void nodeSize() {
        XenStore s = XenStore.create();
        List<XsMessage> out = new ArrayList<>();
        XsConnection a = s.connect(0, true, out::add);
        XsConnection g = s.connect(5, false, out::add);
        a.handle(XsMessage.of(XsType.MKDIR, 1, 0, "/local/domain/5"));
        a.handle(XsMessage.of(XsType.SET_PERMS, 2, 0, "/local/domain/5", "n5"));
        out.clear();
        g.handle(XsMessage.write(3, 0, "v1", new byte[2015]));
        g.handle(XsMessage.write(4, 0, "v2", new byte[2016]));
        g.handle(XsMessage.of(XsType.SET_PERMS, 5, 0, "v1", "n5", "r0"));
        g.handle(XsMessage.write(6, 0, "v3", new byte[1]));
        g.handle(XsMessage.of(XsType.SET_PERMS, 7, 0, "v3", "n5", "r0"));
        g.handle(XsMessage.write(8, 0, "v3", new byte[2008]));
        g.handle(XsMessage.write(9, 0, "v3", new byte[2007]));
        a.handle(XsMessage.write(10, 0, "/local/domain/5/dom0", new byte[4096 - 21]));
        assertThat(render(out)).containsExactly("WRITE OK\\0", "ERROR ENOSPC\\0",
                "ERROR ENOSPC\\0", // SET_PERMS rewrites the node: 24 + 2 * 8 + 2015 is too big
                "WRITE OK\\0", "SET_PERMS OK\\0", "ERROR ENOSPC\\0", "WRITE OK\\0", "WRITE OK\\0");
        assertThat(s.node("/local/domain/5/dom0").orElseThrow().dataLength()).isEqualTo(4075);
    }

    @Test
    @DisplayName("DIRECTORY_PART pages a child list longer than 4096 bytes by byte offset; DIRECTORY gives E2BIG")
    void directoryPartPaging() {
        XenStore s = XenStore.create();
        List<XsMessage> out = new ArrayList<>();
        XsConnection a = s.connect(0, true, out::add);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            String name = String.format("%02d", i) + "c".repeat(97);
            a.handle(XsMessage.of(XsType.MKDIR, i + 1, 0, "/big/" + name));
            expected.append(name).append('\0');
        }
        out.clear();
        a.handle(XsMessage.of(XsType.DIRECTORY, 100, 0, "/big"));
        assertThat(render(out)).containsExactly("ERROR E2BIG\\0");
        String gen = Long.toUnsignedString(s.node("/big").orElseThrow().generation());
        StringBuilder assembled = new StringBuilder();
        List<Integer> chunkNames = new ArrayList<>();
        int offset = 0;
        for (int round = 0; round < 10; round++) {
            out.clear();
            a.handle(XsMessage.of(XsType.DIRECTORY_PART, 200 + round, 0, "/big", Integer.toString(offset)));
            String p = new String(out.get(0).payload(), StandardCharsets.ISO_8859_1);
            assertThat(out.get(0).length()).isLessThanOrEqualTo(4096);
            assertThat(p).startsWith(gen + "\0");
            String names = p.substring(gen.length() + 1);
            boolean last = names.endsWith("\0\0") || names.equals("\0");
            String body = last ? names.substring(0, names.length() - 1) : names;
            chunkNames.add(body.isEmpty() ? 0 : body.split("\0").length);
            assembled.append(body);
            offset += body.length();
            if (last) {
                break;
            }
        }
        assertThat(assembled.toString()).isEqualTo(expected.toString());
        // maxlen = 4096 - strlen(gen) - 2: names fit while len + strlen(name) < maxlen.
        int maxlen = 4096 - gen.length() - 2;
        int fit = 0;
        while ((fit * 100) + 99 < maxlen) {
            fit++;
        }
        assertThat(chunkNames).containsExactly(fit, 50 - fit);
    }

    @Test
    @DisplayName("cxenstored trace format: IN/OUT lines, **UNKNOWN**, CREATE/DESTROY, no CREATE transaction")
    void traceFormat() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Clock clock = Clock.fixed(Instant.parse("2026-11-24T13:57:43Z"), ZoneOffset.UTC);
        TraceRecordSink sink = TraceRecordSink.cxenstored(bytes, clock);
        XenStore s = XenStore.builder().trace(sink).build();
        XsConnection a = s.connect(0, true, m -> { });
        a.handle(new XsMessage(20, 1, 0, new byte[] {0}));
        a.handle(XsMessage.of(XsType.TRANSACTION_START, 2, 0, ""));
        a.handle(XsMessage.of(XsType.TRANSACTION_END, 3, 1, "F"));
        a.handle(XsMessage.of(XsType.CONTROL, 4, 0, "print", "x"));
        a.close();
        sink.flush();
        String p = XsTraceSink.pointer(a.traceId());
        String t = bytes.toString(StandardCharsets.ISO_8859_1);
        assertThat(t).startsWith("\n***\nCREATE connection ").contains("Checking store ...\nChecking store complete.\n")
                .contains("CREATE connection " + p + "\n")
                .contains("IN " + p + " 20261124 13:57:43 **UNKNOWN** ( )\nOUT " + p + " 20261124 13:57:43 ERROR (ENOSYS )\n")
                .contains("OUT " + p + " 20261124 13:57:43 TRANSACTION_START (1 )\n")
                .contains("IN " + p + " 20261124 13:57:43 CONTROL (print x )\n")
                .doesNotContain("CREATE transaction")
                .endsWith("DESTROY connection " + p + "\n");
        assertThat(t.indexOf("DESTROY transaction")).isLessThan(t.indexOf("TRANSACTION_END (OK )"));
    }

    @Test
    @DisplayName("SimpleDomainPlatform: declared domains exist; SET_PERMS owner ENOENT until declared")
    void simplePlatform() {
        SimpleDomainPlatform p = new SimpleDomainPlatform();
        XenStore s = XenStore.builder().platform(p).build();
        List<XsMessage> out = new ArrayList<>();
        XsConnection a = s.connect(0, true, out::add);
        a.handle(XsMessage.write(1, 0, "/x", new byte[0]));
        a.handle(XsMessage.of(XsType.SET_PERMS, 2, 0, "/x", "n9"));
        p.create(9);
        a.handle(XsMessage.of(XsType.SET_PERMS, 3, 0, "/x", "n9"));
        assertThat(render(out)).containsExactly("WRITE OK\\0", "ERROR ENOENT\\0", "SET_PERMS OK\\0");
        assertThat(s.domainUsage(9).orElseThrow().nodes()).isEqualTo(1);
        assertThat(s.domainUsage(9).orElseThrow().introduced()).isFalse();
        p.destroy(9);
        s.checkDomains();
        assertThat(s.node("/x")).as("a vanished domain's nodes go too").isEmpty();
    }
}
