package org.xenpv.harness.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.cxenstored.RealCxenstored;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.interop.XenstoreUtils;

/** {@code xenstore-ls} dumps: parsing (both layouts, every escape), clear line errors, and real xenstore-ls output. */
class XenstoreDumpTest {

    private static List<DumpEntry> parse(String... lines) {
        return XenstoreDump.parse(List.of(lines), "state.dump");
    }

    @Test
    void fullPathLinesWithPermsAndEscapes() {
        List<DumpEntry> d = parse(
                "/tool = \"\"   (n0)",
                "/a/c = \"q\"\\\\z\"   (n0,r5)",
                "/a/e = \"\\001\\000\\t\\n\\r\\x7f\\xff\"   (b5,w-1)",
                "/a/f = \"x y\"");
        assertThat(d).extracting(DumpEntry::path).containsExactly("/tool", "/a/c", "/a/e", "/a/f");
        assertThat(d.get(1).value()).isEqualTo("q\"\\z".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(d.get(1).perms()).containsExactly("n0", "r5");
        assertThat(d.get(2).value()).isEqualTo(new byte[] {1, 0, '\t', '\n', '\r', 0x7f, (byte) 0xff});
        assertThat(d.get(2).perms()).containsExactly("b5", "w-1");
        assertThat(d.get(3).perms()).isNull();
        assertThat(d.get(3).line()).isEqualTo(4);
    }

    @Test
    void indentedLayoutWithDotPadding() {
        List<DumpEntry> d = parse(
                "tool = \"\"  . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)",
                " xenstored = \"\"  . . . . . . . . . . . . . . . . . . . . . .  (n0)",
                "local = \"\" . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)",
                " domain = \"\" . . . . . . . . . . . . . . . . . . . . . . . .  (n0)",
                "  5 = \"\"  . . . . . . . . . . . . . . . . . . . . . . . . . .  (n5,r0)",
                "vm = \"\"");
        assertThat(d).extracting(DumpEntry::path).containsExactly("/tool", "/tool/xenstored", "/local",
                "/local/domain", "/local/domain/5", "/vm");
        assertThat(d.get(4).perms()).containsExactly("n5", "r0");
    }

    @Test
    void errorsNameFileLineAndWhat() {
        assertThatThrownBy(() -> parse("/a = \"ok\"", "/b = \"bad \\q\"   (n0)"))
                .isInstanceOf(ReplayInputException.class)
                .hasMessage("state.dump:2: column 11: unknown escape '\\q' (xenstore-ls writes \\\\ \\t \\n \\r \\ooo "
                        + "\\xHH): \"/b = \"bad \\q\"   (n0)\"");
        assertThatThrownBy(() -> parse("/a = \"aaaaaaaaaa\\...\"  (n0)")).hasMessageContaining("state.dump:1: ")
                .hasMessageContaining("value cut by xenstore-ls at the terminal's width");
        assertThatThrownBy(() -> parse("/a = \"x\"   (n0,q1)")).hasMessageStartingWith("state.dump:1: after the value");
        assertThatThrownBy(() -> parse("/local/domain/5:")).hasMessageStartingWith("state.dump:1: node could not be read");
        assertThatThrownBy(() -> parse("hello")).hasMessageStartingWith("state.dump:1: not a xenstore-ls line");
        assertThatThrownBy(() -> parse("/a b = \"x\"")).hasMessageStartingWith("state.dump:1: invalid path");
        assertThatThrownBy(() -> parse("  deep = \"x\"")).hasMessageStartingWith("state.dump:1: indented 2 deep");
        assertThatThrownBy(() -> parse("/a = \"\\x4\"")).hasMessageContaining("\\x needs two hex digits");
    }

    @Test
    void formatAndParseRoundTripTheSimulatorsTree() throws Exception {
        try (SimTarget sim = SimTarget.fresh(); XsConnection c = sim.openSocket("a")) {
            c.write("/a/b", new byte[] {0, 1, '\\', '"', ' ', (byte) 0x80, '\n'});
            c.setPerms("/a/b", "n0", "r7");
            List<String> lines = XenstoreDump.format(sim.store().dump());
            List<DumpEntry> d = XenstoreDump.parse(lines, "sim");
            DumpEntry b = d.stream().filter(e -> e.path().equals("/a/b")).findFirst().orElseThrow();
            assertThat(b.value()).isEqualTo(new byte[] {0, 1, '\\', '"', ' ', (byte) 0x80, '\n'});
            assertThat(b.perms()).containsExactly("n0", "r7");
        }
    }

    /**
     * The real xenstore-ls -f -p output of a real cxenstored parses to what was written, and a fresh
     * cxenstored holds exactly what a fresh xenpv daemon holds (/tool, /tool/xenstored).
     */
    @Test
    void realXenstoreLsOutputOfARealCxenstored() throws Exception {
        XenstoreUtils.assumeInstalled("xenstore-ls");
        try (RealCxenstored d = RealCxenstored.start()) {
            XenstoreUtils xs = new XenstoreUtils(d.socketPath());
            List<String> fresh = xs.ls("-f", "-p").lines();
            assertThat(fresh).isEqualTo(XenstoreDump.format(XenStore.create().dump()));
            byte[] odd = {'q', '"', '\\', 'z', 0, 1, 8, '\t', 0x7f, (byte) 0xfe, ' '};
            try (XsConnection c = d.connect()) {
                c.write("/d/odd", odd);
                c.setPerms("/d/odd", "n0", "r5", "b0");
            }
            List<DumpEntry> parsed = XenstoreDump.parse(xs.ls("-f", "-p").lines(), "xenstore-ls");
            DumpEntry e = parsed.stream().filter(x -> x.path().equals("/d/odd")).findFirst().orElseThrow();
            assertThat(e.value()).isEqualTo(odd);
            assertThat(e.perms()).containsExactly("n0", "r5", "b0");
            List<DumpEntry> indented = XenstoreDump.parse(xs.ls("-p").lines(), "xenstore-ls");
            assertThat(indented).extracting(DumpEntry::path).isEqualTo(parsed.stream().map(DumpEntry::path).toList());
        }
    }
}
