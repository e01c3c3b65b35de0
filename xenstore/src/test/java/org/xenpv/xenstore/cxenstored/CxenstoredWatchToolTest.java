package org.xenpv.xenstore.cxenstored;

import java.nio.file.Path;
import org.xenpv.xenstore.interop.WatchToolContract;

/** {@code xenstore-watch} against the real cxenstored 4.17. */
class CxenstoredWatchToolTest extends WatchToolContract {

    @Override
    protected Daemon startDaemon() {
        RealCxenstored d = RealCxenstored.builder().guestRings(false).start();
        return new Daemon() {
            @Override
            public Path socket() {
                return d.socketPath();
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }
}
