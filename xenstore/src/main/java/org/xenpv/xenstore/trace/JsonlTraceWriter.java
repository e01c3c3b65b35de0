package org.xenpv.xenstore.trace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.xenpv.xenstore.wire.XsType;

/**
 * Writes the xenpv JSON-lines trace ({@code docs/traces.md}, "JSON lines"): a header line, then one
 * JSON object per record. Payloads are base64 ({@code "payload"}) plus a readable {@code "text"}.
 * Every recorded fact is kept, so a trace converted to JSON lines and back is byte-identical; derived
 * facts are either omitted ({@link Ambiguity}, pairing) or written as informational fields the reader
 * ignores ({@code tx_guess}/{@code tx_basis}).
 */
public final class JsonlTraceWriter implements TraceWriter {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final OutputStream out;
    private final JsonGenerator g;

    /**
     * @param source  the format the records were read from (decides the reader's reconstruction rules)
     * @param variant free-text variant for the header (e.g. {@code cxenstored 4.17})
     */
    public JsonlTraceWriter(OutputStream out, TraceFormat source, String variant) {
        this(out, source, variant, true);
    }

    /**
     * @param header false when appending to a file that already has its header line (the reader accepts
     *               the header only as the first line): the records follow directly
     */
    public JsonlTraceWriter(OutputStream out, TraceFormat source, String variant, boolean header) {
        this.out = new BufferedOutputStream(out, 1 << 16);
        try {
            this.g = JSON.createGenerator(this.out);
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
            g.setRootValueSeparator(null);
            if (!header) {
                return;
            }
            g.writeStartObject();
            g.writeStringField("kind", Jsonl.HEADER);
            g.writeStringField("format", Jsonl.FORMAT);
            g.writeNumberField("version", Jsonl.VERSION);
            g.writeStringField("source", source.cliName());
            if (variant != null) {
                g.writeStringField("variant", variant);
            }
            end();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void write(TraceRecord r) throws IOException {
        if (r instanceof Ambiguity) {
            return;
        }
        g.writeStartObject();
        switch (r) {
            case Message m -> message(m);
            case ConnectionOpen c -> {
                kind(Jsonl.CONN_OPEN);
                g.writeStringField("conn", c.conn());
                domid(c.domid());
                time(c.time());
            }
            case ConnectionClose c -> {
                kind(Jsonl.CONN_CLOSE);
                g.writeStringField("conn", c.conn());
                time(c.time());
            }
            case ConnectionIgnored c -> {
                kind(Jsonl.CONN_IGNORED);
                g.writeStringField("conn", c.conn());
                g.writeNumberField("reason", c.reason());
            }
            case TransactionCreate t -> {
                kind(Jsonl.TX_CREATE);
                opt("conn", t.conn());
                opt("tx_id", t.txId());
                opt("obj", t.object());
            }
            case TransactionDestroy t -> {
                kind(Jsonl.TX_DESTROY);
                opt("conn", t.conn());
                opt("tx_id", t.txId());
                opt("obj", t.object());
            }
            case TransactionOutcome t -> {
                kind(Jsonl.TX_OUTCOME);
                g.writeStringField("conn", t.conn());
                g.writeNumberField("tx_id", t.txId());
                opt("replay_of", t.replayOf());
                g.writeStringField("outcome", t.outcome().name().toLowerCase(Locale.ROOT));
                if (!t.detail().isEmpty()) {
                    g.writeStringField("detail", t.detail());
                }
                time(t.time());
            }
            case ReplayedOp o -> {
                kind(Jsonl.REPLAYED_OP);
                g.writeStringField("conn", o.conn());
                g.writeNumberField("orig_tx", o.originalTx());
                g.writeNumberField("tx_id", o.replayTx());
                g.writeStringField("dir", o.direction() == Direction.IN ? "in" : "out");
                type(o.type());
                payload(o.payload());
                time(o.time());
            }
            case WatchCreate w -> {
                kind(Jsonl.WATCH_CREATE);
                watch(w.conn(), w.object(), w.path(), w.token());
            }
            case WatchDestroy w -> {
                kind(Jsonl.WATCH_DESTROY);
                watch(w.conn(), w.object(), w.path(), w.token());
            }
            case Noise n -> {
                kind(Jsonl.NOISE);
                g.writeStringField("class", n.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                String text = utf8(n.raw());
                if (text != null) {
                    g.writeStringField("text", text);
                } else {
                    g.writeStringField("raw", n.raw().base64());
                }
                if (!n.terminated()) {
                    g.writeBooleanField("terminated", false);
                }
            }
            case Marker m -> {
                kind(Jsonl.MARKER);
                if (!m.blankLineBefore()) {
                    g.writeBooleanField("blank_before", false);
                }
            }
            case Ambiguity a -> throw new AssertionError();
        }
        end();
    }

    private void message(Message m) throws IOException {
        kind(Jsonl.MSG);
        g.writeStringField("dir", m.direction() == Direction.IN ? "in" : "out");
        g.writeStringField("conn", m.conn());
        domid(m.domid());
        type(m.type());
        opt("req_id", m.reqId());
        TxContext tx = m.tx();
        if (tx.basis() == TxContext.Basis.RECORDED) {
            g.writeNumberField("tx_id", tx.id());
        } else if (tx.basis() != TxContext.Basis.UNKNOWN) {
            g.writeNumberField("tx_guess", tx.id());
            g.writeStringField("tx_basis", tx.basis().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        payload(m.payload());
        boolean failed = m instanceof Reply p ? p.writeFailed() : m instanceof WatchEvent e && e.writeFailed();
        if (failed) {
            g.writeBooleanField("write_failed", true);
        }
        time(m.time());
    }

    private void type(int type) throws IOException {
        XsType t = XsType.of(type);
        if (t != null) {
            g.writeStringField("type", t.name());
        } else if (type != Message.UNKNOWN_TYPE) {
            g.writeNumberField("type_code", Integer.toUnsignedLong(type));
        }
    }

    private void payload(Payload p) throws IOException {
        g.writeStringField("payload", p.base64());
        g.writeStringField("text", p.text());
        if (p.fidelity() != Payload.Fidelity.EXACT) {
            g.writeStringField("fidelity", Jsonl.fidelity(p.fidelity()));
        }
    }

    private void watch(String conn, String obj, String path, String token) throws IOException {
        opt("conn", conn);
        opt("obj", obj);
        opt("path", path);
        opt("token", token);
    }

    private void time(TraceTime t) throws IOException {
        if (t.wall() != null) {
            g.writeStringField("wall", Jsonl.wall(t));
        }
        if (t.virtualNanos().isPresent()) {
            g.writeNumberField("vt_ns", t.virtualNanos().getAsLong());
        }
    }

    private void domid(OptionalInt d) throws IOException {
        if (d.isPresent()) {
            g.writeNumberField("domid", d.getAsInt());
        }
    }

    private void kind(String k) throws IOException {
        g.writeStringField("kind", k);
    }

    private void opt(String f, String v) throws IOException {
        if (v != null) {
            g.writeStringField(f, v);
        }
    }

    private void opt(String f, OptionalLong v) throws IOException {
        if (v.isPresent()) {
            g.writeNumberField(f, v.getAsLong());
        }
    }

    private void end() throws IOException {
        g.writeEndObject();
        g.flush();
        out.write('\n');
    }

    /** The bytes as a string if they are valid UTF-8, else {@code null}. */
    private static String utf8(Payload p) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(p.bytes())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Override
    public Map<String, Long> dropped() {
        return Map.of();
    }

    @Override
    public void flush() throws IOException {
        g.flush();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        g.close();
        out.close();
    }
}
