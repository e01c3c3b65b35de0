package org.xenpv.xenstore.domain;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Quota values: daemon-wide settings (cxenstored 4.17 has only these; command-line options and
 * {@code CONTROL quota set}) plus optional per-domain overrides (a later-Xen feature, offered for
 * platform tests; absent by default so behaviour equals 4.17). Mutable; single-threaded like the daemon.
 */
public final class XsQuotaConfig {

    private final EnumMap<XsQuota, Integer> global = new EnumMap<>(XsQuota.class);
    private final Map<Integer, EnumMap<XsQuota, Integer>> perDomain = new HashMap<>();

    public XsQuotaConfig() {
        for (XsQuota q : XsQuota.values()) {
            global.put(q, q.defaultValue());
        }
    }

    public int get(XsQuota q) {
        return global.get(q);
    }

    /** The value for a domain: its override if set, else the daemon-wide value. */
    public int get(XsQuota q, int domid) {
        EnumMap<XsQuota, Integer> m = perDomain.get(domid);
        if (m != null) {
            Integer v = m.get(q);
            if (v != null) {
                return v;
            }
        }
        return global.get(q);
    }

    /** Daemon-wide setting. {@link XsQuota#PATH_MAX} is capped at 2048 like {@code -M}. */
    public XsQuotaConfig set(XsQuota q, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("quota " + q.controlName() + " must not be negative: " + value);
        }
        global.put(q, q == XsQuota.PATH_MAX ? Math.min(value, 2048) : value);
        return this;
    }

    /** Sets the value without the {@code -M} cap (what {@code CONTROL quota set path-max} does). */
    public void setUncapped(XsQuota q, int value) {
        global.put(q, value);
    }

    public XsQuotaConfig setForDomain(int domid, XsQuota q, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("quota " + q.controlName() + " for domain " + domid + " must not be negative");
        }
        perDomain.computeIfAbsent(domid, k -> new EnumMap<>(XsQuota.class)).put(q, value);
        return this;
    }

    public void clearDomain(int domid) {
        perDomain.remove(domid);
    }
}
