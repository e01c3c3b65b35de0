package org.xenpv.core.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xenpv.core.golden.CGolden;
import org.xenpv.core.golden.GoldenValues;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.console.ConsoleRing;
import org.xenpv.core.ring.xs.XenstoreRing;

/**
 * Golden tests of the byte-stream rings against {@code byte_rings.c}, which drives
 * {@code struct xenstore_domain_interface} with {@code MASK_XENSTORE_IDX} and {@code struct xencons_interface}
 * with {@code MASK_XENCONS_IDX}: same partial writes and reads (full ring, wrap at the end of the array,
 * indices past 2^32), same transcript, same bytes, and the C program accepts the Java-built page.
 */
class ByteRingGoldenTest {

    private final List<String> transcript = new ArrayList<>();

    private static byte sbyte(int k, int tag) {
        return (byte) GoldenValues.gv(k, tag);
    }

    private void write(String what, ByteRing ring, int tag, int start, int want) {
        int prod = ring.prod();
        byte[] src = new byte[want];
        for (int i = 0; i < want; i++) {
            src[i] = sbyte(prod + i - start, tag);
        }
        int n = ring.write(src, 0, want);
        line(what + " write", want, n, ring.cons(), ring.prod(), start);
    }

    private void read(String what, ByteRing ring, int tag, int start, int want) {
        int cons = ring.cons();
        byte[] dst = new byte[want];
        int n = ring.read(dst, 0, want);
        for (int i = 0; i < n; i++) {
            if (dst[i] != sbyte(cons + i - start, tag)) {
                fail(what + " read byte at index " + Integer.toUnsignedString(cons + i) + ": " + dst[i]);
            }
        }
        line(what + " read", want, n, ring.cons(), ring.prod(), start);
    }

    private void line(String what, int want, int n, int cons, int prod, int start) {
        transcript.add(what + " want=" + want + " n=" + n + " cons=" + Integer.toUnsignedString(cons - start)
                + " prod=" + Integer.toUnsignedString(prod - start));
    }

    private void runXenstore(Page page, int start) {
        GoldenValues.fillBackground(page, Page.SIZE);
        XenstoreRing x = new XenstoreRing(page);
        int rstart = start + 100;
        x.req().setCons(start);
        x.req().setProd(start);
        x.rsp().setCons(rstart);
        x.rsp().setProd(rstart);
        x.setServerFeatures(XenstoreRing.SERVER_FEATURE_RECONNECTION);
        x.setConnection(XenstoreRing.CONNECTED);
        x.setError(XenstoreRing.ERROR_NONE);
        write("xenstore req", x.req(), 200, start, 700);
        read("xenstore req", x.req(), 200, start, 500);
        write("xenstore req", x.req(), 200, start, 900);
        write("xenstore rsp", x.rsp(), 300, rstart, 1000);
        read("xenstore rsp", x.rsp(), 300, rstart, 300);
        read("xenstore req", x.req(), 200, start, 2000);
        write("xenstore req", x.req(), 200, start, 50);
        write("xenstore rsp", x.rsp(), 300, rstart, 400);
        assertThat(x.check()).isEmpty();
    }

    private void runConsole(Page page, int start) {
        GoldenValues.fillBackground(page, Page.SIZE);
        ConsoleRing c = new ConsoleRing(page);
        int istart = start + 3000;
        c.out().setCons(start);
        c.out().setProd(start);
        c.in().setCons(istart);
        c.in().setProd(istart);
        write("console out", c.out(), 500, start, 1500);
        read("console out", c.out(), 500, start, 1000);
        write("console out", c.out(), 500, start, 1600);
        write("console in", c.in(), 400, istart, 800);
        read("console in", c.in(), 400, istart, 100);
        write("console in", c.in(), 400, istart, 400);
        read("console out", c.out(), 500, start, 4000);
        assertThat(c.check()).isEmpty();
    }

    @ParameterizedTest(name = "{0} start {1}")
    @CsvSource({"xenstore, 0", "xenstore, 4294966900", "xenstore, 2147483000", "console, 0", "console, 4294967280",
            "console, 4294965000"})
    void javaByteRingMatchesCStructures(String kind, long startL) throws IOException {
        CGolden.assumeAvailable();
        int start = (int) startL;
        Path exe = CGolden.compile("byte_rings.c");
        Path dir = CGolden.workDir().resolve("pages");
        Files.createDirectories(dir);
        Path cPage = dir.resolve(kind + "-" + startL + ".c.page");
        String cOut = CGolden.runOk(exe, "make", kind, Long.toString(startL), cPage.toString());

        Page page = new Page();
        if (kind.equals("xenstore")) {
            runXenstore(page, start);
        } else {
            runConsole(page, start);
        }
        assertThat(transcript).containsExactlyElementsOf(cOut.lines().filter(l -> !l.equals("OK")).toList());
        byte[] c = Files.readAllBytes(cPage);
        byte[] j = page.toByteArray();
        int diff = Arrays.mismatch(c, j);
        assertThat(diff).as("first differing byte of the %s page (C vs Java)", kind).isEqualTo(-1);

        Path jPage = dir.resolve(kind + "-" + startL + ".java.page");
        Files.write(jPage, j);
        CGolden.Result r = CGolden.run(exe, "check", kind, Long.toString(startL), jPage.toString());
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }
}
