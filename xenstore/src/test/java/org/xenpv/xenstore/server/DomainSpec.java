package org.xenpv.xenstore.server;

import java.util.ArrayList;
import java.util.List;
import org.xenpv.xenstore.domain.SimpleDomainPlatform;
import org.xenpv.xenstore.domain.XsQuotaConfig;
import org.xenpv.xenstore.script.XsDaemonConfig;

/**
 * An op script's {@code daemon} lines for our daemon: the stub's domain syntax
 * ({@code "0 5 7:dying 8:shutdown 9:crashed"}) as a {@link SimpleDomainPlatform}, quotas through
 * {@link QuotaOptions} (the cxenstored option names the real rig passes on its command line).
 */
final class DomainSpec {

    private DomainSpec() {
    }

    static SimpleDomainPlatform platform(String spec) {
        SimpleDomainPlatform p = new SimpleDomainPlatform();
        for (String d : spec.trim().split("\\s+")) {
            if (d.isEmpty()) {
                continue;
            }
            String[] kv = d.split(":", 2);
            int domid = Integer.parseInt(kv[0]);
            p.create(domid);
            if (kv.length == 2) {
                switch (kv[1]) {
                    case "dying" -> p.kill(domid);
                    case "shutdown", "crashed" -> p.shutdown(domid);
                    default -> throw new IllegalArgumentException("unknown domain state '" + kv[1] + "' in '" + spec + "'");
                }
            }
        }
        return p;
    }

    /** The guest domids of the spec (everything but 0). */
    static List<Integer> guests(String spec) {
        List<Integer> out = new ArrayList<>();
        for (String d : spec.trim().split("\\s+")) {
            if (!d.isEmpty()) {
                int domid = Integer.parseInt(d.split(":", 2)[0]);
                if (domid != 0) {
                    out.add(domid);
                }
            }
        }
        return out;
    }

    static XsQuotaConfig quotas(XsDaemonConfig config) {
        XsQuotaConfig q = new XsQuotaConfig();
        config.quotas().forEach((k, v) -> QuotaOptions.apply(q, k, v));
        return q;
    }
}
