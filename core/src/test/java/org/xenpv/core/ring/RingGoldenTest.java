package org.xenpv.core.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenpv.core.golden.CGolden;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;
import org.xenpv.core.mem.PageSpan;

/**
 * Golden tests of the shared-ring layer against the real {@code io/ring.h} macros: {@code ring_scenario.c}
 * builds each layout's page(s) with {@code SHARED_RING_INIT}, {@code FRONT/BACK_RING_ATTACH},
 * {@code RING_GET_REQUEST}, {@code RING_COPY_*}, {@code RING_PUSH_*_AND_CHECK_NOTIFY} and
 * {@code RING_FINAL_CHECK_FOR_*}; the Java ring runs the same scenario. The tests require the same
 * transcript (every notify decision, final check and counter), the same bytes, every C-written slot decoded
 * field by field by the Java codecs, and the C program to accept the Java-built page through the macros.
 *
 * <p>Starting indices 0, just below 2^32 (the indices wrap in the middle of the run) and just below 2^31.
 * blkif runs at ring-page-order 0..4 for both ABIs; x86_32 once with the pack(4) emulation compiled for
 * x86_64 and once natively with {@code gcc -m32} (skipped with a message when that cannot run here).
 */
class RingGoldenTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String layout : List.of("netif-tx", "netif-rx", "netif-ctrl")) {
            for (long start : List.of(0L, 0xFFFFFF80L, 0x7FFFFFF0L)) {
                out.add(Arguments.of(layout, 0, start));
            }
        }
        for (String layout : List.of("blkif", "blkif-x86_32")) {
            for (int order = 0; order <= 4; order++) {
                out.add(Arguments.of(layout, order, 0L));
                out.add(Arguments.of(layout, order, 0x100000000L - (8L << order)));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> nativeX86_32Cases() {
        List<Arguments> out = new ArrayList<>();
        for (int order = 0; order <= 4; order++) {
            out.add(Arguments.of(order, 0xFFFFFFF0L));
        }
        out.add(Arguments.of(0, 0L));
        return out.stream();
    }

    static MemoryView view(int order) {
        List<Page> pages = new ArrayList<>();
        for (int i = 0; i < (1 << order); i++) {
            pages.add(new Page());
        }
        return PageSpan.of(pages);
    }

    @ParameterizedTest(name = "{0} order {1} start {2}")
    @MethodSource("cases")
    void javaRingMatchesCMacros(String layout, int order, long start) throws IOException {
        CGolden.assumeAvailable();
        compareWithC(CGolden.compile("ring_scenario.c"), layout, layout, order, (int) start);
    }

    @ParameterizedTest(name = "native i386 blkif order {0} start {1}")
    @MethodSource("nativeX86_32Cases")
    void javaX86_32BlkifMatchesNativeI386Compiler(int order, long start) throws IOException {
        CGolden.assumeAvailable();
        CGolden.assumeM32();
        // In the i386 build "blkif" is the compiler's own (x86_32) struct blkif_request.
        compareWithC(CGolden.compile32("ring_scenario.c"), "blkif", "blkif-x86_32", order, (int) start);
    }

    private static void compareWithC(Path exe, String cLayout, String javaLayout, int order, int start)
            throws IOException {
        String startArg = Integer.toUnsignedString(start);
        Path dir = CGolden.workDir().resolve("pages");
        Files.createDirectories(dir);
        String tag = cLayout + "-" + exe.getFileName() + "-o" + order + "-" + startArg;
        Path cPage = dir.resolve(tag + ".c.page");
        String cOut = CGolden.runOk(exe, "make", cLayout, Integer.toString(order), startArg, cPage.toString());
        List<String> cTranscript = cOut.lines().filter(l -> !l.startsWith("abi ") && !l.equals("OK")).toList();

        GoldenScenario.Layout layout = GoldenScenario.forName(javaLayout);
        MemoryView javaView = view(order);
        GoldenScenario.Outcome out = GoldenScenario.replay(layout, javaView, start);

        assertThat(out.transcript()).as("transcript of the Java run vs the C macros (%s)", tag)
                .containsExactlyElementsOf(cTranscript);

        byte[] c = Files.readAllBytes(cPage);
        byte[] j = javaView.getBytes(0, javaView.size());
        assertThat(c).as("C page size").hasSize(4096 << order);
        int diff = Arrays.mismatch(c, j);
        if (diff >= 0) {
            int entry = layout.ring().entrySize();
            fail("page bytes differ at offset " + diff + (diff >= 64 ? " (slot " + (diff - 64) / entry + " +"
                    + (diff - 64) % entry + ")" : " (header)") + ": C " + (c[diff] & 0xff) + ", Java " + (j[diff] & 0xff));
        }

        // Field by field: every slot the C program wrote, decoded from the C page with the Java codecs.
        MemoryView cView = view(order);
        cView.putBytes(0, c, 0, c.length);
        RingGeometry g = layout.ring().geometry(cView.size());
        assertThat(out.slots()).isNotEmpty();
        for (Map.Entry<Integer, GoldenScenario.Entry> e : out.slots().entrySet()) {
            int slot = e.getKey();
            Object decoded = e.getValue().codec().decode(cView, g.slotOffset(slot));
            assertThat(e.getValue().matches(decoded))
                    .as("slot %d (ring index %s) of the C page: decoded %s, expected %s", slot,
                            Integer.toUnsignedString(out.slotIndex().get(slot)), decoded, e.getValue().value())
                    .isTrue();
        }
        Sring s = new Sring(cView);
        assertThat(s.reqProd()).isEqualTo(out.reqProdPvt());
        assertThat(s.rspProd()).isEqualTo(out.rspProdPvt());

        // The reverse: the C macros read the Java-built page.
        Path jPage = dir.resolve(tag + ".java.page");
        Files.write(jPage, j);
        CGolden.Result r = CGolden.run(exe, "check", cLayout, Integer.toString(order), startArg, jPage.toString());
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains("unconsumed_requests 4", "unconsumed_responses 1", "OK");
    }
}
