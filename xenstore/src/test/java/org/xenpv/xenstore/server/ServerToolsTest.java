package org.xenpv.xenstore.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xenpv.xenstore.interop.XenstoreToolsContract;

/**
 * Xen's own clients (Debian xenstore-utils, {@code test-xenstore} with all 12 tests) against our daemon
 * on a Unix socket: the same expectations {@code CxenstoredToolsTest} pins against the real cxenstored
 * 4.17.
 */
class ServerToolsTest extends XenstoreToolsContract {

    @Override
    protected Daemon startDaemon() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xsrv");
        XsServer server = XsServer.builder().listen(dir.resolve("socket")).start();
        return new Daemon() {
            @Override
            public Path socket() {
                return dir.resolve("socket");
            }

            @Override
            public void close() {
                server.close();
                dir.toFile().delete();
            }
        };
    }
}
