package org.xenpv.xenstore.server;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.domain.XsQuotaConfig;

/**
 * cxenstored 4.17's quota options by their long names (xenstored_core.c {@code usage()};
 * xen-pv-protocols.md §1.9), mapped onto {@link XsQuota}: what {@code xenpv serve --entry-nb 4} and the
 * op-script {@code daemon quota entry-nb=4} lines mean.
 *
 * <table>
 * <caption>names</caption>
 * <tr><th>name</th><th>cxenstored option</th><th>quota</th></tr>
 * <tr><td>entry-nb</td><td>-E</td><td>nodes per domain</td></tr>
 * <tr><td>entry-size</td><td>-S</td><td>node size</td></tr>
 * <tr><td>watch-nb</td><td>-W</td><td>watches per domain</td></tr>
 * <tr><td>transaction</td><td>-t</td><td>open transactions per domain</td></tr>
 * <tr><td>perm-nb</td><td>-A</td><td>permission entries per node</td></tr>
 * <tr><td>path-max</td><td>-M</td><td>path length (capped at 2048)</td></tr>
 * <tr><td>transaction-nodes, memory, outstanding</td><td>-Q name=N</td><td>hard quotas</td></tr>
 * <tr><td>soft-memory</td><td>-q memory=N</td><td>soft memory quota</td></tr>
 * <tr><td>watch-event-timeout</td><td>-w watch-event=S</td><td>seconds before unread events drop</td></tr>
 * </table>
 */
public final class QuotaOptions {

    private static final Map<String, XsQuota> BY_NAME;

    static {
        Map<String, XsQuota> m = new LinkedHashMap<>();
        m.put("entry-nb", XsQuota.NODES);
        m.put("entry-size", XsQuota.NODE_SIZE);
        m.put("watch-nb", XsQuota.WATCHES);
        m.put("transaction", XsQuota.TRANSACTIONS);
        m.put("perm-nb", XsQuota.PERMISSIONS);
        m.put("path-max", XsQuota.PATH_MAX);
        m.put("transaction-nodes", XsQuota.TRANSACTION_NODES);
        m.put("memory", XsQuota.MEMORY);
        m.put("outstanding", XsQuota.OUTSTANDING);
        m.put("soft-memory", XsQuota.MEMORY_SOFT);
        m.put("watch-event-timeout", XsQuota.WATCH_EVENT_TIMEOUT_MS);
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private QuotaOptions() {
    }

    /** The option names, in the order above. */
    public static java.util.Set<String> names() {
        return BY_NAME.keySet();
    }

    /** The quota an option name sets, or null. */
    public static XsQuota quota(String name) {
        return BY_NAME.get(name);
    }

    /**
     * Sets option {@code name} to {@code value} in {@code config} (seconds for {@code watch-event-timeout}).
     *
     * @throws IllegalArgumentException naming the option for an unknown name or a value out of range
     */
    public static void apply(XsQuotaConfig config, String name, long value) {
        XsQuota q = BY_NAME.get(name);
        if (q == null) {
            throw new IllegalArgumentException("unknown quota option '" + name + "' (known: " + BY_NAME.keySet() + ")");
        }
        long v = q == XsQuota.WATCH_EVENT_TIMEOUT_MS ? value * 1000 : value;
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("quota option " + name + "=" + value + " out of range");
        }
        config.set(q, (int) v);
    }
}
