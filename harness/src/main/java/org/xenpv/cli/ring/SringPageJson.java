package org.xenpv.cli.ring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.EntryCodec;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.RingGeometry;
import org.xenpv.core.ring.Sring;
import org.xenpv.core.ring.netif.NetifExtraInfo;

/**
 * JSON form of an {@code io/ring.h} shared-ring page (or {@code 2^order} pages), both directions.
 *
 * <pre>
 * { "layout": "blkif", "order": 0, "bytes": 4096, "entrySize": 112, "ringSize": 32,
 *   "header": { "reqProd": 34, "reqEvent": 31, "rspProd": 30, "rspEvent": 30, "pvt": "00000000" [, "pad": hex] },
 *   "live": { "requests": {"from","to","count","valid"}, "responses": {...}, "basis": "..." },
 *   "slots": [ { "slot": 0, "live": "request"|"response"|null, "index": ring index|null,
 *                "request": {...}, "response": {...} [, "extra": {...}] [, "raw": hex] }, ... ]
 *   [, "tail": hex of the bytes after the last slot] }
 * </pre>
 *
 * Every slot is decoded both as request and as response; the reader decides, helped by {@code live}. A netif
 * slot that the indices and flags show to be an extra-info segment also carries {@code extra}. {@code raw} (the
 * whole slot) appears only when the decoded views do not reproduce the slot's bytes (stale bytes in padding),
 * so that decoding and re-encoding a page is byte-identical. On encode the slot is built from {@code raw} (or
 * zeros), then the view that is not live, then the live one, then {@code extra}: every codec writes only its
 * fields, so views decoded from one slot agree and an edited live view wins. Missing numbers are 0.
 */
