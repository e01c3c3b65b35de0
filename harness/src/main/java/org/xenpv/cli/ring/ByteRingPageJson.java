package org.xenpv.cli.ring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.RingIdx;
import org.xenpv.core.ring.console.ConsoleRing;
import org.xenpv.core.ring.xs.XenstoreRing;

/**
 * JSON form of a xenstore ring page ({@code struct xenstore_domain_interface}) or a console page
 * ({@code struct xencons_interface}), both directions:
 *
 * <pre>
 * xenstore: { "layout": "xenstore", "bytes": 4096, "reqCons", "reqProd", "rspCons", "rspProd",
 *             "serverFeatures", "connection", "error",
 *             "req": { "data": hex(1024), "unread": {...} }, "rsp": {...} [, "tail": hex] }
 * console:  { "layout": "console", "bytes": 4096, "inCons", "inProd", "outCons", "outProd",
 *             "in": { "data": hex(1024), "unread": {...} }, "out": { "data": hex(2048), ... } [, "tail": hex] }
 * unread:   { "from": cons, "to": prod, "count": n, "valid": prod - cons <= size, "hex": ..., "text": ... }
 * </pre>
 *
 * {@code unread} is derived from the indices and ignored on input; {@code tail} holds the rest of the page after
 * the structure when it is not all zero. Missing numbers and data are 0.
 */
final class ByteRingPageJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One direction: JSON name, data offset and size, index field names and offsets. */
    private record Dir(String name, int data, int size, String consName, int cons, String prodName, int prod) {
    }

    private static final List<Dir> XS = List.of(
            new Dir("req", XenstoreRing.REQ, XenstoreRing.RING_SIZE, "reqCons", XenstoreRing.REQ_CONS, "reqProd",
                    XenstoreRing.REQ_PROD),
            new Dir("rsp", XenstoreRing.RSP, XenstoreRing.RING_SIZE, "rspCons", XenstoreRing.RSP_CONS, "rspProd",
                    XenstoreRing.RSP_PROD));
    private static final List<Dir> CONS = List.of(
            new Dir("in", ConsoleRing.IN, ConsoleRing.IN_SIZE, "inCons", ConsoleRing.IN_CONS, "inProd",
                    ConsoleRing.IN_PROD),
            new Dir("out", ConsoleRing.OUT, ConsoleRing.OUT_SIZE, "outCons", ConsoleRing.OUT_CONS, "outProd",
                    ConsoleRing.OUT_PROD));

    private record Extra(String name, int offset) {
    }

    private static final List<Extra> XS_EXTRA = List.of(new Extra("serverFeatures", XenstoreRing.SERVER_FEATURES),
            new Extra("connection", XenstoreRing.CONNECTION), new Extra("error", XenstoreRing.ERROR));

    private ByteRingPageJson() {
    }

    private static List<Dir> dirs(PageLayout l) {
        return l == PageLayout.XENSTORE ? XS : CONS;
    }

    private static List<Extra> extras(PageLayout l) {
        return l == PageLayout.XENSTORE ? XS_EXTRA : List.of();
    }

    private static int structSize(PageLayout l) {
        return l == PageLayout.XENSTORE ? XenstoreRing.SIZE : ConsoleRing.SIZE;
    }

    static ObjectNode decode(byte[] bytes, PageLayout layout) {
        MemoryView v = PageBytes.view(bytes);
        ObjectNode root = NODES.objectNode();
        root.put("layout", layout.cliName);
        root.put("bytes", bytes.length);
        for (Dir d : dirs(layout)) {
            root.put(d.consName(), Integer.toUnsignedLong(v.getInt(d.cons())));
            root.put(d.prodName(), Integer.toUnsignedLong(v.getInt(d.prod())));
        }
        for (Extra e : extras(layout)) {
            root.put(e.name(), Integer.toUnsignedLong(v.getInt(e.offset())));
        }
        for (Dir d : dirs(layout)) {
            ObjectNode dn = root.putObject(d.name());
            byte[] data = v.getBytes(d.data(), d.size());
            dn.put("data", Fields.hex(data));
            int cons = v.getInt(d.cons());
            int prod = v.getInt(d.prod());
            long count = RingIdx.distance(cons, prod);
            ObjectNode u = dn.putObject("unread");
            u.put("from", Integer.toUnsignedLong(cons));
            u.put("to", Integer.toUnsignedLong(prod));
            u.put("count", count);
            u.put("valid", count <= d.size());
            if (count <= d.size()) {
                byte[] unread = new byte[(int) count];
                for (int i = 0; i < unread.length; i++) {
                    unread[i] = data[(cons + i) & (d.size() - 1)];
                }
                u.put("hex", Fields.hex(unread));
                u.put("text", new String(unread, StandardCharsets.ISO_8859_1));
            }
        }
        byte[] tail = v.getBytes(structSize(layout), bytes.length - structSize(layout));
        if (!PageBytes.allZero(tail)) {
            root.put("tail", Fields.hex(tail));
        }
        return root;
    }

    static byte[] encode(JsonNode root, PageLayout layout) {
        Set<String> allowed = new HashSet<>(Set.of("layout", "order", "bytes", "tail"));
        for (Dir d : dirs(layout)) {
            allowed.addAll(List.of(d.name(), d.consName(), d.prodName()));
        }
        for (Extra e : extras(layout)) {
            allowed.add(e.name());
        }
        SringPageJson.checkKeys(root, allowed, "the page");
        MemoryView v = PageBytes.view(new byte[Page.SIZE]);
        for (Dir d : dirs(layout)) {
            v.putInt(d.cons(), SringPageJson.u32(root.get(d.consName()), d.consName()));
            v.putInt(d.prod(), SringPageJson.u32(root.get(d.prodName()), d.prodName()));
            JsonNode dn = root.get(d.name());
            if (dn != null && !dn.isNull()) {
                SringPageJson.checkKeys(dn, Set.of("data", "unread"), d.name());
                SringPageJson.putHex(v, d.data(), d.size(), dn.get("data"), d.name() + " data");
            }
        }
        for (Extra e : extras(layout)) {
            v.putInt(e.offset(), SringPageJson.u32(root.get(e.name()), e.name()));
        }
        SringPageJson.putHex(v, structSize(layout), Page.SIZE - structSize(layout), root.get("tail"), "tail");
        return v.getBytes(0, Page.SIZE);
    }
}
