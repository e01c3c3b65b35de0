package org.xenpv.xenstore.trace;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.xenpv.xenstore.wire.XsError;
import org.xenpv.xenstore.wire.XsType;

/**
 * Format-neutral reconstruction over a parser's records ({@code docs/traces.md}, "Reconstruction"):
 * pairs replies with requests per connection, infers the transaction of requests where the format
 * records none, attributes watch/transaction objects and watch events, and records an
 * {@link Ambiguity} wherever a rule had to choose. State is per live connection and live object, so
 * memory does not grow with the length of the trace.
 *
 * <p>Records come out in input order. The one exception to "emit at once": a TRANSACTION_START or
 * TRANSACTION_END sent while the connection has a transaction open is held until its reply tells
 * which transaction it named; later records wait behind it (at most {@link #HOLD_MAX}).
 */
final class Reconstructor {

    /** How replies find their requests. */
    enum Pairing {
        /** Replies come in request order per connection (cxenstored; JSON lines without req_id). */
        FIFO,
        /** Only error answers are logged, right after their operation (oxenstored access log). */
        ADJACENT
    }

    static final int HOLD_MAX = 4096;
    static final int PENDING_MAX = 1024;

    private static final int T_START = XsType.TRANSACTION_START.code();
    private static final int T_END = XsType.TRANSACTION_END.code();
    private static final int WATCH = XsType.WATCH.code();
    private static final int UNWATCH = XsType.UNWATCH.code();
    private static final int RESET = XsType.RESET_WATCHES.code();

    private static final class Slot {
        TraceRecord rec;
        boolean held;

        Slot(TraceRecord rec, boolean held) {
            this.rec = rec;
            this.held = held;
        }
    }

    private static final class Pending {
        Request req;
        Slot slot;
        final long[] openAtRequest;

        Pending(Request req, Slot slot, long[] openAtRequest) {
            this.req = req;
            this.slot = slot;
            this.openAtRequest = openAtRequest;
        }
    }

    private static final class ConnState {
        final ArrayDeque<Pending> pending = new ArrayDeque<>();
        final List<Long> openTx = new ArrayList<>();
        /** Registered watches as {path, token}, in registration order. */
        final List<String[]> watches = new ArrayList<>();
    }

    private record ObjInfo(String conn, String path, String token) {
    }

    private final RecordSource src;
    private final TraceFormat source;
    private final Pairing pairing;
    private final ArrayDeque<Slot> out = new ArrayDeque<>();
    private final Map<String, ConnState> conns = new HashMap<>();
    private final Map<String, ObjInfo> watchObjects = new HashMap<>();
    private final Map<String, ObjInfo> txObjects = new HashMap<>();
    private int heldCount;
    private Request current;
    private Pending lastOp;
    private boolean lastOpAnswered = true;
    private boolean finished;
    /** Set by {@link #pairAdjacent} when the only candidate was logged at another time. */
    private Request lateCandidate;

    Reconstructor(RecordSource src, TraceFormat source) {
        this.src = src;
        this.source = source;
        this.pairing = source == TraceFormat.OXENSTORED ? Pairing.ADJACENT : Pairing.FIFO;
    }

    TraceRecord next() {
        while (out.isEmpty() || out.peekFirst().held) {
            if (finished) {
                if (out.isEmpty()) {
                    return null;
                }
                break;
            }
            if (heldCount > 0 && out.size() > HOLD_MAX) {
                releaseHead();
                continue;
            }
            TraceRecord r = src.next();
            if (r == null) {
                finish();
            } else {
                process(r);
            }
        }
        return out.pollFirst().rec;
    }

    // ---------------------------------------------------------------- dispatch

