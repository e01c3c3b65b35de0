package org.xenpv.xenstore.server;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenpv.xenstore.script.XsScriptGoldens;
import org.xenpv.xenstore.script.XsScriptRunner;

/**
 * Differential test without sockets: every op script against our daemon in-process
 * ({@link InProcessScriptEndpoint}), compared byte for byte (modulo {@link KnownDeviations}) with the cxenstored 4.17 goldens. Isolates
 * the engine from the transport: a script that fails here but passes over the socket (or the reverse)
 * points at the transport.
 */
class InProcessScriptsTest {

    static List<String> scripts() {
        return XsScriptGoldens.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void matchesCxenstoredGolden(String name) throws Exception {
        String transcript = new XsScriptRunner().run(XsScriptGoldens.load(name), InProcessScriptEndpoint.factory());
        KnownDeviations.check(name, transcript, "in-process");
    }
}
