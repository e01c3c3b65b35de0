package org.xenpv.xenstore.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsSocketClient;
import org.xenpv.xenstore.script.XsDaemonConfig;
import org.xenpv.xenstore.script.XsEndpoint;
import org.xenpv.xenstore.script.XsEndpointFactory;

/**
 * Our daemon behind {@link XsServer} as an op-script endpoint: dom0 connections on the main socket, and
 * for every guest the script declares a {@code --domain}-style socket whose clients wait for dom0's
 * {@code INTRODUCE}, like a ring guest of the real daemon.
 */
final class ServerScriptEndpoint implements XsEndpoint {

    private final Path dir;
    private final XsServer server;
    private final Duration timeout;

    private ServerScriptEndpoint(Path dir, XsServer server, Duration timeout) {
        this.dir = dir;
        this.server = server;
        this.timeout = timeout;
    }

    static XsEndpointFactory factory() {
        return ServerScriptEndpoint::start;
    }

    static ServerScriptEndpoint start(XsDaemonConfig config) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xsrv");
        XsServer.Builder b = XsServer.builder().listen(dir.resolve("socket"))
                .platform(DomainSpec.platform(config.domains())).quotas(DomainSpec.quotas(config));
        for (int domid : DomainSpec.guests(config.domains())) {
            b.listenAsDomain(domid, guestSocket(dir, domid), false);
        }
        return new ServerScriptEndpoint(dir, b.start(), XsSocketClient.DEFAULT_TIMEOUT);
    }

    private static Path guestSocket(Path dir, int domid) {
        return dir.resolve("dom" + domid);
    }

    XsServer server() {
        return server;
    }

    @Override
    public XsConnection dom0(String name) throws IOException {
        return XsSocketClient.connect(dir.resolve("socket"), name, timeout);
    }

    @Override
    public XsConnection guest(String name, int domid) throws IOException {
        Path p = guestSocket(dir, domid);
        if (!Files.exists(p)) {
            throw new UnsupportedOperationException("domain " + domid + " is not declared by the script's daemon line");
        }
        return XsSocketClient.connect(p, name, timeout);
    }

    @Override
    public String describe() {
        return "xenpv XsServer in " + dir;
    }

    @Override
    public void close() {
        server.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
