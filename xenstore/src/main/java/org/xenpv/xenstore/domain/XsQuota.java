package org.xenpv.xenstore.domain;

/**
 * The cxenstored 4.17 quotas (xenstored_core.c globals, {@code hard_quotas[]}/{@code soft_quotas[]} of
 * xenstored_control.c; xen-pv-protocols.md §1.9) with their CONTROL names, defaults and descriptions.
 * All apply to unprivileged domains only, except {@link #PATH_MAX} (every caller) and
 * {@link #WATCH_EVENT_TIMEOUT_MS} (a timeout, not a limit).
 */
public enum XsQuota {
    NODES("nodes", 1000, "Nodes per domain", true),
    WATCHES("watches", 128, "Watches per domain", true),
    TRANSACTIONS("transactions", 10, "Transactions per domain", true),
    OUTSTANDING("outstanding", 20, "Outstanding requests per domain", true),
    TRANSACTION_NODES("transaction-nodes", 1024, "Max. number of accessed nodes per transaction", true),
    MEMORY("memory", 2 * 1024 * 1024 + 512 * 1024, "Total Xenstore memory per domain (error level)", true),
    NODE_SIZE("node-size", 2048, "Max. size of a node", true),
    PATH_MAX("path-max", 2048, "Max. length of a node path", true),
    PERMISSIONS("permissions", 5, "Max. number of permissions per node", true),
    /** Soft memory quota: only a warning in the log. */
    MEMORY_SOFT("memory", 2 * 1024 * 1024, "Total Xenstore memory per domain (warning level)", false),
    /** {@code -w watch-event=<s>}: unread watch events of unprivileged domains are dropped after this. */
    WATCH_EVENT_TIMEOUT_MS("watch-event", 20000, "Timeout of pending watch events in ms", false);

    private final String controlName;
    private final int defaultValue;
    private final String description;
    private final boolean hard;

    XsQuota(String controlName, int defaultValue, String description, boolean hard) {
        this.controlName = controlName;
        this.defaultValue = defaultValue;
        this.description = description;
        this.hard = hard;
    }

    /** Name used by {@code CONTROL quota} / {@code quota-soft}. */
    public String controlName() {
        return controlName;
    }

    public int defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** Listed by {@code CONTROL quota} (true) or by {@code quota-soft} (only MEMORY_SOFT). */
    public boolean hard() {
        return hard;
    }

    /** The hard quotas in cxenstored's {@code hard_quotas[]} order. */
    public static XsQuota[] hardQuotas() {
        return new XsQuota[] {NODES, WATCHES, TRANSACTIONS, OUTSTANDING, TRANSACTION_NODES, MEMORY, NODE_SIZE, PATH_MAX,
            PERMISSIONS};
    }

    public static XsQuota[] softQuotas() {
        return new XsQuota[] {MEMORY_SOFT};
    }
}