final class SringPageJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> TOP = Set.of("layout", "order", "bytes", "entrySize", "ringSize", "header", "live",
            "slots", "tail");
    private static final Set<String> HEADER = Set.of("reqProd", "reqEvent", "rspProd", "rspEvent", "pvt", "pad");
    private static final Set<String> SLOT = Set.of("slot", "live", "index", "request", "response", "extra", "raw");

    private SringPageJson() {
    }

    static ObjectNode decode(byte[] bytes, PageLayout layout, int order) {
        MemoryView view = PageBytes.view(bytes);
        RingGeometry g = layout.ring.geometry(bytes.length);
        SlotLiveness live = SlotLiveness.of(view, layout);
        Sring.Indices ix = live.indices;
        ObjectNode root = NODES.objectNode();
        root.put("layout", layout.cliName);
        root.put("order", order);
        root.put("bytes", bytes.length);
        root.put("entrySize", g.entrySize());
        root.put("ringSize", g.size());
        ObjectNode h = root.putObject("header");
        h.put("reqProd", Integer.toUnsignedLong(ix.reqProd()));
        h.put("reqEvent", Integer.toUnsignedLong(ix.reqEvent()));
        h.put("rspProd", Integer.toUnsignedLong(ix.rspProd()));
        h.put("rspEvent", Integer.toUnsignedLong(ix.rspEvent()));
        h.put("pvt", Fields.hex(view.getBytes(Sring.PVT, Sring.PVT_SIZE)));
        byte[] pad = view.getBytes(Sring.PAD, Sring.PAD_SIZE);
        if (!PageBytes.allZero(pad)) {
            h.put("pad", Fields.hex(pad));
        }
        ObjectNode l = root.putObject("live");
        l.set("requests", window(live.requests));
        l.set("responses", window(live.responses));
        l.put("basis", "requests [rsp_prod, req_prod); responses [rsp_event - 1, rsp_prod): the frontend's rsp_cons"
                + " as of its last RING_FINAL_CHECK_FOR_RESPONSES");
        ArrayNode slots = root.putArray("slots");
        for (int s = 0; s < g.size(); s++) {
            int off = Sring.HEADER_SIZE + s * g.entrySize();
            ObjectNode slot = slots.addObject();
            slot.put("slot", s);
            if (live.kind[s] == SlotLiveness.NONE) {
                slot.putNull("live");
                slot.putNull("index");
            } else {
                slot.put("live", live.kind[s] == SlotLiveness.REQUEST ? "request" : "response");
                slot.put("index", Integer.toUnsignedLong(live.index[s]));
            }
            Object req = layout.ring.request().decode(view, off);
            Object rsp = layout.ring.response().decode(view, off);
            Object extra = live.extra[s] ? NetifExtraInfo.CODEC.decode(view, off) : null;
            slot.set("request", RecordJson.toJson(req));
            slot.set("response", RecordJson.toJson(rsp));
            if (extra != null) {
                slot.set("extra", RecordJson.toJson(extra));
            }
            byte[] actual = view.getBytes(off, g.entrySize());
            Page scratch = new Page();
            apply(scratch, layout, live.kind[s], req, rsp, extra);
            if (!Arrays.equals(actual, scratch.getBytes(0, g.entrySize()))) {
                slot.put("raw", Fields.hex(actual));
            }
        }
        int tailOff = Sring.HEADER_SIZE + g.size() * g.entrySize();
        byte[] tail = view.getBytes(tailOff, bytes.length - tailOff);
        if (!PageBytes.allZero(tail)) {
            root.put("tail", Fields.hex(tail));
        }
        return root;
    }

    private static ObjectNode window(SlotLiveness.Window w) {
        ObjectNode o = NODES.objectNode();
        o.put("from", Integer.toUnsignedLong(w.from()));
        o.put("to", Integer.toUnsignedLong(w.to()));
        o.put("count", w.count());
        o.put("valid", w.valid());
        return o;
    }

    /** Writes the views of one slot at offset 0 of {@code slotView} in encode order. */
    @SuppressWarnings("unchecked")
    private static void apply(MemoryView slotView, PageLayout layout, int kind, Object req, Object rsp, Object extra) {
        EntryCodec<Object> rq = (EntryCodec<Object>) layout.ring.request();
        EntryCodec<Object> rp = (EntryCodec<Object>) layout.ring.response();
        if (kind == SlotLiveness.RESPONSE) {
            if (req != null) {
                rq.encode(slotView, 0, req);
            }
            if (rsp != null) {
                rp.encode(slotView, 0, rsp);
            }
        } else {
            if (rsp != null) {
                rp.encode(slotView, 0, rsp);
            }
            if (req != null) {
                rq.encode(slotView, 0, req);
            }
        }
        if (extra != null) {
            NetifExtraInfo.CODEC.encode(slotView, 0, (NetifExtraInfo) extra);
        }
    }

    static byte[] encode(JsonNode root, PageLayout layout, int order) {
        checkKeys(root, TOP, "the page");
        int bytes = RingGeometry.bytesForOrder(order);
        RingGeometry g = layout.ring.geometry(bytes);
        MemoryView view = PageBytes.view(new byte[bytes]);
        JsonNode h = root.get("header");
        if (h != null) {
            checkKeys(h, HEADER, "header");
            view.putInt(Sring.REQ_PROD, u32(h.get("reqProd"), "header reqProd"));
            view.putInt(Sring.REQ_EVENT, u32(h.get("reqEvent"), "header reqEvent"));
            view.putInt(Sring.RSP_PROD, u32(h.get("rspProd"), "header rspProd"));
            view.putInt(Sring.RSP_EVENT, u32(h.get("rspEvent"), "header rspEvent"));
            putHex(view, Sring.PVT, Sring.PVT_SIZE, h.get("pvt"), "header pvt");
            putHex(view, Sring.PAD, Sring.PAD_SIZE, h.get("pad"), "header pad");
        }
        SlotLiveness live = SlotLiveness.of(new Sring(view).peek(), g);
        JsonNode slots = root.get("slots");
        if (slots != null) {
            if (!slots.isArray()) {
                throw new RecordJson.BadJson("slots: expected an array");
            }
            boolean[] seen = new boolean[g.size()];
            for (int i = 0; i < slots.size(); i++) {
                JsonNode sn = slots.get(i);
                String where = "slots[" + i + "]";
                if (!sn.isObject()) {
                    throw new RecordJson.BadJson(where + ": expected an object");
                }
                checkKeys(sn, SLOT, where);
                JsonNode num = sn.get("slot");
                if (num == null) {
                    throw new RecordJson.BadJson(where + ": missing \"slot\" (0.." + (g.size() - 1) + ")");
                }
                int s = (int) RecordJson.integer(num, where + " slot", 0, g.size() - 1);
                if (seen[s]) {
                    throw new RecordJson.BadJson(where + ": slot " + s + " appears twice");
                }
                seen[s] = true;
                where = "slot " + s;
                int off = Sring.HEADER_SIZE + s * g.entrySize();
                putHex(view, off, g.entrySize(), sn.get("raw"), where + " raw");
                Object req = view(sn.get("request"), layout.requestType, where + " request");
                Object rsp = view(sn.get("response"), layout.responseType, where + " response");
                Object extra = view(sn.get("extra"), NetifExtraInfo.class, where + " extra");
                Page scratch = new Page();
                scratch.putBytes(0, view.getBytes(off, g.entrySize()), 0, g.entrySize());
                try {
                    apply(scratch, layout, live.kind[s], req, rsp, extra);
                } catch (IllegalArgumentException e) {
                    throw new RecordJson.BadJson(where + ": " + e.getMessage());
                }
                view.putBytes(off, scratch.getBytes(0, g.entrySize()), 0, g.entrySize());
            }
        }
        int tailOff = Sring.HEADER_SIZE + g.size() * g.entrySize();
        putHex(view, tailOff, bytes - tailOff, root.get("tail"), "tail");
        return view.getBytes(0, bytes);
    }

    private static Object view(JsonNode n, Class<?> type, String where) {
        return n == null || n.isNull() ? null : RecordJson.fromJson(n, type, where);
    }

    static int u32(JsonNode n, String where) {
        return n == null || n.isNull() ? 0 : (int) RecordJson.integer(n, where, -(1L << 31), (1L << 32) - 1);
    }

    /** Writes hex {@code n} (exactly {@code length} bytes) at {@code offset}; nothing when absent. */
    static void putHex(MemoryView view, int offset, int length, JsonNode n, String where) {
        if (n == null || n.isNull()) {
            return;
        }
        byte[] b = RecordJson.hex(n, where);
        if (b.length != length) {
            throw new RecordJson.BadJson(where + ": " + b.length + " bytes, expected " + length);
        }
        view.putBytes(offset, b, 0, length);
    }

    static void checkKeys(JsonNode n, Set<String> allowed, String where) {
        if (!n.isObject()) {
            throw new RecordJson.BadJson(where + ": expected a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new RecordJson.BadJson(where + ": unknown field \"" + k + "\" (allowed: "
                        + String.join(", ", List.copyOf(new java.util.TreeSet<>(allowed))) + ")");
            }
        }
    }
}