    private void process(TraceRecord r) {
        switch (r) {
            case Request q -> onRequest(q);
            case Reply p -> onReply(p);
            case WatchEvent e -> onEvent(e);
            case ConnectionOpen c -> {
                emit(c);
                closeConn(c.conn(), false);
                conns.put(c.conn(), new ConnState());
            }
            case ConnectionClose c -> {
                emit(c);
                closeConn(c.conn(), true);
            }
            case WatchCreate w -> onWatchCreate(w);
            case WatchDestroy w -> {
                ObjInfo o = w.object() == null ? null : watchObjects.remove(w.object());
                emit(o == null || w.conn() != null ? w
                        : new WatchDestroy(w.line(), o.conn(), w.object(), o.path(), o.token()));
            }
            case TransactionCreate t -> onTxCreate(t);
            case TransactionDestroy t -> onTxDestroy(t);
            case ReplayedOp op -> {
                emit(op);
                payloadAmbiguity(op.line(), op.payload(), Message.typeName(op.type()) + " replayed on " + op.conn());
            }
            default -> emit(r);
        }
    }

    private ConnState state(String conn) {
        return conns.computeIfAbsent(conn, c -> new ConnState());
    }

    private Slot emit(TraceRecord r) {
        return emit(r, false);
    }

    private Slot emit(TraceRecord r, boolean held) {
        Slot s = new Slot(r, held);
        out.addLast(s);
        if (held) {
            heldCount++;
        }
        return s;
    }

    private void ambiguity(long line, Ambiguity.Kind kind, String what, List<String> alternatives) {
        emit(new Ambiguity(line, kind, what, alternatives));
    }

    // ---------------------------------------------------------------- requests

    private void onRequest(Request q) {
        ConnState st = state(q.conn());
        current = q;
        TxContext tx = q.tx();
        boolean hold = false;
        long[] open = toArray(st.openTx);
        String txWhat = null;
        if (tx.basis() == TxContext.Basis.UNKNOWN) {
            if (q.type() == WATCH || q.type() == UNWATCH) {
                tx = TxContext.NOT_APPLICABLE;
            } else if (open.length == 0) {
                tx = TxContext.NONE_INFERRED;
            } else if (q.type() == T_START || q.type() == T_END) {
                tx = TxContext.ambiguous(q.type() == T_START ? 0 : open[open.length - 1]);
                hold = pairing == Pairing.FIFO;
            } else {
                tx = TxContext.ambiguous(open[open.length - 1]);
                txWhat = q.typeName() + " on " + q.conn() + " while transaction(s) " + ids(open)
                        + " open: the trace does not record its tx_id";
            }
        }
        Request r = q.withTx(tx);
        Slot slot = emit(r, hold);
        if (txWhat != null) {
            ambiguity(q.line(), Ambiguity.Kind.TX_CONTEXT, txWhat, txAlternatives(tx.id(), open));
        }
        payloadAmbiguity(q.line(), q.payload(), q.typeName() + " request on " + q.conn());
        typeAmbiguity(q);
        Pending pd = new Pending(r, slot, open);
        if (pairing == Pairing.FIFO) {
            st.pending.addLast(pd);
            if (st.pending.size() > PENDING_MAX) {
                unanswered(st.pending.pollFirst(), "more than " + PENDING_MAX + " requests waiting for replies");
            }
        } else {
            lastOp = pd;
            lastOpAnswered = false;
            List<String> s = r.payload().strings();
            if (q.type() == WATCH && s.size() >= 2) {
                st.watches.add(new String[] {s.get(0), s.get(1)});
            } else if (q.type() == UNWATCH && s.size() >= 2) {
                removeWatch(st, s.get(0), s.get(1));
            } else if (q.type() == RESET) {
                st.watches.clear();
            }
        }
    }

    private void typeAmbiguity(Request q) {
        if (q.type() != Message.UNKNOWN_TYPE) {
            return;
        }
        List<String> alt = switch (source) {
            case CXENSTORED -> List.of("20 (XS_RESTRICT, removed)", "23 or above (no name in this cxenstored)");
            case OXENSTORED -> List.of("22 (DIRECTORY_PART, unknown to oxenstored 4.17)", "20 (XS_RESTRICT, removed)",
                    "23 or above");
            case JSONL -> List.of("not recorded");
        };
        ambiguity(q.line(), Ambiguity.Kind.TYPE_NOT_RECORDED,
                "message type of the request on " + q.conn() + " is not recorded", alt);
    }

