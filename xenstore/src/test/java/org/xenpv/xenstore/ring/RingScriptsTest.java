package org.xenpv.xenstore.ring;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenpv.xenstore.script.XsScript;
import org.xenpv.xenstore.script.XsScriptGoldens;
import org.xenpv.xenstore.script.XsScriptRunner;

/**
 * Differential test: every op script with guest connections ({@code conn g domain N}) run through our
 * daemon over simulated guest rings ({@link SimulatedRingEndpoint}) must give the transcript recorded
 * from the real cxenstored 4.17 over its guest rings, byte for byte, under several seeds with preemption
 * points on. The dom0-only scripts run too (once), through the in-process dom0 clients, against the
 * goldens recorded over cxenstored's Unix socket. A mismatch reports how many steps agree and shows the
 * differing ones.
 */
class RingScriptsTest {

    static final long[] SEEDS = {1, 2, 3};
    static final double PREEMPTION = 0.25;

    static boolean hasGuests(String name) {
        return XsScriptGoldens.load(name).steps().stream()
                .anyMatch(st -> st instanceof XsScript.Conn c && c.isGuest());
    }

    /** Scripts with guests under every seed; the dom0-only ones (in-process clients) under the first. */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String name : XsScriptGoldens.names()) {
            boolean guests = hasGuests(name);
            for (long seed : SEEDS) {
                if (guests || seed == SEEDS[0]) {
                    out.add(Arguments.of(name, seed));
                }
            }
        }
        return out.stream();
    }

    static String golden(String name) throws IOException {
        String rel = XsScriptGoldens.DIR + "/" + XsScriptGoldens.CXENSTORED + "/" + name + ".transcript";
        try (InputStream in = RingScriptsTest.class.getClassLoader().getResourceAsStream(rel)) {
            if (in == null) {
                throw new IOException("no golden transcript " + rel);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Steps of a transcript: each {@code > } line with the lines after it. */
    static List<String> steps(String transcript) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : transcript.split("\n", -1)) {
            if (line.startsWith("> ")) {
                if (cur != null) {
                    out.add(cur.toString());
                }
                cur = new StringBuilder(line);
            } else if (cur != null && !line.isEmpty()) {
                cur.append('\n').append(line);
            }
        }
        if (cur != null) {
            out.add(cur.toString());
        }
        return out;
    }

    static String run(String name, long seed) throws IOException {
        return new XsScriptRunner().run(XsScriptGoldens.load(name), SimulatedRingEndpoint.factory(seed, PREEMPTION));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void matchesCxenstoredGolden(String name, long seed) throws IOException {
        String expected = golden(name);
        String actual = run(name, seed);
        if (actual.equals(expected)) {
            return;
        }
        List<String> e = steps(expected);
        List<String> a = steps(actual);
        StringBuilder diff = new StringBuilder();
        int same = 0;
        for (int i = 0; i < Math.max(e.size(), a.size()); i++) {
            String x = i < e.size() ? e.get(i) : "(none)";
            String y = i < a.size() ? a.get(i) : "(none)";
            if (x.equals(y)) {
                same++;
            } else if (diff.length() < 4000) {
                diff.append("\n--- expected\n").append(x).append("\n+++ actual\n").append(y);
            }
        }
        Path dump = Path.of("target/xsscripts/ring").resolve(name + "-seed" + seed + ".transcript");
        Files.createDirectories(dump.getParent());
        Files.writeString(dump, actual);
        fail(name + ".xss (seed " + seed + "): " + same + "/" + e.size() + " steps match cxenstored 4.17; actual in "
                + dump + diff);
    }
}
