package org.xenpv.harness.replay;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsClosedException;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.client.XsTimeoutException;
import org.xenpv.xenstore.trace.Ambiguity;
import org.xenpv.xenstore.trace.ConnectionClose;
import org.xenpv.xenstore.trace.ConnectionIgnored;
import org.xenpv.xenstore.trace.ConnectionOpen;
import org.xenpv.xenstore.trace.Marker;
import org.xenpv.xenstore.trace.Message;
import org.xenpv.xenstore.trace.Payload;
import org.xenpv.xenstore.trace.ReplayedOp;
import org.xenpv.xenstore.trace.Reply;
import org.xenpv.xenstore.trace.Request;
import org.xenpv.xenstore.trace.TraceFormat;
import org.xenpv.xenstore.trace.TraceReader;
import org.xenpv.xenstore.trace.TraceRecord;
import org.xenpv.xenstore.trace.TransactionCreate;
import org.xenpv.xenstore.trace.TransactionOutcome;
import org.xenpv.xenstore.trace.TxContext;
import org.xenpv.xenstore.trace.WatchEvent;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsType;

/**
 * Replays a xenstore trace against a {@link ReplayTarget} and compares what comes back
 * ({@code docs/traces.md}, "Replay"). One target connection per traced connection; requests are sent
 * in trace order, and each request's reply is awaited before the next record is handled, so the
 * recorded interleaving across connections is reproduced and replies and watch events compare
 * deterministically. Every recorded reply is compared with the target's (type, payload, ERROR names)
 * and every recorded watch event with the next event the target sent to that connection.
 *
 * <p>Transaction ids in the trace (recorded or reconstructed) are mapped to the ids the target hands
 * out. The parser's {@link Ambiguity} records are reported as ambiguous steps, never silently guessed:
 * the replay uses the parser's choice and marks any divergence on that step (or on a later step that
 * the guess can affect) as possibly due to the ambiguity. oxenstored access logs lack successful
 * replies and most reads: only errors, the absence of errors and watch events are compared.
 *
 * <p>Streaming: one record of look-ahead (for the ambiguities that follow a record), per-connection
 * state, and bounded lookup tables; memory does not grow with the trace.
 */
public final class TraceReplayer {

    private static final int WATCH = XsType.WATCH.code();
    private static final int UNWATCH = XsType.UNWATCH.code();
    private static final int T_START = XsType.TRANSACTION_START.code();
    private static final int T_END = XsType.TRANSACTION_END.code();
    private static final int INTRODUCE = XsType.INTRODUCE.code();
    private static final int RESET = XsType.RESET_WATCHES.code();
    private static final int DIRECTORY_PART = XsType.DIRECTORY_PART.code();
    private static final int WRITE = XsType.WRITE.code();
    private static final int ERROR = XsType.ERROR.code();
    /** Bound of the tables that remember ambiguities by line and by path. */
    private static final int MEMORY = 1 << 16;

    private enum Kind { SOCKET, DOMAIN, DOM0_RING }

    /** A request sent to the target and waiting for its recorded reply. */
    private static final class Sent {
        final Request req;
        final String shown;
        XsSocketMessage actual;
        String failure;

        Sent(Request req, String shown) {
            this.req = req;
            this.shown = shown;
        }
    }

    /** A traced connection and its replay counterpart. */
    private final class Conn {
        final String name;
        final Kind kind;
        final int domid;
        XsConnection client;
        String unsupported;
        String dead;
        final Map<Long, Long> tx = new HashMap<>();
        final ArrayDeque<Sent> sent = new ArrayDeque<>();
        final ArrayDeque<XsSocketMessage> events = new ArrayDeque<>();
        final List<Long> txAmbiguities = new ArrayList<>();

        Conn(String name, Kind kind, int domid) {
            this.name = name;
            this.kind = kind;
            this.domid = domid;
        }

        boolean usable() {
            return client != null && unsupported == null && dead == null;
        }

        String unusableReason() {
            return unsupported != null ? unsupported : dead != null ? dead : "connection not open";
        }
    }

    /** The first connection to the target failed: nothing can be replayed. */
    private static final class Unreachable extends RuntimeException {
        Unreachable(IOException cause) {
            super(cause);
        }
    }

    /** oxenstored: a transaction end sent for a {@code conflict} line, whose outcome a later line tells. */
    private record ImpliedEnd(Conn conn, long tx, long line, Sent sent) {
    }

    private final ReplayTarget target;
    private final ReplayOptions options;
    private final Duration wait;
    private ReplayReport report;
    private String file;
    private boolean ox;
    /** Whether a domid of 0 on a connection means dom0's ring (oxenstored D0, xenpv captures), not a socket (4.19 (d0)). */
    private boolean domid0IsRing;
    private final Map<String, Conn> conns = new LinkedHashMap<>();
    private final Map<Long, List<Ambiguity>> ambiguitiesByLine = lru();
    private final Map<String, Long> ambiguousValues = lru();
    private final Map<Long, String> expected = new HashMap<>();
    private final Set<Long> expectedMet = new HashSet<>();
    private final List<ImpliedEnd> impliedEnds = new ArrayList<>();
    /** Domains a RELEASE was sent for, whose ring's destruction is therefore expected. */
    private final Set<Integer> released = new HashSet<>();
    private Sent oxLast;
    /** Whether the oxenstored log has read operations (access-log-read-ops on: ENOENT errors are logged). */
    private boolean oxReadOps;
    private Conn oxLastConn;
    private Conn introducing;
    private int introducingDomid;
    private boolean markerSeen;
    private boolean anyConnection;
    private boolean anyRequest;
    /** Whether the target ever accepted a connection: if the first one fails, the target is unreachable. */
    private boolean anyOpened;
    private int syncs;

