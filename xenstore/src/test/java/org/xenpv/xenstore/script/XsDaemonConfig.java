package org.xenpv.xenstore.script;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a script asks of the daemon before it starts ({@code daemon ...} lines): which domains
 * exist, and quotas. Quota names follow cxenstored 4.17's options (reference §1.9), so an endpoint
 * for another daemon maps them to its own settings.
 *
 * @param domains the domains that exist, in the stub's syntax ({@code "0 5 7:dying"})
 * @param quotas quota name to value, in script order
 */
public record XsDaemonConfig(String domains, Map<String, Long> quotas) {

    /**
     * Quota names: {@code entry-nb} (-E), {@code entry-size} (-S), {@code watch-nb} (-W),
     * {@code transaction} (-t), {@code perm-nb} (-A), {@code path-max} (-M),
     * {@code transaction-nodes}, {@code memory}, {@code outstanding} (-Q), {@code soft-memory}
     * (-q memory), {@code watch-event-timeout} (-w watch-event, seconds).
     */
    public static final Set<String> QUOTAS = Set.of("entry-nb", "entry-size", "watch-nb", "transaction", "perm-nb",
            "path-max", "transaction-nodes", "memory", "outstanding", "soft-memory", "watch-event-timeout");

    public XsDaemonConfig {
        quotas = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(quotas));
    }

    public static XsDaemonConfig defaults() {
        return new XsDaemonConfig("0", Map.of());
    }
}
