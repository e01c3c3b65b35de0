package org.xenpv.xenstore.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.xenpv.xenstore.domain.SimpleDomainPlatform;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.trace.TraceRecordSink;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * A tiny script language for table-driven daemon tests. Each request line is followed by the complete
 * list of messages the daemon must emit (indented), in delivery order:
 * <pre>
 * connect a 0            # socket client (dom0, privileged)
 * connect g 5            # ring connection of unprivileged domain 5
 * connect p 7 priv       # privileged domain 7
 * a WRITE /t/x\0v        # request: connection, type (name or number), payload with escapes
 *   a WRITE OK\0         # expected: connection, type, payload
 * a@1 READ /t\0          # request with tx_id 1
 * quota nodes 3          # daemon-wide quota (also: quota-domain 5 nodes 3)
 * platform-create 9      # domain 9 exists in the "hypervisor"
 * platform-kill 5        # domain 5 is dying
 * checkdomains           # VIRQ_DOM_EXC
 * clock +20000           # advance the clock (ms)
 * close g                # close a connection (no output expected unless listed)
 * block g / unblock g    # output back-pressure
 * </pre>
 * Payload escapes: {@code \0} NUL, {@code \\} backslash, {@code \xHH} any byte, {@code \s} a space at
 * the end of a line. Replies must echo req_id and tx_id; events carry 0/0 (checked for every message).
 */
final class XsScript {

    record Out(String conn, XsMessage msg) {
    }

    final XenStore store;
    final SimpleDomainPlatform platform = new SimpleDomainPlatform();
    final long[] clock = {0};
    final ByteArrayOutputStream traceBytes = new ByteArrayOutputStream();
    private final TraceRecordSink traceSink = TraceRecordSink.cxenstored(traceBytes, java.time.Clock.fixed(
            java.time.Instant.parse("2026-11-24T13:57:43Z"), java.time.ZoneOffset.UTC));
    final Map<String, XsConnection> conns = new LinkedHashMap<>();
    final List<Out> outputs = new ArrayList<>();
    private int nextReqId = 1;
    private final Map<XsConnection, XsMessage> lastRequest = new LinkedHashMap<>();

    XsScript() {
        this(b -> { });
    }

    XsScript(Consumer<XenStore.Builder> config) {
        XenStore.Builder b = XenStore.builder().platform(platform).clock(() -> clock[0])
                .trace(traceSink);
        config.accept(b);
        store = b.build();
    }

    /** Runs a script; fails with the line number and a diff on the first mismatch. */
    XsScript run(String script) {
        return run(script, false);
    }

