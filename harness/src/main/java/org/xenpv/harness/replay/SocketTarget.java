package org.xenpv.harness.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsSocketClient;

/**
 * Replay against whatever daemon listens on a Unix socket ({@code socket:PATH}), through
 * {@link XsSocketClient}. Every socket client is a privileged dom0 connection (cxenstored 4.17 and
 * oxenstored alike), so a trace's domain connections cannot be replayed here: their steps are reported
 * as unsupported and skipped.
 */
public final class SocketTarget implements ReplayTarget {

    private final Path socket;
    private final Duration wait;

    public SocketTarget(Path socket, Duration wait) {
        this.socket = socket;
        this.wait = wait;
    }

    @Override
    public String describe() {
        return "socket:" + socket;
    }

    @Override
    public Duration waitTime() {
        return wait;
    }

    @Override
    public XsConnection openSocket(String name) throws IOException {
        return XsSocketClient.connect(socket, name, wait);
    }

    @Override
    public XsConnection domainConnection(int domid, String name) {
        throw new UnsupportedOperationException("domain " + Integer.toUnsignedString(domid) + " connection "
                + name + " cannot be replayed over the Unix socket " + socket
                + " (every socket client is dom0 and privileged); its steps are skipped");
    }

    @Override
    public boolean supportsDomains() {
        return false;
    }

    @Override
    public void close() {
    }
}