    public TraceReplayer(ReplayTarget target, ReplayOptions options) {
        this.target = target;
        this.options = options;
        this.wait = target.waitTime();
    }

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> e) {
                return size() > MEMORY;
            }
        };
    }

    /**
     * Replays the trace read by {@code reader} (which stays open; the caller closes it).
     *
     * @param name the trace's name in messages ({@code file:line: ...})
     * @throws org.xenpv.xenstore.trace.TraceSyntaxException for malformed trace input
     * @throws ReplayInputException if the initial state cannot be created on the target
     * @throws IOException if the target cannot be reached at all
     */
    public ReplayReport replay(TraceReader reader, String name) throws IOException {
        long t0 = System.nanoTime();
        this.file = name;
        this.ox = reader.sourceFormat() == TraceFormat.OXENSTORED;
        this.domid0IsRing = reader.sourceFormat() != TraceFormat.CXENSTORED;
        this.report = new ReplayReport(name, reader.format().cliName(), target.describe(), options.limit());
        expected.putAll(options.expectations().expected());
        if (ox) {
            report.note("oxenstored access log: successful replies are not logged, so a logged operation without "
                    + "an error is compared as 'succeeded'; reads, directory listings, GET_PERMS and transaction "
                    + "start/end are logged only when enabled; errors and watch events are compared as recorded");
        }
        if (!options.initial().isEmpty()) {
            seed(options.initial());
        }
        try {
            run(reader);
        } catch (Unreachable e) {
            throw new IOException(target.describe() + " is unreachable: " + e.getCause().getMessage(), e.getCause());
        }
        finish();
        report.variant(reader.variant());
        report.lines = reader.linesRead();
        report.bytes = reader.bytesRead();
        report.lenientSkipped = reader.skipped();
        report.seconds = (System.nanoTime() - t0) / 1e9;
        return report;
    }

    private void run(TraceReader reader) {
        TraceRecord held = null;
        List<Ambiguity> heldAmbiguities = new ArrayList<>();
        while (reader.hasNext()) {
            TraceRecord r = reader.next();
            report.records++;
            if (r instanceof Ambiguity a) {
                remember(a);
                if (held != null) {
                    heldAmbiguities.add(a);
                } else {
                    standalone(a);
                }
                continue;
            }
            if (held != null) {
                handle(held, heldAmbiguities);
                heldAmbiguities = new ArrayList<>();
            }
            held = r;
        }
        if (held != null) {
            handle(held, heldAmbiguities);
        }
    }

    // ---------------------------------------------------------------- initial state

    private void seed(List<DumpEntry> nodes) throws IOException {
        try (XsConnection c = target.openSocket("replay-seed")) {
            for (DumpEntry e : nodes) {
                byte[] path = (e.path() + "\0").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                byte[] p = Arrays.copyOf(path, path.length + e.value().length);
                System.arraycopy(e.value(), 0, p, path.length, e.value().length);
                seedStep(c, e, WRITE, p);
                if (e.perms() != null) {
                    StringBuilder sb = new StringBuilder(e.path()).append('\0');
                    for (String perm : e.perms()) {
                        sb.append(perm).append('\0');
                    }
                    seedStep(c, e, XsType.SET_PERMS.code(),
                            sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            }
        }
        anyOpened = true;
        report.note("started from an initial state of " + nodes.size() + " nodes; DIRECTORY_PART generation "
                + "counts are not compared");
    }

    private void seedStep(XsConnection c, DumpEntry e, int type, byte[] payload) {
        XsSocketMessage r;
        try {
            int id = c.send(type, 0, payload);
            r = c.awaitReply(id, wait.isZero() ? Duration.ofSeconds(5) : wait);
        } catch (XsClientException ex) {
            throw new ReplayInputException(e.source() + ":" + e.line() + ": creating the initial state: "
                    + Message.typeName(type) + " " + e.path() + ": " + ex.getMessage(), ex);
        }
        if (r.isError()) {
            throw new ReplayInputException(e.source() + ":" + e.line() + ": creating the initial state: "
                    + Message.typeName(type) + " " + e.path() + (e.perms() != null && type != WRITE ? " " + e.perms() : "")
                    + " failed on " + target.describe() + ": " + r.errorName());
        }
    }

    // ---------------------------------------------------------------- dispatch

    private void handle(TraceRecord r, List<Ambiguity> ambs) {
        lastLine = r.line();
        // unanswered requests of a closing connection: settle them before it goes; the record's own: after it
        for (Ambiguity a : ambs) {
            if (a.kind() == Ambiguity.Kind.REQUEST_NOT_ANSWERED && a.line() != r.line()) {
                notAnswered(a);
            }
        }
        switch (r) {
            case Request q -> onRequest(q, ambs);
            case Reply p -> onReply(p);
            case WatchEvent e -> onEvent(e);
            case ConnectionOpen c -> onOpen(c);
            case ConnectionClose c -> onClose(c.conn(), c.line());
            case ConnectionIgnored c -> onIgnored(c);
            case ReplayedOp o -> report.notSent++;
            case TransactionOutcome t -> onOutcome(t);
            case TransactionCreate t -> onTxCreate(t);
            case Marker m -> markerSeen = true;
            default -> {
            }
        }
        for (Ambiguity a : ambs) {
            if (a.kind() != Ambiguity.Kind.REQUEST_NOT_ANSWERED) {
                reportAmbiguity(a, r);
            } else if (a.line() == r.line()) {
                notAnswered(a);
            }
        }
    }

    private void remember(Ambiguity a) {
        ambiguitiesByLine.computeIfAbsent(a.line(), k -> new ArrayList<>(1)).add(a);
    }

    /** An ambiguity that follows no record (cannot happen with the reader's ordering, kept for safety). */
    private void standalone(Ambiguity a) {
        report.ambiguous(new AmbiguousStep(a.line(), a.kind().name(), a.what(), a.alternatives(), "none needed"));
    }

    // ---------------------------------------------------------------- connections

    private void onOpen(ConnectionOpen c) {
        Conn old = conns.get(c.conn());
        if (old != null) {
            onClose(c.conn(), c.line());
        }
        Kind kind = Kind.SOCKET;
        int domid = 0;
        if (c.domid().isPresent() && (c.domid().getAsInt() != 0 || domid0IsRing)) {
            domid = c.domid().getAsInt();
            kind = domid == 0 ? Kind.DOM0_RING : Kind.DOMAIN;
        } else if (introducing != null) {
            kind = Kind.DOMAIN;
            domid = introducingDomid;
            introducing = null;
        } else if (markerSeen && !anyConnection && !anyRequest) {
            kind = Kind.DOM0_RING;
        }
        anyConnection = true;
        open(c.conn(), kind, domid, c.line());
    }

    private Conn open(String name, Kind kind, int domid, long line) {
        Conn c = new Conn(name, kind, domid);
        conns.put(name, c);
        try {
            switch (kind) {
                case SOCKET -> c.client = target.openSocket(name);
                case DOMAIN -> {
                    if (!target.supportsDomains()) {
                        c.unsupported = "domain " + Integer.toUnsignedString(domid) + " connection: not replayable "
                                + "against " + target.describe() + " (socket clients are dom0)";
                        report.note("connection " + name + " (line " + line + ") is domain "
                                + Integer.toUnsignedString(domid) + "'s ring: its steps are skipped against "
                                + target.describe() + ", where every client is a privileged dom0 socket client");
                    } else {
                        c.client = target.domainConnection(domid, name);
                    }
                }
                case DOM0_RING -> {
                    XsConnection ring = null;
                    if (target.supportsDomains()) {
                        try {
                            ring = target.domainConnection(0, name);
                        } catch (UnsupportedOperationException e) {
                            // the rig has no way to dom0's ring: a socket client is dom0 too
                        }
                    }
                    if (ring != null) {
                        c.client = ring;
                    } else {
                        c.client = target.openSocket(name);
                        report.note("connection " + name + " (line " + line + ") is dom0's own ring (created at "
                                + "daemon start); replayed over a socket client, which is privileged dom0 too");
                    }
                }
            }
        } catch (UnsupportedOperationException e) {
            c.unsupported = e.getMessage();
            report.note("connection " + name + " (line " + line + "): " + e.getMessage());
        } catch (IOException e) {
            if (!anyOpened) {
                throw new Unreachable(e);
            }
            c.dead = "the target refused this connection (line " + line + ")";
            divergence(new Divergence(file, line, name, 0, "", Divergence.Kind.CONNECTION, "a connection",
                    e.getMessage(), List.of(), null));
        }
        anyOpened |= c.client != null;
        return c;
    }

    /** The connection of a message; a connection the trace never opened is opened now (trace starts mid-run). */
    private Conn connFor(String name, OptionalInt domid, long line) {
        Conn c = conns.get(name);
        if (c != null) {
            return c;
        }
        boolean dom = domid.isPresent() && (domid.getAsInt() != 0 || domid0IsRing);
        Kind kind = !dom ? Kind.SOCKET : domid.getAsInt() == 0 ? Kind.DOM0_RING : Kind.DOMAIN;
        report.note("connection " + name + " appears at line " + line + " without being opened in the trace: "
                + "opened then as " + (dom ? "domain " + Integer.toUnsignedString(domid.getAsInt()) + "'s ring"
                : "a socket client"));
        anyConnection = true;
        return open(name, kind, dom ? domid.getAsInt() : 0, line);
    }

    private void onClose(String name, long line) {
        Conn c = conns.get(name);
        if (c == null) {
            return;
        }
        if (oxLastConn == c) {
            resolveOx();
        }
        boolean wasReleased = c.kind == Kind.DOMAIN && released.remove(c.domid);
        if (c.kind == Kind.DOMAIN && !wasReleased && c.usable() && c.client.isOpen()) {
            domainDied(c, line);
        }
        settle(c, line);
        conns.remove(name);
        if (c.client != null) {
            // a ring belongs to its domain (SimConnection/ring rigs only detach); a socket client hangs up
            c.client.close();
        }
        impliedEnds.removeIf(e -> e.conn() == c);
    }

    /** Makes sure every event the target queued for {@code c} has arrived, then reports those not in the trace. */
    private void settle(Conn c, long line) {
        if (!c.usable()) {
            return;
        }
        if (target.asynchronous() && c.client.isOpen()) {
            try {
                int id = c.client.send(XsType.GET_DOMAIN_PATH.code(), 0, new byte[] {'0', 0});
                c.client.awaitReply(id, wait);
                syncs++;
            } catch (XsClientException e) {
                // closed meanwhile: what arrived is all there is
            }
        }
        drainEvents(c);
        for (XsSocketMessage m : c.events) {
            divergence(new Divergence(file, line, c.name, 0, "", Divergence.Kind.UNEXPECTED_EVENT, "no event",
                    MessageText.message(m.type(), m.payload()), List.of(), null));
        }
        c.events.clear();
    }

    /**
     * The trace destroys a domain's ring that no RELEASE ended: the domain died (the daemon learnt it from
     * VIRQ_DOM_EXC, which the trace does not show). The target's hypervisor is told the same.
     */
    private void domainDied(Conn c, long line) {
        String did;
        try {
            target.domainGone(c.domid);
            did = "told " + target.describe() + " that domain " + Integer.toUnsignedString(c.domid) + " died";
        } catch (UnsupportedOperationException | IOException e) {
            did = "not reproduced: " + e.getMessage();
        }
        report.ambiguous(new AmbiguousStep(line, "DOMAIN_DIED", "domain " + Integer.toUnsignedString(c.domid)
                + "'s connection " + c.name + " is destroyed without a RELEASE: the hypervisor destroyed the domain "
                + "(the trace does not show VIRQ_DOM_EXC)", List.of(), did));
    }

    private void onIgnored(ConnectionIgnored ci) {
        Conn c = conns.get(ci.conn());
        if (c == null || !c.usable()) {
            return;
        }
        String did;
        if (ci.reason() == 3) {
            try {
                c.client.send(new XsHeader(XsType.READ.code(), 0, 0, XsHeader.PAYLOAD_MAX + 1), new byte[0]);
            } catch (XsClientException e) {
                // the target may already have hung up
            }
            did = "sent a header announcing " + (XsHeader.PAYLOAD_MAX + 1) + " payload bytes (what makes cxenstored "
                    + "ignore a connection with XENSTORE_ERROR_PROTO)";
        } else {
            did = "closed the connection";
        }
        report.ambiguous(new AmbiguousStep(ci.line(), "CONNECTION_IGNORED", "the daemon ignored connection " + ci.conn()
                + " (" + ci.reasonName() + "); the trace does not show what the client sent", List.of(), did));
        if (ci.reason() != 3 && c.kind == Kind.SOCKET) {
            c.client.close();
        }
        c.dead = "the daemon ignored this connection at line " + ci.line();
    }

    // ---------------------------------------------------------------- requests

    private void onRequest(Request q, List<Ambiguity> ambs) {
        resolveOx();
        if (ox && (q.type() == XsType.READ.code() || q.type() == XsType.DIRECTORY.code()
                || q.type() == XsType.GET_PERMS.code())) {
            oxReadOps = true;
        }
        anyRequest = true;
        Conn c = connFor(q.conn(), q.domid(), q.line());
        int type = q.type() == Message.UNKNOWN_TYPE ? guessType(ambs) : q.type();
        byte[] payload = q.payload().bytes();
        String shown = MessageText.request(type, payload);
        if (!c.usable()) {
            skip(q.line(), c, shown, c.unusableReason());
            return;
        }
        long txTraced = q.tx().id();
        long txSend = txFor(c, q, type, txTraced);
        if (type == INTRODUCE) {
            introduce(q, payload);
        } else if (type == XsType.RELEASE.code()) {
            try {
                released.add(Integer.parseUnsignedInt(firstString(payload)));
            } catch (NumberFormatException e) {
                // not a domid: the daemon answers EINVAL and releases nothing
            }
        }
        if (type == WRITE && !q.payload().exact()) {
            ambiguousValues.put(firstString(payload), q.line());
        }
        Sent s = new Sent(q, shown);
        send(c, s, q.line(), type, txSend, payload);
        c.sent.addLast(s);
        report.requestsSent++;
        if (ox) {
            oxLast = s;
            oxLastConn = c;
        }
    }

    private void introduce(Request q, byte[] payload) {
        try {
            introducingDomid = Integer.parseUnsignedInt(firstString(payload));
            introducing = conns.get(q.conn());
            target.beforeIntroduce(introducingDomid);
        } catch (NumberFormatException e) {
            introducing = null;
        } catch (IOException e) {
            report.note("line " + q.line() + ": preparing domain " + introducingDomid + " for INTRODUCE failed: "
                    + e.getMessage());
        }
    }

    private void send(Conn c, Sent s, long line, int type, long tx, byte[] payload) {
        try {
            int id = c.client.send(type, (int) tx, payload);
            s.actual = c.client.awaitReply(id, wait);
        } catch (XsTimeoutException e) {
            s.failure = "no reply within " + wait.toMillis() + " ms";
        } catch (XsClosedException e) {
            s.failure = "connection closed by the target";
            c.dead = "the target closed this connection (line " + line + ")";
        } catch (XsClientException e) {
            s.failure = e.getMessage();
            c.dead = "the connection failed at line " + line + ": " + e.getMessage();
        }
    }

    /** The type to send for a request whose type the trace does not record: the parser's first alternative. */
    private static int guessType(List<Ambiguity> ambs) {
        for (Ambiguity a : ambs) {
            if (a.kind() == Ambiguity.Kind.TYPE_NOT_RECORDED && !a.alternatives().isEmpty()) {
                String s = a.alternatives().get(0);
                int i = 0;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i > 0) {
                    return Integer.parseInt(s.substring(0, i));
                }
            }
        }
        return XsType.RESTRICT.code();
    }

    /** The tx_id to send: the target's id for the traced one. */
    private long txFor(Conn c, Request q, int type, long traced) {
        if (q.tx().basis() == TxContext.Basis.NOT_APPLICABLE || traced == 0) {
            return 0;
        }
        Long mapped = c.tx.get(traced);
        if (mapped != null) {
            return mapped;
        }
        if (ox && q.tx().basis() == TxContext.Basis.RECORDED && type != WATCH && type != UNWATCH) {
            Long started = impliedStart(c, traced, q.line());
            if (started != null) {
                return started;
            }
        }
        return traced;
    }

    /** oxenstored logs transaction starts only on request: a tx id seen first on an operation implies its start. */
    private Long impliedStart(Conn c, long traced, long line) {
        Sent s = new Sent(null, "TRANSACTION_START");
        send(c, s, line, T_START, 0, new byte[] {0});
        report.impliedRequests++;
        String got = s.actual == null ? s.failure : MessageText.message(s.actual.type(), s.actual.payload());
        report.ambiguous(new AmbiguousStep(line, "IMPLIED_TRANSACTION", "transaction " + traced + " of " + c.name
                + " is used before the log shows it start (transaction start is logged only with "
                + "access-log-transaction-ops)", List.of(), "sent TRANSACTION_START first, target answered " + got));
        if (s.actual != null && !s.actual.isError()) {
            try {
                long id = Long.parseLong(firstString(s.actual.payload()));
                c.tx.put(traced, id);
                return id;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private void onTxCreate(TransactionCreate t) {
        if (!ox || t.conn() == null || t.txId().isEmpty()) {
            return;
        }
        resolveOx();
        Conn c = connFor(t.conn(), OptionalInt.empty(), t.line());
        if (c.usable() && !c.tx.containsKey(t.txId().getAsLong())) {
            impliedStart(c, t.txId().getAsLong(), t.line());
        }
    }

    // ---------------------------------------------------------------- replies

    private void onReply(Reply p) {
        Conn c = conns.get(p.conn());
        Request req = p.request();
        if (req == null) {
            if (c != null && ox && p.isError()) {
                resolveImpliedEnd(c, p.tx().id(), p);
            }
            if (oxLastConn == c) {
                resolveOx();
            }
            return;
        }
        if (c == null) {
            return;
        }
        Sent s = null;
        for (Iterator<Sent> it = c.sent.iterator(); it.hasNext(); ) {
            Sent x = it.next();
            if (x.req.line() == req.line()) {
                s = x;
                it.remove();
                break;
            }
        }
        if (s == null) {
            if (!c.usable()) {
                skip(p.line(), c, p.typeName() + " reply", c.unusableReason());
            }
            return;
        }
        if (s == oxLast) {
            oxLast = null;
            oxLastConn = null;
        }
        if (s.req.type() == INTRODUCE) {
            introducing = null;
        }
        report.repliesCompared++;
        compareReply(c, s, p);
        txBookkeeping(c, s, p);
    }

    private void compareReply(Conn c, Sent s, Reply p) {
        String expectedText = MessageText.message(p.type(), p.payload().bytes());
        if (s.actual == null) {
            divergence(c, s, p.line(), Divergence.Kind.NO_REPLY, expectedText, s.failure);
            return;
        }
        XsSocketMessage a = s.actual;
        String actualText = MessageText.message(a.type(), a.payload());
        if (a.type() != p.type()) {
            divergence(c, s, p.line(), Divergence.Kind.REPLY, expectedText, actualText);
            return;
        }
        int reqType = s.req.type();
        if (p.isError()) {
            if (!firstString(p.payload().bytes()).equals(a.errorName())) {
                divergence(c, s, p.line(), Divergence.Kind.REPLY, expectedText, actualText);
            }
            return;
        }
        if (reqType == T_START) {
            return;
        }
        byte[] exp = p.payload().bytes();
        byte[] act = a.payload();
        if (reqType == DIRECTORY_PART && !options.compareGenerations()) {
            exp = afterFirstString(exp);
            act = afterFirstString(act);
        }
        if (!matches(exp, p.payload().fidelity(), act)) {
            divergence(c, s, p.line(), Divergence.Kind.REPLY, expectedText, actualText);
        }
    }

    private void txBookkeeping(Conn c, Sent s, Reply p) {
        int t = s.req.type();
        XsSocketMessage a = s.actual;
        if (t == T_START && !p.isError() && a != null && !a.isError()) {
            try {
                c.tx.put(Long.parseLong(firstString(p.payload().bytes())), Long.parseLong(firstString(a.payload())));
            } catch (NumberFormatException e) {
                // not an id: nothing opened
            }
        } else if (t == T_END) {
            boolean ended = isEndOk(p.isError() ? firstString(p.payload().bytes()) : null)
                    || a != null && isEndOk(a.isError() ? a.errorName() : null);
            if (ended) {
                c.tx.remove(s.req.tx().id());
            }
        } else if (t == RESET && !p.isError()) {
            c.tx.clear();
        }
        if (c.tx.isEmpty()) {
            c.txAmbiguities.clear();
        }
    }

    private static boolean isEndOk(String error) {
        return error == null || error.equals("EAGAIN");
    }

    private void notAnswered(Ambiguity a) {
        for (Conn c : conns.values()) {
            for (Iterator<Sent> it = c.sent.iterator(); it.hasNext(); ) {
                Sent s = it.next();
                if (s.req.line() == a.line()) {
                    it.remove();
                    String got = s.actual == null ? "the target did not answer either ("
                            + s.failure + ")" : "the target answered " + MessageText.message(s.actual.type(),
                            s.actual.payload()) + "; not compared";
                    report.ambiguous(new AmbiguousStep(a.line(), a.kind().name(), a.what(), a.alternatives(), got));
                    return;
                }
            }
        }
        report.ambiguous(new AmbiguousStep(a.line(), a.kind().name(), a.what(), a.alternatives(), "not sent"));
    }

    // ---------------------------------------------------------------- oxenstored outcomes

    /**
     * oxenstored logs an operation's error right after it: when the next operation (or anything else of
     * the kind) is logged, the previous operation got no error, so it succeeded.
     */
    private void resolveOx() {
        Sent s = oxLast;
        Conn c = oxLastConn;
        oxLast = null;
        oxLastConn = null;
        if (s == null || !c.sent.remove(s)) {
            return;
        }
        report.repliesCompared++;
        if (s.actual == null) {
            divergence(c, s, s.req.line(), Divergence.Kind.NO_REPLY, "success (not logged)", s.failure);
        } else if (s.actual.isError() && "ENOENT".equals(s.actual.errorName()) && !oxReadOps) {
            report.repliesCompared--;
            report.ambiguous(new AmbiguousStep(s.req.line(), "ERROR_NOT_LOGGED", s.shown + " on " + c.name
                    + ": the target answered ENOENT; oxenstored logs ENOENT errors only with access-log-read-ops, "
                    + "which this log does not have (no reads logged)", List.of("ENOENT", "success"),
                    "not compared"));
        } else if (s.actual.isError()) {
            divergence(c, s, s.req.line(), Divergence.Kind.UNEXPECTED_ERROR, "success (oxenstored logged no error)",
                    MessageText.message(s.actual.type(), s.actual.payload()));
        }
    }

    private void onOutcome(TransactionOutcome t) {
        resolveOx();
        Conn c = conns.get(t.conn());
        if (c == null) {
            c = connFor(t.conn(), OptionalInt.empty(), t.line());
        }
        if (!c.usable()) {
            skip(t.line(), c, "transaction " + t.txId() + " " + t.outcome(), c.unusableReason());
            return;
        }
        if (t.replayOf().isPresent()) {
            if (t.outcome() == TransactionOutcome.Outcome.COMMIT) {
                for (ImpliedEnd e : impliedEnds) {
                    if (e.conn() == c && e.tx() == t.replayOf().getAsLong()) {
                        impliedEnds.remove(e);
                        compareImpliedEnd(e, null, t.line(), "OK (after oxenstored replayed the conflicting transaction "
                                + "and committed it, line " + t.line() + ")");
                        break;
                    }
                }
            }
            return;
        }
        Long mapped = c.tx.remove(t.txId());
        if (mapped == null) {
            return;
        }
        Sent s = new Sent(null, "TRANSACTION_END T (implied by oxenstored '" + t.outcome().name().toLowerCase()
                + "' of transaction " + t.txId() + ")");
        send(c, s, t.line(), T_END, mapped, new byte[] {'T', 0});
        report.impliedRequests++;
        ImpliedEnd e = new ImpliedEnd(c, t.txId(), t.line(), s);
        if (t.outcome() == TransactionOutcome.Outcome.CONFLICT) {
            impliedEnds.add(e);
        } else {
            compareImpliedEnd(e, null, t.line(), "OK");
        }
    }

    private void resolveImpliedEnd(Conn c, long tx, Reply p) {
        for (ImpliedEnd e : impliedEnds) {
            if (e.conn() == c && e.tx() == tx) {
                impliedEnds.remove(e);
                compareImpliedEnd(e, firstString(p.payload().bytes()), p.line(), "ERROR "
                        + firstString(p.payload().bytes()));
                return;
            }
        }
    }

    /** @param error the error the log shows for the transaction end, or null for success */
    private void compareImpliedEnd(ImpliedEnd e, String error, long line, String expectedText) {
        report.repliesCompared++;
        XsSocketMessage a = e.sent().actual;
        String actual = a == null ? e.sent().failure : MessageText.message(a.type(), a.payload());
        boolean ok = a != null && (error == null ? !a.isError() : a.isError() && error.equals(a.errorName()));
        if (!ok) {
            divergence(new Divergence(file, line, e.conn().name, e.line(), e.sent().shown, Divergence.Kind.REPLY,
                    expectedText, actual, ambiguityLines(e.conn(), e.line(), line, null), null));
        }
    }

    // ---------------------------------------------------------------- watch events

    private void onEvent(WatchEvent e) {
        Conn c = conns.get(e.conn());
        if (c == null) {
            c = connFor(e.conn(), e.domid(), e.line());
        }
        String shown = MessageText.message(e.type(), e.payload().bytes());
        if (!c.usable()) {
            skip(e.line(), c, shown, c.unusableReason());
            return;
        }
        drainEvents(c);
        if (e.watchPath() == null) {
            // the registration predates the trace: the replay cannot have made it
            takeMatching(c, e.payload());
            skip(e.line(), c, shown, "the trace does not show this watch's registration (WATCH before the trace "
                    + "starts), so the replay cannot have registered it");
            return;
        }
        report.eventsCompared++;
        if (takeMatching(c, e.payload())) {
            return;
        }
        if (c.events.isEmpty()) {
            divergence(new Divergence(file, e.line(), c.name, 0, "", Divergence.Kind.MISSING_EVENT, shown,
                    "no event" + (wait.isZero() ? "" : " within " + wait.toMillis() + " ms"),
                    ambiguityLines(c, 0, e.line(), e.path()), null));
            return;
        }
        XsSocketMessage got = c.events.poll();
        divergence(new Divergence(file, e.line(), c.name, 0, "", Divergence.Kind.EVENT, shown,
                MessageText.message(got.type(), got.payload()), ambiguityLines(c, 0, e.line(), e.path()), null));
    }

    /**
     * Takes the event matching {@code expected} from the connection's queue: events before it are
     * reported as unexpected. Waits for more events (asynchronous targets) until one matches or the
     * wait is over.
     */
    private boolean takeMatching(Conn c, Payload expected) {
        byte[] exp = expected.bytes();
        while (true) {
            int i = 0;
            for (XsSocketMessage m : c.events) {
                if (matches(exp, expected.fidelity(), m.payload())) {
                    for (int k = 0; k < i; k++) {
                        XsSocketMessage extra = c.events.poll();
                        divergence(new Divergence(file, lastLine, c.name, 0, "", Divergence.Kind.UNEXPECTED_EVENT,
                                "no event", MessageText.message(extra.type(), extra.payload()), List.of(), null));
                    }
                    c.events.poll();
                    return true;
                }
                i++;
            }
            if (wait.isZero() || !c.client.isOpen()) {
                return false;
            }
            try {
                c.events.add(c.client.nextEvent(wait));
            } catch (XsClientException ex) {
                return false;
            }
        }
    }

    private long lastLine;

    private void drainEvents(Conn c) {
        c.events.addAll(c.client.takeEvents());
    }

    // ---------------------------------------------------------------- results

    private void divergence(Conn c, Sent s, long line, Divergence.Kind kind, String expectedText, String actualText) {
        divergence(new Divergence(file, line, c.name, s.req.line(), s.shown, kind, expectedText, actualText,
                ambiguityLines(c, s.req.line(), line, firstString(s.req.payload().bytes())), null));
    }

    private void divergence(Divergence d) {
        String reason = expected.get(d.line());
        long matchedLine = d.line();
        if (reason == null && d.requestLine() > 0) {
            reason = expected.get(d.requestLine());
            matchedLine = d.requestLine();
        }
        if (reason != null) {
            expectedMet.add(matchedLine);
            report.divergence(d.expectedBecause(reason));
        } else {
            report.divergence(d);
        }
    }

    /**
     * Lines of ambiguities that may explain a divergence: those of the request and of the recorded
     * answer, the connection's transaction guesses since its transactions were last all closed, and an
     * ambiguous value written earlier to the path concerned.
     */
    private List<Long> ambiguityLines(Conn c, long requestLine, long line, String path) {
        java.util.TreeSet<Long> out = new java.util.TreeSet<>();
        if (requestLine > 0 && ambiguitiesByLine.containsKey(requestLine)) {
            out.add(requestLine);
        }
        if (ambiguitiesByLine.containsKey(line)) {
            out.add(line);
        }
        out.addAll(c.txAmbiguities);
        if (path != null) {
            Long w = ambiguousValues.get(path);
            if (w != null) {
                out.add(w);
            }
        }
        return List.copyOf(out);
    }

    private void skip(long line, Conn c, String step, String reason) {
        report.skipped(new SkippedStep(line, c.name, step, reason));
    }

    private void reportAmbiguity(Ambiguity a, TraceRecord r) {
        String did = switch (a.kind()) {
            case PAYLOAD_SPACE_OR_NUL -> r instanceof Request ? "sent with spaces (the parser's choice)"
                    : "compared treating each shown space as space or NUL";
            case PAYLOAD_TRUNCATED -> r instanceof Request ? "sent the bytes shown" : "compared the recorded prefix";
            case TYPE_NOT_RECORDED -> r instanceof Request q ? "sent as type " + guessType(List.of(a))
                    + (conns.containsKey(q.conn()) && !conns.get(q.conn()).usable() ? " (skipped)" : "")
                    : "not compared";
            case TX_CONTEXT, TX_END_TARGET -> {
                if (r instanceof Request q) {
                    Conn c = conns.get(q.conn());
                    if (c != null) {
                        if (c.txAmbiguities.size() < 64) {
                            c.txAmbiguities.add(a.line());
                        }
                    }
                    Long mapped = c == null ? null : c.tx.get(q.tx().id());
                    yield "sent in tx " + q.tx().id() + " (the parser's guess"
                            + (mapped != null && mapped != q.tx().id() ? "; target tx " + mapped : "") + ")";
                }
                yield "used the parser's guess";
            }
            case REPLY_WITHOUT_REQUEST -> "not compared (no request to compare with)";
            case REPLY_TYPE_MISMATCH -> "compared with the reply to the paired request";
            case REQUEST_NOT_ANSWERED -> "not compared";
        };
        if ((a.kind() == Ambiguity.Kind.TX_CONTEXT || a.kind() == Ambiguity.Kind.TX_END_TARGET)
                && !(r instanceof Request)) {
            // a held TRANSACTION_START/END resolved by its reply: the ambiguity names the request's line
            for (Conn c : conns.values()) {
                for (Sent s : c.sent) {
                    if (s.req.line() == a.line() && c.txAmbiguities.size() < 64) {
                        c.txAmbiguities.add(a.line());
                    }
                }
            }
        }
        report.ambiguous(new AmbiguousStep(a.line(), a.kind().name(), a.what(), a.alternatives(), did));
    }

    private void finish() {
        resolveOx();
        for (ImpliedEnd e : impliedEnds) {
            report.ambiguous(new AmbiguousStep(e.line(), "TX_OUTCOME_NOT_LOGGED", "oxenstored logged a conflict for "
                    + "transaction " + e.tx() + " of " + e.conn().name + " but neither the EAGAIN nor a replayed "
                    + "commit", List.of("EAGAIN", "OK"), "not compared"));
        }
        impliedEnds.clear();
        for (String name : new ArrayList<>(conns.keySet())) {
            Conn c = conns.get(name);
            settle(c, lastLine);
            if (c.client != null) {
                c.client.close();
            }
        }
        conns.clear();
        for (Map.Entry<Long, String> e : expected.entrySet()) {
            if (!expectedMet.contains(e.getKey())) {
                report.divergence(new Divergence(file, e.getKey(), "-", e.getKey(), "", Divergence.Kind.EXPECTATION_NOT_MET,
                        "a deviation (" + e.getValue() + ")", "none: the replay matched the trace here", List.of(),
                        null));
            }
        }
        if (syncs > 0) {
            report.note(syncs + " extra GET_DOMAIN_PATH round trip(s) made sure no watch event was still in flight "
                    + "before connections closed");
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Payload comparison with the trace's fidelity: a shown space may be a NUL; a cut payload is a prefix. */
    static boolean matches(byte[] expected, Payload.Fidelity fidelity, byte[] actual) {
        switch (fidelity) {
            case EXACT -> {
                return Arrays.equals(expected, actual);
            }
            case SPACE_OR_NUL -> {
                if (expected.length != actual.length) {
                    return false;
                }
                for (int i = 0; i < expected.length; i++) {
                    if (expected[i] != actual[i] && !(expected[i] == ' ' && actual[i] == 0)) {
                        return false;
                    }
                }
                return true;
            }
            case TRUNCATED -> {
                return actual.length >= expected.length
                        && Arrays.equals(expected, 0, expected.length, actual, 0, expected.length);
            }
            default -> throw new IllegalArgumentException(String.valueOf(fidelity));
        }
    }

    private static String firstString(byte[] b) {
        int i = 0;
        while (i < b.length && b[i] != 0) {
            i++;
        }
        return new String(b, 0, i, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static byte[] afterFirstString(byte[] b) {
        int i = 0;
        while (i < b.length && b[i] != 0) {
            i++;
        }
        return Arrays.copyOfRange(b, Math.min(b.length, i + 1), b.length);
    }
}