    private void payloadAmbiguity(long line, Payload p, String what) {
        switch (p.fidelity()) {
            case EXACT -> { }
            case SPACE_OR_NUL -> ambiguity(line, Ambiguity.Kind.PAYLOAD_SPACE_OR_NUL,
                    what + ": a space in the value may have been a NUL byte",
                    List.of("space (kept)", "NUL"));
            case TRUNCATED -> ambiguity(line, Ambiguity.Kind.PAYLOAD_TRUNCATED,
                    what + ": the log cut the data after " + p.length() + " bytes",
                    List.of("first " + p.length() + " bytes as shown", "rest not recorded"));
        }
    }

    // ---------------------------------------------------------------- replies

    private void onReply(Reply p) {
        ConnState st = state(p.conn());
        lateCandidate = null;
        Pending pd = pairing == Pairing.FIFO ? pairFifo(st, p) : pairAdjacent(p);
        if (pd == null) {
            TxContext tx = p.tx().basis() == TxContext.Basis.UNKNOWN ? TxContext.UNKNOWN : p.tx();
            emit(p.paired(null, tx));
            String what = p.typeName() + " " + p.payload().firstString() + " on " + p.conn() + ": ";
            if (lateCandidate != null) {
                ambiguity(p.line(), Ambiguity.Kind.REPLY_WITHOUT_REQUEST, what + "logged at a later time than the "
                        + lateCandidate.typeName() + " at line " + lateCandidate.line()
                        + " (oxenstored logs an operation and its error answer together)",
                        List.of("answer to a request the log does not show", "answer to line " + lateCandidate.line()));
            } else {
                String why = pairing == Pairing.ADJACENT
                        ? "the access log does not show the operation (reads, directory listings, GET_PERMS, "
                          + "transaction start/end and special ops are logged only when enabled)"
                        : "no request of " + p.conn() + " is waiting for a reply (the trace starts mid-conversation?)";
                ambiguity(p.line(), Ambiguity.Kind.REPLY_WITHOUT_REQUEST, what + why,
                        List.of("answer to a request the trace does not show"));
            }
            payloadAmbiguity(p.line(), p.payload(), p.typeName() + " reply on " + p.conn());
            return;
        }
        Request req = pd.req;
        if (pd.slot != null && pd.slot.held) {
            req = resolveHeld(pd, p);
        }
        XsError err = p.error();
        boolean ok = !p.isError();
        if (req.type() == T_START && ok && pairing == Pairing.FIFO) {
            try {
                st.openTx.add(Long.parseLong(p.payload().firstString()));
            } catch (NumberFormatException e) {
                // not an id: nothing opened
            }
        } else if (req.type() == T_END && (ok || err == XsError.EAGAIN) && pairing == Pairing.FIFO) {
            st.openTx.remove(Long.valueOf(req.tx().id()));
        } else if (req.type() == RESET && ok) {
            st.openTx.clear();
            st.watches.clear();
        } else if (req.type() == WATCH && pairing == Pairing.FIFO && ok) {
            List<String> s = req.payload().strings();
            if (s.size() >= 2) {
                st.watches.add(new String[] {s.get(0), s.get(1)});
            }
        } else if (req.type() == UNWATCH && pairing == Pairing.FIFO && ok) {
            List<String> s = req.payload().strings();
            if (s.size() >= 2) {
                removeWatch(st, s.get(0), s.get(1));
            }
        } else if (req.type() == WATCH && pairing == Pairing.ADJACENT && !ok) {
            List<String> s = req.payload().strings();
            if (s.size() >= 2) {
                removeLastWatch(st, s.get(0), s.get(1));
            }
        }
        TxContext tx = p.tx().basis() == TxContext.Basis.RECORDED ? p.tx() : req.tx();
        emit(p.paired(req, tx));
        if (!p.isError() && p.type() != req.type() && req.type() != Message.UNKNOWN_TYPE) {
            ambiguity(p.line(), Ambiguity.Kind.REPLY_TYPE_MISMATCH, p.typeName() + " reply on " + p.conn()
                    + " paired with the " + req.typeName() + " request at line " + req.line()
                    + " (replies come in request order)", List.of("reply to line " + req.line(), "another request"));
        }
        payloadAmbiguity(p.line(), p.payload(), p.typeName() + " reply on " + p.conn());
    }

