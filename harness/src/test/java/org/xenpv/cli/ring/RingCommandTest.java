package org.xenpv.cli.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xenpv.cli.CliRun.xenpv;
import static org.xenpv.core.golden.GoldenValues.gv64;
import static org.xenpv.core.golden.GoldenValues.gv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenpv.cli.CliRun;
import org.xenpv.cli.Xenpv;
import org.xenpv.core.golden.CGolden;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.Sring;

/**
 * {@code xenpv ring decode|encode} through the CLI entry point, on pages built by the C golden programs with
 * the real {@code io/ring.h} macros and structures ({@code core/src/test/c}, via {@link CGolden}).
 */
class RingCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Path cRingPage(String layout, int order, int start) {
        Path p = tmp.resolve(layout + "-" + order + "-" + Integer.toUnsignedString(start) + ".page");
        CGolden.runOk(CGolden.compile("ring_scenario.c"), "make", layout, Integer.toString(order),
                Integer.toUnsignedString(start), p.toString());
        return p;
    }

    Path cBytePage(String layout, int start) {
        Path p = tmp.resolve(layout + "-" + Integer.toUnsignedString(start) + ".page");
        CGolden.runOk(CGolden.compile("byte_rings.c"), "make", layout, Integer.toUnsignedString(start), p.toString());
        return p;
    }

    static JsonNode decode(String layout, int order, Path page) throws IOException {
        CliRun r = xenpv("ring", "decode", "--layout", layout, "--order", Integer.toString(order), page.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        return JSON.readTree(r.out());
    }

    static JsonNode slotOfIndex(JsonNode root, long index) {
        int size = root.get("ringSize").asInt();
        return root.get("slots").get((int) (index & (size - 1)));
    }

    static long u(int v) {
        return Integer.toUnsignedLong(v);
    }

    @Test
    void decodesANetifTxPageBuiltWithTheCMacros() throws IOException {
        CGolden.assumeAvailable();
        int start = 0xFFFFFF80;
        JsonNode root = decode("netif-tx", 0, cRingPage("netif-tx", 0, start));
        assertThat(root.get("ringSize").asInt()).isEqualTo(256);
        assertThat(root.get("entrySize").asInt()).isEqualTo(12);
        JsonNode h = root.get("header");
        assertThat(h.get("reqProd").asLong()).isEqualTo(u(start + 258));
        assertThat(h.get("reqEvent").asLong()).isEqualTo(u(start + 255));
        assertThat(h.get("rspProd").asLong()).isEqualTo(u(start + 254));
        assertThat(h.get("rspEvent").asLong()).isEqualTo(u(start + 254));
        assertThat(h.get("pvt").asText()).isEqualTo("00000000");
        JsonNode live = root.get("live");
        assertThat(live.get("requests").get("count").asInt()).isEqualTo(4);
        assertThat(live.get("requests").get("valid").asBoolean()).isTrue();
        assertThat(live.get("responses").get("count").asInt()).isEqualTo(1);

        // k = 254: a request announcing an extra-info segment in the next slot
        JsonNode s254 = slotOfIndex(root, u(start + 254));
        assertThat(s254.get("live").asText()).isEqualTo("request");
        assertThat(s254.get("index").asLong()).isEqualTo(u(start + 254));
        JsonNode req = s254.get("request");
        assertThat(req.get("gref").asLong()).isEqualTo(u(gv(254, 1)));
        assertThat(req.get("offset").asInt()).isEqualTo(gv(254, 2) & 0xffff);
        assertThat(req.get("flags").asInt()).isEqualTo((gv(254, 3) & 7) | 8);
        assertThat(req.get("id").asInt()).isEqualTo(gv(254, 4) & 0xffff);
        assertThat(req.get("size").asInt()).isEqualTo(gv(254, 5) & 0xffff);
        assertThat(s254.has("extra")).isFalse();
        // k = 255: that extra segment, multicast add (255 / 7 % 5 == 1)
        JsonNode extra = slotOfIndex(root, u(start + 255)).get("extra");
        assertThat(extra.get("kind").asText()).isEqualTo("McastAdd");
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) gv(255, 20 + i);
        }
        assertThat(extra.get("addr").asText()).isEqualTo(Fields.hex(mac));
        assertThat(extra.get("flags").asInt()).isEqualTo(gv(255, 9) & 0xfe);
        // k = 253: the one response the frontend has not consumed
        JsonNode s253 = slotOfIndex(root, u(start + 253));
        assertThat(s253.get("live").asText()).isEqualTo("response");
        assertThat(s253.get("response").get("id").asInt()).isEqualTo(gv(253, 60) & 0xffff);
        assertThat(s253.get("response").get("status").asInt())
                .isEqualTo(Integer.remainderUnsigned(gv(253, 61), 3) - 2);
        assertThat(slotOfIndex(root, u(start + 10)).get("live").isNull()).isTrue();
    }

    @Test
    void decodesAMultiPageBlkifPageWithUnsignedIds() throws IOException {
        CGolden.assumeAvailable();
        JsonNode root = decode("blkif", 2, cRingPage("blkif", 2, 0));
        assertThat(root.get("ringSize").asInt()).isEqualTo(128);
        assertThat(root.get("bytes").asInt()).isEqualTo(16384);
        JsonNode s = slotOfIndex(root, 126); // k = 126: READ with 126 % 12 = 6 segments
        assertThat(s.get("live").asText()).isEqualTo("request");
        JsonNode req = s.get("request");
        assertThat(req.get("kind").asText()).isEqualTo("ReadWrite");
        assertThat(req.get("operation").asInt()).isZero();
        assertThat(req.get("nrSegments").asInt()).isEqualTo(6);
        assertThat(req.get("segments")).hasSize(6);
        assertThat(req.get("id").bigIntegerValue()).isEqualTo(new BigInteger(Long.toUnsignedString(gv64(126, 2))));
        assertThat(req.get("segments").get(5).get("gref").asLong()).isEqualTo(u(gv(126, 25)));
        JsonNode s127 = slotOfIndex(root, 127).get("request"); // 127 % 6 = 1: WRITE
        assertThat(s127.get("operation").asInt()).isEqualTo(1);
        JsonNode s129 = slotOfIndex(root, 129).get("request"); // 129 % 6 = 3: INDIRECT
        assertThat(s129.get("kind").asText()).isEqualTo("Indirect");
        assertThat(s129.get("indirectGrefs")).hasSize(8);
        JsonNode rsp = slotOfIndex(root, 125).get("response");
        assertThat(rsp.get("id").bigIntegerValue()).isEqualTo(new BigInteger(Long.toUnsignedString(gv64(125, 90))));
    }

    static Stream<Arguments> pages() {
        List<Arguments> a = new ArrayList<>();
        a.add(Arguments.of("netif-tx", 0, 0xFFFFFF80));
        a.add(Arguments.of("netif-rx", 0, 0));
        a.add(Arguments.of("netif-ctrl", 0, 0x7FFFFFF0));
        for (int order = 0; order <= 4; order++) {
            a.add(Arguments.of("blkif", order, 0xFFFFFFF0));
        }
        a.add(Arguments.of("blkif-x86_32", 0, 0));
        a.add(Arguments.of("blkif-x86_32", 3, 0xFFFFFFF0));
        a.add(Arguments.of("xenstore", 0, 0xFFFFFE74));
        a.add(Arguments.of("console", 0, 0xFFFFFFF0));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} order {1} start {2}")
    @MethodSource("pages")
    void decodeThenEncodeGivesBackTheCPageByteForByte(String layout, int order, int start) throws IOException {
        CGolden.assumeAvailable();
        Path page = layout.equals("xenstore") || layout.equals("console") ? cBytePage(layout, start)
                : cRingPage(layout, order, start);
        CliRun d = xenpv("ring", "decode", "--layout", layout, "--order", Integer.toString(order), page.toString());
        assertThat(d.exit()).as(d.err()).isZero();
        Path json = tmp.resolve("page.json");
        Files.writeString(json, d.out());
        Path out = tmp.resolve("out.page");
        CliRun e = xenpv("ring", "encode", "--layout", layout, "--order", Integer.toString(order), json.toString(),
                "-o", out.toString());
        assertThat(e.exit()).as(e.err()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(page));
    }

    @Test
    void encodeFillsMissingFieldsWithZero() throws IOException {
        Path json = tmp.resolve("min.json");
        Files.writeString(json, """
                {"header": {"reqProd": 2, "reqEvent": 4294967295},
                 "slots": [{"slot": 1, "request": {"gref": 4294967295, "id": 7}}]}
                """);
        Path out = tmp.resolve("min.page");
        CliRun r = xenpv("ring", "encode", "--layout", "netif-tx", json.toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        byte[] b = Files.readAllBytes(out);
        assertThat(b).hasSize(Page.SIZE);
        Page p = new Page();
        p.putBytes(0, b, 0, b.length);
        assertThat(p.getInt(Sring.REQ_PROD)).isEqualTo(2);
        assertThat(p.getInt(Sring.REQ_EVENT)).isEqualTo(-1);
        assertThat(p.getInt(64 + 12)).isEqualTo(-1);
        assertThat(p.getShort(64 + 12 + 8)).isEqualTo((short) 7);
        int nonZero = 0;
        for (byte x : b) {
            nonZero += x != 0 ? 1 : 0;
        }
        assertThat(nonZero).as("only reqProd, reqEvent, gref and id").isEqualTo(1 + 4 + 4 + 1);
        JsonNode back = decode("netif-tx", 0, out);
        assertThat(back.get("slots").get(1).get("live").asText()).isEqualTo("request");
        assertThat(back.get("slots").get(1).get("request").get("gref").asLong()).isEqualTo(4294967295L);
    }

    @Test
    void encodesASealedBlkifRequestFromItsKind() throws IOException {
        Path json = tmp.resolve("blk.json");
        Files.writeString(json, """
                {"layout": "blkif-x86_32", "header": {"reqProd": 1},
                 "slots": [{"slot": 0, "request": {"kind": "Discard", "flag": 1, "id": 18446744073709551615,
                                                   "nrSectors": 8}}]}
                """);
        Path out = tmp.resolve("blk.page");
        CliRun r = xenpv("ring", "encode", "--layout", "blkif-x86_32", json.toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        Page p = new Page();
        p.putBytes(0, Files.readAllBytes(out), 0, Page.SIZE);
        assertThat(p.getByte(64)).isEqualTo((byte) 5);
        assertThat(p.getByte(65)).isEqualTo((byte) 1);
        assertThat(p.getLong(64 + 4)).as("x86_32: id at 4").isEqualTo(-1L);
        assertThat(p.getLong(64 + 20)).as("x86_32: nr_sectors at 20").isEqualTo(8L);
    }

    @Test
    void decodesAPageWithIllegalIndicesWithoutMarkingSlotsLive() throws IOException {
        Page p = new Page();
        p.putInt(Sring.REQ_PROD, 5000);
        p.putInt(Sring.RSP_EVENT, 1);
        Path f = tmp.resolve("bad.page");
        Files.write(f, p.toByteArray());
        JsonNode root = decode("blkif", 0, f);
        assertThat(root.get("live").get("requests").get("valid").asBoolean()).isFalse();
        assertThat(root.get("live").get("requests").get("count").asLong()).isEqualTo(5000);
        for (JsonNode s : root.get("slots")) {
            assertThat(s.get("live").isNull()).isTrue();
        }
    }

    private void assertOneLineError(CliRun r, String... parts) {
        assertThat(r.exit()).isEqualTo(Xenpv.EXIT_USAGE);
        assertThat(r.err().strip().lines().count()).as("one line: %s", r.err()).isEqualTo(1);
        assertThat(r.err()).contains(parts).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badInputIsAOneLineErrorNamingTheFile() throws IOException {
        Path small = tmp.resolve("small.page");
        Files.write(small, new byte[4000]);
        assertOneLineError(xenpv("ring", "decode", "--layout", "netif-rx", small.toString()),
                small.toString(), "4000 bytes", "4096 bytes");
        Path page = tmp.resolve("ok.page");
        Files.write(page, new byte[4096]);
        assertOneLineError(xenpv("ring", "decode", "--layout", "blkif", "--order", "1", page.toString()),
                "order 1 is 8192 bytes");
        assertOneLineError(xenpv("ring", "decode", "--layout", "vchan", page.toString()),
                page.toString(), "unknown layout 'vchan'", "netif-tx");
        assertOneLineError(xenpv("ring", "decode", "--layout", "xenstore", "--order", "2", page.toString()),
                "single page");
        assertOneLineError(xenpv("ring", "decode", "--layout", "console", tmp.resolve("nope").toString()),
                "nope: no such file");

        Path out = tmp.resolve("o.page");
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{ \"header\": ", StandardCharsets.UTF_8);
        assertOneLineError(xenpv("ring", "encode", "--layout", "netif-tx", bad.toString(), "-o", out.toString()),
                bad.toString(), "bad JSON at line 1");
        Files.writeString(bad, "[1, 2]");
        assertOneLineError(xenpv("ring", "encode", "--layout", "netif-tx", bad.toString(), "-o", out.toString()),
                "expected a JSON object");
        Files.writeString(bad, "{\"slots\": [{\"slot\": 3, \"request\": {\"offset\": 70000}}]}");
        assertOneLineError(xenpv("ring", "encode", "--layout", "netif-tx", bad.toString(), "-o", out.toString()),
                bad.toString(), "slot 3 request: offset is a uint16_t: 70000 out of range");
        Files.writeString(bad, "{\"slots\": [{\"slot\": 3, \"request\": {\"gerf\": 1}}]}");
        assertOneLineError(xenpv("ring", "encode", "--layout", "netif-tx", bad.toString(), "-o", out.toString()),
                "unknown field \"gerf\" of NetifTxRequest");
        Files.writeString(bad, "{\"slots\": [{\"slot\": 300}]}");
        assertOneLineError(xenpv("ring", "encode", "--layout", "netif-tx", bad.toString(), "-o", out.toString()),
                "slot: 300 out of range 0..255");
        Files.writeString(bad, "{\"slots\": [{\"slot\": 0, \"request\": {\"kind\": \"Flush\"}}]}");
        assertOneLineError(xenpv("ring", "encode", "--layout", "blkif", bad.toString(), "-o", out.toString()),
                "unknown kind \"Flush\" (one of ReadWrite, Discard, Indirect, Other)");
        Files.writeString(bad, "{\"layout\": \"blkif\"}");
        assertOneLineError(xenpv("ring", "encode", "--layout", "netif-tx", bad.toString(), "-o", out.toString()),
                "describes a 'blkif' page but --layout is netif-tx");
        Files.writeString(bad, "{\"req\": {\"data\": \"abc\"}}");
        assertOneLineError(xenpv("ring", "encode", "--layout", "xenstore", bad.toString(), "-o", out.toString()),
                "req data: odd number of hex digits");
        Files.writeString(bad, "{\"header\": {\"reqProd\": 4294967296}}");
        assertOneLineError(xenpv("ring", "encode", "--layout", "netif-rx", bad.toString(), "-o", out.toString()),
                "header reqProd: 4294967296 out of range");
        assertThat(Files.exists(out)).as("nothing written on error").isFalse();
    }

    @Test
    void ringIsASubcommandOfXenpv() {
        CliRun r = xenpv("--help");
        assertThat(r.out()).contains("ring");
        CliRun h = xenpv("ring", "decode", "--help");
        assertThat(h.out()).contains("--layout", "--order", "rsp_event - 1");
    }
}
