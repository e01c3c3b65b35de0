package org.xenpv.xenstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenpv.xenstore.cxenstored.CxenstoredEndpoint;
import org.xenpv.xenstore.script.XsScript;
import org.xenpv.xenstore.script.XsScriptGoldens;
import org.xenpv.xenstore.script.XsScriptRunner;

/**
 * The dom0 op scripts replayed by unprivileged guests: every {@code conn X dom0} becomes guest
 * {@code 10+k}, whose home {@code /local/domain/<N>} (owned by the guest) a hidden dom0 connection creates
 * and which it introduces before the script starts. The transformed script runs live against the real
 * cxenstored 4.17 (guests on shared rings) and against our daemon ({@code --domain}-style sockets), and
 * the two transcripts must be identical. Scripts that already have guests are left out, and so are
 * scripts that break the framing: a ring guest that
 * does so is ignored by cxenstored, while a socket client of ours is dropped alone (see
 * docs/xenstore-deviations.md).
 */
class GuestVariantScriptsTest {

    private static final Pattern DOM0 = Pattern.compile("^conn\\s+(\\w+)\\s+dom0\\s*$");
    private static final Pattern RAW_FRAMING = Pattern.compile("\\bRAW\\b|\\blen=|\\bnowait\\b");
    private static final Pattern HAS_GUEST = Pattern.compile("(?m)^\\s*conn\\s+\\w+\\s+domain\\s");

    static List<String> scripts() {
        List<String> out = new ArrayList<>();
        for (String name : XsScriptGoldens.names()) {
            String text = source(name);
            if (!HAS_GUEST.matcher(text).find() && !RAW_FRAMING.matcher(text).find()) {
                out.add(name);
            }
        }
        return out;
    }

    private static String source(String name) {
        try (var in = GuestVariantScriptsTest.class.getClassLoader()
                .getResourceAsStream(XsScriptGoldens.DIR + "/" + name + ".xss")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The script with dom0 connections turned into introduced guests 10, 11, ... */
    static String asGuests(String text) {
        List<String> daemon = new ArrayList<>();
        List<String> conns = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        Map<String, Integer> guests = new LinkedHashMap<>();
        String domains = "0";
        for (String line : text.split("\n", -1)) {
            String l = line.strip();
            Matcher m = DOM0.matcher(l);
            if (l.startsWith("daemon domains")) {
                domains = l.substring("daemon domains".length()).strip();
            } else if (l.startsWith("daemon")) {
                daemon.add(l);
            } else if (m.matches()) {
                int domid = 10 + guests.size();
                guests.put(m.group(1), domid);
                conns.add("conn " + m.group(1) + " domain " + domid);
            } else if (l.startsWith("conn")) {
                conns.add(l);
            } else {
                rest.add(line);
            }
        }
        StringBuilder sb = new StringBuilder();
        StringBuilder doms = new StringBuilder(domains);
        guests.values().forEach(d -> doms.append(' ').append(d));
        sb.append("daemon domains ").append(doms).append('\n');
        daemon.forEach(d -> sb.append(d).append('\n'));
        sb.append("conn dom0setup dom0\n");
        conns.forEach(c -> sb.append(c).append('\n'));
        int port = 1;
        for (int domid : guests.values()) {
            sb.append("dom0setup: MKDIR /local/domain/").append(domid).append('\n');
            sb.append("dom0setup: SET_PERMS /local/domain/").append(domid).append(" n").append(domid).append('\n');
            sb.append("dom0setup: INTRODUCE ").append(domid).append(" 0 ").append(port++).append('\n');
        }
        rest.forEach(r -> sb.append(r).append('\n'));
        return sb.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void guestsSeeWhatTheySeeOnCxenstored(String name) throws Exception {
        String text = asGuests(source(name));
        XsScript script = org.xenpv.xenstore.script.XsScriptParser.parse(name + "-as-guests", text);
        String real = new XsScriptRunner().run(script, CxenstoredEndpoint.factory());
        String ours = new XsScriptRunner().run(script, ServerScriptEndpoint.factory());
        Path dir = Path.of("target/xsscripts/as-guests");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".xss"), text);
        Files.writeString(dir.resolve(name + ".cxenstored.transcript"), real);
        Files.writeString(dir.resolve(name + ".ours.transcript"), ours);
        assertThat(ours).as("%s as guests: ours vs cxenstored 4.17 (both in %s)", name, dir.toAbsolutePath())
                .isEqualTo(real);
    }
}