    private Pending pairFifo(ConnState st, Reply p) {
        if (p.reqId().isPresent()) {
            for (Iterator<Pending> it = st.pending.iterator(); it.hasNext(); ) {
                Pending pd = it.next();
                if (pd.req.reqId().isPresent() && pd.req.reqId().getAsLong() == p.reqId().getAsLong()) {
                    it.remove();
                    return pd;
                }
            }
            return null;
        }
        return st.pending.pollFirst();
    }

    private Pending pairAdjacent(Reply p) {
        if (lastOp == null || lastOpAnswered || !lastOp.req.conn().equals(p.conn())) {
            return null;
        }
        Request req = lastOp.req;
        if (req.tx().id() != p.tx().id()) {
            return null;
        }
        lastOpAnswered = true;
        if (!Objects.equals(req.time().wall(), p.time().wall())) {
            lateCandidate = req;
            return null;
        }
        return lastOp;
    }

    /** Decides the tx of a held TRANSACTION_START/END from its reply (rules in docs/traces.md). */
    private Request resolveHeld(Pending pd, Reply p) {
        Request req = pd.req;
        long[] open = pd.openAtRequest;
        XsError err = p.error();
        TxContext tx;
        Ambiguity.Kind kind = Ambiguity.Kind.TX_CONTEXT;
        if (req.type() == T_START) {
            if (!p.isError()) {
                tx = TxContext.NONE_INFERRED;
            } else if (err == XsError.EBUSY) {
                tx = open.length == 1 ? TxContext.inferred(open[0]) : TxContext.ambiguous(open[open.length - 1]);
            } else {
                tx = TxContext.ambiguous(0);
            }
        } else {
            if (!p.isError() || err == XsError.EAGAIN) {
                tx = open.length == 1 ? TxContext.inferred(open[0]) : TxContext.ambiguous(open[open.length - 1]);
                kind = Ambiguity.Kind.TX_END_TARGET;
            } else if (err == XsError.ENOENT) {
                tx = TxContext.NONE_INFERRED;
            } else {
                tx = TxContext.ambiguous(open[open.length - 1]);
            }
        }
        req = req.withTx(tx);
        pd.req = req;
        release(pd.slot, req);
        if (tx.basis() == TxContext.Basis.AMBIGUOUS) {
            ambiguity(req.line(), kind, req.typeName() + " on " + req.conn() + " answered " + p.typeName() + " "
                    + p.payload().firstString() + " while transaction(s) " + ids(open) + " open",
                    txAlternatives(tx.id(), open));
        }
        return req;
    }

    private void release(Slot s, TraceRecord r) {
        s.rec = r;
        if (s.held) {
            s.held = false;
            heldCount--;
        }
    }

    /** Gives up waiting for the reply of the held record at the head: keeps the rule's guess. */
    private void releaseHead() {
        Slot s = out.peekFirst();
        if (s.held) {
            Request r = (Request) s.rec;
            release(s, r);
            for (ConnState st : conns.values()) {
                for (Pending pd : st.pending) {
                    if (pd.slot == s) {
                        pd.slot = null;
                    }
                }
            }
            ambiguity(r.line(), Ambiguity.Kind.TX_CONTEXT, r.typeName() + " on " + r.conn()
                    + ": no reply within " + HOLD_MAX + " records to tell its transaction", List.of(
                    Long.toString(r.tx().id()), "another open transaction or 0"));
        }
    }

    // ---------------------------------------------------------------- events, objects, close

    private void onEvent(WatchEvent e) {
        ConnState st = state(e.conn());
        String path = null;
        String token = e.token();
        String epath = e.path();
        for (String[] w : st.watches) {
            if (w[1].equals(token)) {
                if (path == null || (covers(w[0], epath) && !covers(path, epath))) {
                    path = w[0];
                }
            }
        }
        TxContext tx = e.tx().basis() == TxContext.Basis.UNKNOWN ? TxContext.NONE_INFERRED : e.tx();
        WatchEvent r = new WatchEvent(e.line(), e.conn(), e.domid(), e.reqId(), tx, e.payload(), e.time(),
                e.writeFailed(), path);
        emit(r);
        payloadAmbiguity(e.line(), e.payload(), "WATCH_EVENT on " + e.conn());
    }

