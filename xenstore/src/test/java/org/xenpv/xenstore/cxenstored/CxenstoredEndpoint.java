package org.xenpv.xenstore.cxenstored;

import java.io.IOException;
import java.util.Map;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.script.XsDaemonConfig;
import org.xenpv.xenstore.script.XsEndpoint;
import org.xenpv.xenstore.script.XsEndpointFactory;

/** The real cxenstored 4.17 as an op-script endpoint: script quotas become its command-line options. */
public final class CxenstoredEndpoint implements XsEndpoint {

    private final RealCxenstored daemon;

    private CxenstoredEndpoint(RealCxenstored daemon) {
        this.daemon = daemon;
    }

    /** Starts one daemon per script (skips the test if the rig cannot run here). */
    public static XsEndpointFactory factory() {
        return config -> new CxenstoredEndpoint(builder(config).start());
    }

    /** The daemon builder for a script's configuration. */
    public static RealCxenstored.Builder builder(XsDaemonConfig config) {
        RealCxenstored.Builder b = RealCxenstored.builder().domains(config.domains());
        for (Map.Entry<String, Long> q : config.quotas().entrySet()) {
            int n = Math.toIntExact(q.getValue());
            switch (q.getKey()) {
                case "entry-nb" -> b.entryNb(n);
                case "entry-size" -> b.entrySize(n);
                case "watch-nb" -> b.watchNb(n);
                case "transaction" -> b.transactions(n);
                case "perm-nb" -> b.permNb(n);
                case "path-max" -> b.pathMax(n);
                case "transaction-nodes", "memory", "outstanding" -> b.quota(q.getKey(), n);
                case "soft-memory" -> b.softQuota("memory", n);
                case "watch-event-timeout" -> b.timeout("watch-event", n);
                default -> throw new IllegalArgumentException("quota '" + q.getKey() + "' has no cxenstored option");
            }
        }
        return b;
    }

    /** The daemon behind this endpoint. */
    public RealCxenstored daemon() {
        return daemon;
    }

    @Override
    public XsConnection dom0(String name) throws IOException {
        return daemon.connect(name);
    }

    @Override
    public XsConnection guest(String name, int domid) throws IOException {
        return daemon.guest(domid, name);
    }

    @Override
    public String describe() {
        return "cxenstored 4.17 pid " + daemon.pid() + " in " + daemon.runDir();
    }

    @Override
    public void close() {
        daemon.close();
    }
}
