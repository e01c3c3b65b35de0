package org.xenpv.xenstore.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xenpv.xenstore.interop.WatchToolContract;

/** {@code xenstore-watch} against our daemon (same contract as cxenstored 4.17). */
class ServerWatchToolTest extends WatchToolContract {

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