    private static boolean covers(String watchPath, String epath) {
        return epath.equals(watchPath) || epath.startsWith(watchPath.endsWith("/") ? watchPath : watchPath + "/");
    }

    private void onWatchCreate(WatchCreate w) {
        if (w.conn() == null && current != null && current.type() == WATCH) {
            List<String> s = current.payload().strings();
            w = new WatchCreate(w.line(), current.conn(), w.object(), s.isEmpty() ? null : s.get(0),
                    s.size() > 1 ? s.get(1) : null);
        }
        if (w.object() != null) {
            watchObjects.put(w.object(), new ObjInfo(w.conn(), w.path(), w.token()));
        }
        emit(w);
    }

    private void onTxCreate(TransactionCreate t) {
        if (t.conn() == null && current != null && current.type() == T_START) {
            t = new TransactionCreate(t.line(), current.conn(), t.txId(), t.object());
        }
        if (t.object() != null && t.conn() != null) {
            txObjects.put(t.object(), new ObjInfo(t.conn(), null, null));
        }
        emit(t);
    }

    private void onTxDestroy(TransactionDestroy t) {
        String conn = t.conn();
        if (conn == null && t.object() != null) {
            ObjInfo o = txObjects.remove(t.object());
            if (o != null) {
                conn = o.conn();
            }
        }
        if (conn == null && current != null && (current.type() == T_END || current.type() == RESET)) {
            conn = current.conn();
        }
        OptionalLong id = t.txId();
        if (id.isEmpty() && conn != null) {
            ConnState st = conns.get(conn);
            if (st != null && st.openTx.size() == 1) {
                id = OptionalLong.of(st.openTx.get(0));
            }
        }
        emit(new TransactionDestroy(t.line(), conn, id, t.object()));
    }

    private void closeConn(String conn, boolean closing) {
        ConnState st = conns.remove(conn);
        if (st == null) {
            return;
        }
        for (Pending pd : st.pending) {
            unanswered(pd, closing ? "its connection closed" : "its connection was replaced");
        }
        if (lastOp != null && lastOp.req.conn().equals(conn)) {
            lastOp = null;
        }
    }

    private void unanswered(Pending pd, String why) {
        if (pd.slot != null && pd.slot.held) {
            release(pd.slot, pd.req);
        }
        ambiguity(pd.req.line(), Ambiguity.Kind.REQUEST_NOT_ANSWERED, pd.req.typeName() + " on " + pd.req.conn()
                + " got no reply: " + why, List.of("no reply", "reply not traced"));
    }

    private void finish() {
        finished = true;
        for (Map.Entry<String, ConnState> e : new LinkedHashMap<>(conns).entrySet()) {
            for (Pending pd : e.getValue().pending) {
                unanswered(pd, "the trace ends");
            }
        }
        conns.clear();
        for (Slot s : out) {
            if (s.held) {
                release(s, s.rec);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void removeWatch(ConnState st, String path, String token) {
        st.watches.removeIf(w -> w[0].equals(path) && w[1].equals(token));
    }

    private static void removeLastWatch(ConnState st, String path, String token) {
        for (int i = st.watches.size() - 1; i >= 0; i--) {
            String[] w = st.watches.get(i);
            if (w[0].equals(path) && w[1].equals(token)) {
                st.watches.remove(i);
                return;
            }
        }
    }

    private static long[] toArray(List<Long> l) {
        long[] a = new long[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    private static String ids(long[] open) {
        StringBuilder b = new StringBuilder();
        for (long id : open) {
            b.append(b.length() == 0 ? "" : ",").append(id);
        }
        return b.toString();
    }

    private static List<String> txAlternatives(long chosen, long[] open) {
        List<String> alt = new ArrayList<>();
        alt.add("tx " + chosen);
        if (chosen != 0) {
            alt.add("tx 0");
        }
        for (long id : open) {
            if (id != chosen) {
                alt.add("tx " + id);
            }
        }
        return alt;
    }
}
