package org.xenpv.xenstore.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven daemon scenarios: every {@code === name} section of the {@code scripts/*.xs} resources is
 * one test run against a fresh daemon (syntax: {@link XsScript}). Each request line lists all the
 * messages the daemon must emit, so unexpected replies or events fail too.
 */
class ScriptScenariosTest {

    static final String[] FILES = {"nodes.xs", "perms.xs", "watches.xs", "transactions.xs", "domains.xs", "quotas.xs", "quirks.xs"
        };

    static Stream<Arguments> scenarios() throws IOException {
        return load("/scripts/", FILES);
    }

    /** Splits the {@code === name} sections of resource files into (name, script) arguments. */
    static Stream<Arguments> load(String dir, String... files) throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String f : files) {
            String text;
            try (InputStream in = ScriptScenariosTest.class.getResourceAsStream(dir + f)) {
                if (in == null) {
                    throw new IOException("missing test resource " + dir + f);
                }
                text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
            String name = null;
            StringBuilder body = new StringBuilder();
            for (String line : text.split("\n", -1)) {
                if (line.startsWith("=== ")) {
                    if (name != null) {
                        out.add(Arguments.of(f + ": " + name, body.toString()));
                    }
                    name = line.substring(4).strip();
                    body.setLength(0);
                } else if (name != null) {
                    body.append(line).append('\n');
                }
            }
            if (name != null) {
                out.add(Arguments.of(f + ": " + name, body.toString()));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(String name, String script) {
        new XsScript().run(script);
    }
}