    /**
     * Runs a script. With {@code perConnection} only the order within each connection is checked (for
     * recordings of the real daemon, whose interleaving across sockets depends on timing).
     */
    XsScript run(String script, boolean perConnection) {
        String[] lines = script.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String raw = lines[i];
            String line = stripComment(raw);
            i++;
            if (line.isBlank()) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                fail("line " + i + ": expected output without a request: " + raw);
            }
            List<String> expected = new ArrayList<>();
            while (i < lines.length) {
                String next = stripComment(lines[i]);
                if (next.isBlank()) {
                    if (lines[i].isBlank()) {
                        i++;
                        continue;
                    }
                    i++;
                    continue;
                }
                if (!Character.isWhitespace(next.charAt(0))) {
                    break;
                }
                expected.add(next.strip());
                i++;
            }
            int lineNo = i;
            List<String> actual = step(line.strip(), lineNo);
            if (perConnection) {
                assertThat(byConnection(actual)).as("line '%s' (before line %d)", line.strip(), lineNo)
                        .isEqualTo(byConnection(expected));
            } else {
                assertThat(actual).as("line '%s' (before line %d)", line.strip(), lineNo).containsExactlyElementsOf(expected);
            }
        }
        return this;
    }

    private static Map<String, List<String>> byConnection(List<String> lines) {
        Map<String, List<String>> m = new java.util.TreeMap<>();
        for (String l : lines) {
            m.computeIfAbsent(l.split(" ", 2)[0], k -> new ArrayList<>()).add(l);
        }
        return m;
    }

    private static String stripComment(String s) {
        int h = s.indexOf(" #");
        if (s.startsWith("#")) {
            return "";
        }
        return h >= 0 ? s.substring(0, h) : s;
    }

    /** Executes one line and returns the rendered output it caused. */
    List<String> step(String line, int lineNo) {
        outputs.clear();
        String[] w = line.split(" ", 3);
        switch (w[0]) {
            case "connect" -> {
                String[] a = line.split(" ");
                String name = a[1];
                int domid = Integer.parseInt(a[2]);
                boolean priv = domid == 0 || (a.length > 3 && a[3].equals("priv"));
                conns.put(name, store.connect(domid, priv, sink(name)));
            }
            case "close" -> conns.get(w[1]).close();
            case "protoerr" -> conns.get(w[1]).protocolError(3);
            case "attach" -> store.domainConnection(Integer.parseInt(w[2])).orElseThrow()
                    .setOutput(sinkAndRegister(w[1], store.domainConnection(Integer.parseInt(w[2])).orElseThrow()));
            case "block" -> conns.get(w[1]).setOutputBlocked(true);
            case "unblock" -> conns.get(w[1]).setOutputBlocked(false);
            case "quota" -> store.quotas().setUncapped(quota(w[1]), Integer.parseInt(w[2]));
            case "quota-domain" -> {
                String[] a = line.split(" ");
                store.quotas().setForDomain(Integer.parseInt(a[1]), quota(a[2]), Integer.parseInt(a[3]));
            }
            case "platform-create" -> platform.create(Integer.parseInt(w[1]));
            case "platform-kill" -> platform.kill(Integer.parseInt(w[1]));
            case "platform-shutdown" -> platform.shutdown(Integer.parseInt(w[1]));
            case "platform-destroy" -> platform.destroy(Integer.parseInt(w[1]));
            case "checkdomains" -> store.checkDomains();
            case "clock" -> {
                clock[0] += Long.parseLong(w[1].substring(1));
                store.poll();
            }
            default -> request(w, lineNo);
        }
        List<String> rendered = new ArrayList<>();
        for (Out o : outputs) {
            rendered.add((o.conn() + " " + typeName(o.msg().type()) + " " + escape(o.msg().payload())).stripTrailing());
        }
        return rendered;
    }

    private static XsQuota quota(String name) {
        for (XsQuota q : XsQuota.values()) {
            if (q.name().equalsIgnoreCase(name.replace('-', '_'))) {
                return q;
            }
        }
        throw new IllegalArgumentException("unknown quota " + name);
    }

    private void request(String[] w, int lineNo) {
        String who = w[0];
        int tx = 0;
        int at = who.indexOf('@');
        if (at >= 0) {
            tx = (int) Long.parseLong(who.substring(at + 1));
            who = who.substring(0, at);
        }
        XsConnection c = conns.get(who);
        if (c == null) {
            fail("line " + lineNo + ": unknown connection " + who);
        }
        int type;
        try {
            type = XsType.valueOf(w[1]).code();
        } catch (IllegalArgumentException e) {
            type = (int) Long.parseLong(w[1]);
        }
        byte[] payload = w.length > 2 ? unescape(w[2]) : new byte[0];
        XsMessage m = new XsMessage(type, nextReqId++, tx, payload);
        lastRequest.put(c, m);
        c.handle(m);
    }

    Consumer<XsMessage> sink(String name) {
        return msg -> {
            XsConnection c = conns.get(name);
            check(c, msg);
            outputs.add(new Out(name, msg));
        };
    }

    private Consumer<XsMessage> sinkAndRegister(String name, XsConnection c) {
        conns.put(name, c);
        return sink(name);
    }

    private void check(XsConnection c, XsMessage msg) {
        if (msg.type() == XsType.WATCH_EVENT.code()) {
            assertThat(msg.reqId()).as("watch event req_id").isZero();
            assertThat(msg.txId()).as("watch event tx_id").isZero();
        } else if (c != null && lastRequest.get(c) != null) {
            XsMessage req = lastRequest.get(c);
            assertThat(msg.reqId()).as("reply req_id echoes request").isEqualTo(req.reqId());
            assertThat(msg.txId()).as("reply tx_id echoes request").isEqualTo(req.txId());
        }
        assertThat(msg.length()).as("payload within XENSTORE_PAYLOAD_MAX").isLessThanOrEqualTo(4096);
    }

    static String typeName(int type) {
        XsType t = XsType.of(type);
        return t == null ? Integer.toUnsignedString(type) : t.name();
    }

    static String escape(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            if (c == 0) {
                sb.append("\\0");
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    static byte[] unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case '0' -> out.write(0);
                    case '\\' -> out.write('\\');
                    case 's' -> out.write(' ');
                    case 'x' -> {
                        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> throw new IllegalArgumentException("bad escape \\" + n + " in " + s);
                }
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    String trace() {
        try {
            traceSink.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return traceBytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
