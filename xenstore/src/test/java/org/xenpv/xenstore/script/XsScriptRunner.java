package org.xenpv.xenstore.script;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xenpv.xenstore.client.XsBytes;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsClosedException;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsProtocolException;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.client.XsTimeoutException;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsType;

/**
 * Runs an {@link XsScript} against an {@link XsEndpoint} and renders what every connection
 * received as a canonical transcript.
 *
 * <p>For each step the transcript has the step's line ({@code > ...}), then the messages each
 * connection received because of it: the sender's first, then the other connections in
 * declaration order; within one connection in arrival order (so an event that overtakes its
 * reply shows first). Messages on different connections have no meaningful relative order, so
 * none is recorded. To attribute asynchronous events to the step that caused them, after every
 * step each connection that has sent a WATCH is synchronised: the runner sends it a
 * GET_DOMAIN_PATH (which changes nothing in the store) and records everything that arrives before
 * that reply; since a daemon answers one connection in order, every event queued by the step
 * comes first. The synchronising requests themselves are not recorded. Connections that had a
 * {@code nowait} step are never synchronised (a half-sent message would swallow the request).
 *
 * <p>Nothing is normalised by default: the cxenstored 4.17 goldens are compared byte for byte
 * (transaction ids, req_ids, DIRECTORY_PART generation counts included), because the
 * differential tests want our daemon to match them exactly. {@link Normalisation} lists the
 * rewrites a caller can opt into.
 */
public final class XsScriptRunner {

    /** req_ids of synchronising requests: far above what scripts use. */
    private static final int SYNC_REQ_BASE = 0x5eed0000;
    /** Longest payload shown in full; longer ones are abbreviated with their length and hash. */
    static final int SHOW_MAX = 600;

    /** Opt-in rewrites of replies before they are rendered. */
    public enum Normalisation {
        /**
         * The generation count at the start of DIRECTORY_PART replies becomes {@code <gen>}: it is
         * cxenstored's global write counter, which another daemon may count differently without
         * breaking clients (they only compare it between chunks).
         */
        DIRECTORY_PART_GENERATION
    }

    private final Duration replyTimeout;
    private final List<Normalisation> normalisations;

    public XsScriptRunner(Duration replyTimeout, Normalisation... normalisations) {
        this.replyTimeout = replyTimeout;
        this.normalisations = List.of(normalisations);
    }

    public XsScriptRunner() {
        this(Duration.ofSeconds(2));
    }

    private static final class ConnState {
        final String name;
        final XsConnection conn;
        boolean watching;
        boolean unsynced;
        boolean closed;
        int syncs;

        ConnState(String name, XsConnection conn) {
            this.name = name;
            this.conn = conn;
        }
    }

    /** Runs {@code script} on a daemon started by {@code factory} and returns the transcript. */
    public String run(XsScript script, XsEndpointFactory factory) throws IOException {
        try (XsEndpoint endpoint = factory.start(script.config())) {
            return run(script, endpoint);
        }
    }

