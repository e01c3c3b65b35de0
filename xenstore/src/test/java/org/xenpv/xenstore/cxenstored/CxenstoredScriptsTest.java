package org.xenpv.xenstore.cxenstored;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenpv.xenstore.script.XsScriptGoldens;
import org.xenpv.xenstore.script.XsScriptRunner;

/**
 * Every committed op script against the real cxenstored 4.17, compared with the golden transcript
 * recorded from it. This pins cxenstored's observable behaviour and proves the rig; the same scripts
 * and goldens later check our own daemon.
 */
class CxenstoredScriptsTest {

    static List<String> scripts() {
        return XsScriptGoldens.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void matchesGolden(String name) throws Exception {
        String transcript = new XsScriptRunner().run(XsScriptGoldens.load(name), CxenstoredEndpoint.factory());
        XsScriptGoldens.check(XsScriptGoldens.CXENSTORED, name, transcript);
    }
}
