package org.xenpv.xenstore.domain;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place quota refusals are logged (logger {@code org.xenpv.xenstore.quota}). */
public final class QuotaLog {

    private static final Logger LOG = LoggerFactory.getLogger("org.xenpv.xenstore.quota");

    private QuotaLog() {
    }

    /**
     * Logs a refusal: which quota, for which domain, on which path (the request's path argument, or a
     * description when there is none), with the value that hit the limit.
     */
    public static void refused(XsQuota quota, int domid, String path, long value, long limit) {
        LOG.warn("quota {} refused: domid {} path {} ({} against limit {})", quota.controlName(),
                Integer.toUnsignedString(domid), path, value, limit);
    }

    public static void warning(String text) {
        LOG.warn(text);
    }

    public static void info(String text) {
        LOG.info(text);
    }
}