    /** Runs {@code script} on a running endpoint (which the caller closes). */
    public String run(XsScript script, XsEndpoint endpoint) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("# transcript of ").append(script.name()).append(".xss\n");
        Map<String, ConnState> conns = new LinkedHashMap<>();
        Map<String, Integer> txs = new HashMap<>();
        try {
            for (XsScript.Step step : script.steps()) {
                out.append("> ").append(step.text()).append('\n');
                Map<String, List<String>> got = new LinkedHashMap<>();
                String sender = switch (step) {
                    case XsScript.Conn c -> {
                        XsConnection x = c.isGuest() ? endpoint.guest(c.conn(), c.domid()) : endpoint.dom0(c.conn());
                        conns.put(c.conn(), new ConnState(c.conn(), x));
                        yield null;
                    }
                    case XsScript.Close c -> {
                        ConnState s = conns.get(c.conn());
                        collectArrived(s, got);
                        s.conn.close();
                        s.closed = true;
                        yield null;
                    }
                    case XsScript.Send s -> {
                        ConnState st = conns.get(s.conn());
                        send(st, s, txs, script, got);
                        yield s.conn();
                    }
                    case XsScript.Raw r -> {
                        ConnState st = conns.get(r.conn());
                        raw(st, r, got);
                        yield r.conn();
                    }
                };
                if (sender != null) {
                    sync(conns.get(sender), got);
                }
                for (ConnState s : conns.values()) {
                    if (!s.name.equals(sender)) {
                        sync(s, got);
                    }
                }
                if (sender != null) {
                    render(out, sender, got.remove(sender));
                }
                for (ConnState s : conns.values()) {
                    render(out, s.name, got.remove(s.name));
                }
            }
        } finally {
            for (ConnState s : conns.values()) {
                s.conn.close();
            }
        }
        return out.toString();
    }

    private void send(ConnState st, XsScript.Send s, Map<String, Integer> txs, XsScript script,
            Map<String, List<String>> got) {
        if (st.closed || !st.conn.isOpen()) {
            add(got, st.name, "closed");
            return;
        }
        int txId = 0;
        if (s.tx() != null) {
            if (s.tx().matches("\\d+")) {
                txId = (int) Long.parseLong(s.tx());
            } else {
                Integer id = txs.get(st.name + "@" + s.tx());
                if (id == null) {
                    throw new IllegalStateException(script.name() + ":" + s.line() + ": transaction '" + s.tx()
                            + "' of connection " + st.name + " was not started (or its TRANSACTION_START failed)");
                }
                txId = id;
            }
        }
        int reqId = s.reqId() != null ? s.reqId() : st.conn.nextReqId();
        int len = s.len() != null ? s.len() : s.payload().length;
        if (s.type() == XsType.WATCH.code()) {
            st.watching = true;
        }
        try {
            st.conn.send(new XsHeader(s.type(), reqId, txId, len), s.payload());
        } catch (XsClientException e) {
            add(got, st.name, describe(e));
            st.closed = !st.conn.isOpen();
            return;
        }
        if (s.noWait()) {
            st.unsynced = true;
            return;
        }
        XsSocketMessage reply = await(st, m -> !m.isWatchEvent() && m.reqId() == reqId, got);
        if (reply != null && s.bindTx() != null && !reply.isError()) {
            List<String> id = reply.stringList();
            if (!id.isEmpty() && id.get(0).matches("\\d+")) {
                txs.put(st.name + "@" + s.bindTx(), (int) Long.parseLong(id.get(0)));
            }
        }
    }

    private void raw(ConnState st, XsScript.Raw r, Map<String, List<String>> got) {
        if (st.closed || !st.conn.isOpen()) {
            add(got, st.name, "closed");
            return;
        }
        try {
            st.conn.sendRaw(r.bytes());
        } catch (XsClientException e) {
            add(got, st.name, describe(e));
            return;
        }
        if (r.noWait()) {
            st.unsynced = true;
            return;
        }
        int[] left = {r.replies()};
        if (left[0] > 0) {
            await(st, m -> !m.isWatchEvent() && --left[0] == 0, got);
        }
    }

    /** Records messages until one matching {@code done} (recorded too) or the connection ends / times out. */
    private XsSocketMessage await(ConnState st, java.util.function.Predicate<XsSocketMessage> done,
            Map<String, List<String>> got) {
        while (true) {
            XsSocketMessage m;
            try {
                m = st.conn.next(replyTimeout);
            } catch (XsTimeoutException e) {
                add(got, st.name, "no reply within " + replyTimeout.toMillis() + " ms");
                return null;
            } catch (XsClientException e) {
                add(got, st.name, describe(e));
                st.closed = true;
                return null;
            }
            add(got, st.name, format(m));
            if (done.test(m)) {
                return m;
            }
        }
    }

    private void sync(ConnState st, Map<String, List<String>> got) {
        if (st.closed) {
            return;
        }
        if (!st.watching || st.unsynced) {
            collectArrived(st, got);
            return;
        }
        int reqId = SYNC_REQ_BASE + st.syncs++;
        try {
            st.conn.send(new XsHeader(XsType.GET_DOMAIN_PATH.code(), reqId, 0, 2), new byte[] {'0', 0});
        } catch (XsClientException e) {
            add(got, st.name, describe(e));
            st.closed = true;
            return;
        }
        while (true) {
            XsSocketMessage m;
            try {
                m = st.conn.next(replyTimeout);
            } catch (XsTimeoutException e) {
                add(got, st.name, "synchronising request not answered within " + replyTimeout.toMillis() + " ms");
                st.unsynced = true;
                return;
            } catch (XsClientException e) {
                add(got, st.name, describe(e));
                st.closed = true;
                return;
            }
            if (!m.isWatchEvent() && m.reqId() == reqId) {
                return;
            }
            add(got, st.name, format(m));
        }
    }

    /**
     * Records what already arrived on a connection that is not synchronised. Its end is not
     * reported here (the moment a transport notices it is not deterministic); it shows when the
     * connection is next used.
     */
    private void collectArrived(ConnState st, Map<String, List<String>> got) {
        for (XsSocketMessage m : st.conn.inbox().drain(x -> true)) {
            add(got, st.name, format(m));
        }
    }

    private static void add(Map<String, List<String>> got, String conn, String line) {
        got.computeIfAbsent(conn, k -> new ArrayList<>()).add(line);
    }

    private static void render(StringBuilder out, String conn, List<String> lines) {
        if (lines == null) {
            return;
        }
        for (String l : lines) {
            out.append("  ").append(conn).append(": ").append(l).append('\n');
        }
    }

    private static String describe(XsClientException e) {
        return switch (e) {
            case XsClosedException c -> "closed";
            case XsProtocolException p -> "protocol error: " + p.getMessage();
            default -> e.getClass().getSimpleName() + ": " + e.getMessage();
        };
    }

    /** One received message as a transcript line: type, req_id, tx_id, payload. */
    String format(XsSocketMessage m) {
        XsType t = m.knownType();
        String type = t == null ? Integer.toUnsignedString(m.type()) : t.name();
        byte[] p = m.payload();
        if (normalisations.contains(Normalisation.DIRECTORY_PART_GENERATION)
                && m.type() == XsType.DIRECTORY_PART.code()) {
            int nul = indexOf(p, (byte) 0);
            if (nul > 0) {
                byte[] gen = XsBytes.latin1("<gen>");
                byte[] q = new byte[gen.length + p.length - nul];
                System.arraycopy(gen, 0, q, 0, gen.length);
                System.arraycopy(p, nul, q, gen.length, p.length - nul);
                p = q;
            }
        }
        return type + " req=" + Integer.toUnsignedString(m.reqId()) + " tx=" + Integer.toUnsignedString(m.txId())
                + " " + show(p);
    }

    /** The payload quoted; beyond {@link #SHOW_MAX} bytes its head, length and SHA-256 prefix. */
    static String show(byte[] p) {
        if (p.length <= SHOW_MAX) {
            return XsBytes.quote(p);
        }
        try {
            String sha = XsBytes.hex(MessageDigest.getInstance("SHA-256").digest(p)).substring(0, 16);
            return XsBytes.quote(p, 0, 48) + "... (" + p.length + " bytes, sha256 " + sha + ")";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
