package org.xenpv.xenstore.daemon;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential fixtures: seeded random request mixes (dom0 sockets and two unprivileged domains; writes
 * with binary values, mkdir, rm, directory, directory_part, perms, watches, transactions, malformed
 * arguments, quotas) were run on the real cxenstored 4.17 and its replies and events recorded in
 * {@code recorded/*.xs}. This daemon must produce the same messages in the same order per connection.
 */
class RecordedCxenstoredTest {

    static Stream<Arguments> recordings() throws IOException {
        return ScriptScenariosTest.load("/recorded/", "random-mixes.xs", "random-domains.xs", "edges.xs");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void sameAsRealDaemon(String name, String script) {
        new XsScript().run(script, true);
    }
}
