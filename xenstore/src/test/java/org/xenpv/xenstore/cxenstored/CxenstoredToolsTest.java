package org.xenpv.xenstore.cxenstored;

import java.nio.file.Path;
import org.xenpv.xenstore.interop.XenstoreToolsContract;

/** Xen's own clients against the real cxenstored 4.17: pins what they print and return. */
class CxenstoredToolsTest extends XenstoreToolsContract {

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
