package org.xenpv.xenstore.control;

import org.xenpv.xenstore.domain.XsQuotaConfig;

/** What the CONTROL commands need from the daemon, for the connection that sent the command. */
public interface ControlContext {

    /** Queue the reply to the CONTROL request (the text gets its terminating NUL here). */
    void reply(String text);

    /** {@code check_store()}. */
    void checkStore();

    /** {@code log on}: reopen the trace. */
    void traceOn();

    /** {@code log off}: stop tracing. */
    void traceOff();

    /** Whether a trace destination is configured ({@code tracefile != NULL || tracefd >= 0}). */
    boolean traceConfigured();

    /** {@code logfile <file>}. */
    void traceFile(String file);

    XsQuotaConfig quotas();

    /**
     * {@code domain_get_quota()}: the "Domain N:" report, or null if the daemon has no such domain.
     */
    String domainQuotaReport(int domid);

    /** Whether any connection has an open transaction and, if so, the reject text ({@code lu_reject_reason}). */
    String liveUpdateBlocker(boolean force, int timeoutSeconds);
}
