package org.xenpv.xenstore.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xenpv.xenstore.control.ControlCommands;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/** CONTROL (alias DEBUG) as cxenstored 4.17 answers it (xenstored_control.c; xen-pv-protocols.md §1.11). */
class ControlTest {

    private final List<XsMessage> out = new ArrayList<>();
    private final XsScript script = new XsScript();
    private final XsConnection a = script.store.connect(0, true, out::add);
    private int req;

    private XsMessage control(String... args) {
        return raw(XsPayload.strings(args));
    }

    private XsMessage raw(byte[] payload) {
        out.clear();
        a.handle(new XsMessage(XsType.CONTROL.code(), ++req, 0, payload));
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static String text(XsMessage m) {
        assertThat(m.type()).as("reply type of %s", m).isEqualTo(XsType.CONTROL.code());
        byte[] p = m.payload();
        assertThat(p[p.length - 1]).as("NUL terminated").isZero();
        return new String(p, 0, p.length - 1, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String error(XsMessage m) {
        assertThat(m.type()).as("error reply %s", m).isEqualTo(XsType.ERROR.code());
        return XsPayload.cString(m.payload(), 0);
    }

    @Test
    @DisplayName("help: the exact cxenstored 4.17 command list")
    void help() {
        assertThat(text(control("help"))).isEqualTo(ControlCommands.HELP);
        assertThat(ControlCommands.HELP).startsWith("check\t\nlog\ton|off\nlive-update\t[-c <cmdline>] [-F] [-t <timeout>] <file>\n"
                + "    Default timeout is 60 seconds.\n").endsWith("quota-soft\t[set <name> <val>]\nhelp\t\n");
        assertThat(error(control("help", "x"))).isEqualTo("EINVAL");
    }

    @Test
    @DisplayName("quota: the settings table in hard_quotas[] order with %-17s: %8d %s")
    void quotaTable() {
        assertThat(text(control("quota"))).isEqualTo("""
                Quota settings:
                nodes            :     1000 Nodes per domain
                watches          :      128 Watches per domain
                transactions     :       10 Transactions per domain
                outstanding      :       20 Outstanding requests per domain
                transaction-nodes:     1024 Max. number of accessed nodes per transaction
                memory           :  2621440 Total Xenstore memory per domain (error level)
                node-size        :     2048 Max. size of a node
                path-max         :     2048 Max. length of a node path
                permissions      :        5 Max. number of permissions per node
                """);
        assertThat(text(control("quota-soft"))).isEqualTo("""
                Quota settings:
                memory           :  2097152 Total Xenstore memory per domain (warning level)
                """);
    }

    @Test
    @DisplayName("quota set / quota-soft set change the daemon-wide values; bad names and values are EINVAL")
    void quotaSet() {
        assertThat(text(control("quota", "set", "nodes", "7"))).isEqualTo("OK");
        assertThat(script.store.quotas().get(XsQuota.NODES)).isEqualTo(7);
        assertThat(text(control("quota"))).contains("nodes            :        7 Nodes per domain");
        assertThat(text(control("quota", "set", "path-max", "4000"))).isEqualTo("OK");
        assertThat(script.store.quotas().get(XsQuota.PATH_MAX)).isEqualTo(4000);
        assertThat(text(control("quota-soft", "set", "memory", "100"))).isEqualTo("OK");
        assertThat(script.store.quotas().get(XsQuota.MEMORY_SOFT)).isEqualTo(100);
        assertThat(script.store.quotas().get(XsQuota.MEMORY)).isEqualTo(2621440);
        assertThat(error(control("quota", "set", "nodes", "0"))).isEqualTo("EINVAL");
        assertThat(error(control("quota", "set", "nodes", "-5"))).isEqualTo("EINVAL");
        assertThat(error(control("quota", "set", "bogus", "5"))).isEqualTo("EINVAL");
        assertThat(error(control("quota", "set", "nodes"))).isEqualTo("EINVAL");
        assertThat(error(control("quota-soft", "set", "nodes", "5"))).isEqualTo("EINVAL");
        assertThat(error(control("quota-soft", "5"))).isEqualTo("EINVAL");
        assertThat(error(control("quota", "1", "2"))).isEqualTo("EINVAL");
    }

    @Test
    @DisplayName("quota <domid>: per-domain usage; unknown domain ENOENT")
    void quotaDomain() {
        assertThat(text(control("quota", "0"))).isEqualTo("""
                Domain 0:
                nodes           :        3
                watches         :        0
                transactions    :        0
                outstanding     :        0
                memory          :      132
                """);
        XsConnection g = script.store.connect(5, false, m -> { });
        g.handle(XsMessage.of(XsType.WATCH, 1, 0, "/w", "tok"));
        g.handle(XsMessage.of(XsType.TRANSACTION_START, 2, 0, ""));
        assertThat(text(control("quota", "5"))).isEqualTo("""
                Domain 5:
                nodes           :        0
                watches         :        1
                transactions    :        1
                outstanding     :        0
                memory          :        5
                """);
        assertThat(error(control("quota", "77"))).isEqualTo("ENOENT");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown command|bogus",
        "empty command|''",
        "check with argument|check,x",
        "log without argument|log",
        "log bad argument|log,maybe",
        "print without argument|print",
        "memreport two arguments|memreport,a,b",
        "live-update without argument|live-update",
        "live-update bad option|live-update,-x",
        "live-update -a with argument|live-update,-a,x",
    })
    @DisplayName("argument errors are EINVAL")
    void einval(String name, String args) {
        assertThat(error(control(args.split(",", -1)))).isEqualTo("EINVAL");
    }

    @Test
    @DisplayName("malformed payloads: empty or without NUL are EINVAL")
    void malformed() {
        assertThat(error(raw(new byte[0]))).isEqualTo("EINVAL");
        assertThat(error(raw(XsPayload.bytes("help")))).isEqualTo("EINVAL");
    }

    @Test
    @DisplayName("check, print, log on|off, logfile and memreport answer OK; log off stops the trace")
    void simpleCommands() {
        assertThat(text(control("check"))).isEqualTo("OK");
        assertThat(script.trace()).contains("Checking store ...\nChecking store complete.\n");
        assertThat(text(control("print", "hello"))).isEqualTo("OK");
        assertThat(text(control("memreport"))).isEqualTo("OK");
        assertThat(text(control("log", "off"))).isEqualTo("OK");
        int len = script.trace().length();
        control("print", "invisible");
        assertThat(script.trace()).hasSize(len);
        assertThat(text(control("log", "on"))).isEqualTo("OK");
        assertThat(script.trace().substring(len)).startsWith("\n***\n").contains("OUT ").contains("CONTROL (OK )");
        assertThat(text(control("logfile", "/tmp/whatever"))).isEqualTo("OK");
    }

    @Test
    @DisplayName("memreport without a configured trace is EBADF, sent as EINVAL")
    void memreportWithoutTrace() {
        XenStore s = XenStore.create();
        List<XsMessage> o = new ArrayList<>();
        XsConnection c = s.connect(0, true, o::add);
        c.handle(XsMessage.of(XsType.CONTROL, 1, 0, "memreport"));
        assertThat(o).containsExactly(XsMessage.of(XsType.ERROR, 1, 0, "EINVAL"));
    }

    @Test
    @DisplayName("live-update: session checks and the daemon's reply texts")
    void liveUpdate(@TempDir Path dir) throws IOException {
        assertThat(text(control("live-update", "-a"))).isEqualTo("No live-update session active.");
        assertThat(text(control("live-update", "-c", "x"))).isEqualTo("Not in live-update session.");
        assertThat(text(control("live-update", "-s"))).isEqualTo("Not in live-update session.");
        assertThat(text(control("live-update", "-f", dir.resolve("missing").toString()))).isEqualTo("File not accessible.");
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        assertThat(text(control("live-update", "-f", plain.toString()))).isEqualTo("File not executable.");
        Path exe = Files.writeString(dir.resolve("xenstored"), "x");
        assertThat(exe.toFile().setExecutable(true)).isTrue();
        assertThat(text(control("live-update", "-f", exe.toString()))).isEqualTo("OK");
        assertThat(text(control("live-update", "-f", exe.toString()))).isEqualTo("live-update session already active.");
        assertThat(text(control("live-update", "-c", "--foo"))).isEqualTo("OK");
        assertThat(text(control("live-update", "-s", "-t", "5", "-F"))).isEqualTo("OK");
        assertThat(text(control("live-update", "-a"))).isEqualTo("No live-update session active.");
        // With an open transaction and no -F the update is refused.
        assertThat(text(control("live-update", "-f", exe.toString()))).isEqualTo("OK");
        a.handle(XsMessage.of(XsType.TRANSACTION_START, 99, 0, ""));
        assertThat(text(control("live-update", "-s"))).isEqualTo("Domains with long running transactions:\nDomain 0: 0 s");
    }
}
