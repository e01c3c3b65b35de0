package org.xenpv.xenstore.server;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenpv.xenstore.script.XsScriptGoldens;
import org.xenpv.xenstore.script.XsScriptRunner;

/**
 * Differential test: every op script against our daemon served on Unix sockets ({@link XsServer}, guests
 * on {@code --domain}-style sockets), compared byte for byte (modulo {@link KnownDeviations}) with the transcript recorded from the real
 * cxenstored 4.17 ({@code cxenstored-4.17/<name>.transcript}, no normalisation).
 */
class ServerScriptsTest {

    static List<String> scripts() {
        return XsScriptGoldens.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void matchesCxenstoredGolden(String name) throws Exception {
        String transcript = new XsScriptRunner().run(XsScriptGoldens.load(name), ServerScriptEndpoint.factory());
        KnownDeviations.check(name, transcript, "server");
    }
}
