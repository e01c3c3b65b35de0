package org.xenpv.xenstore.daemon;

import static org.xenpv.xenstore.store.Errno.EINVAL;
import static org.xenpv.xenstore.store.Errno.ENOMEM;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.domain.Domain;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.store.Errno;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/**
 * Queueing of replies and watch events per connection ({@code send_reply()}, {@code send_event()},
 * {@code free_buffered_data()} of xenstored_core.c 4.17) with their memory and outstanding-request accounting.
 */
final class Output {

    private static final Logger LOG = LoggerFactory.getLogger(Output.class);

    private final Core core;

    Output(Core core) {
        this.core = core;
    }

    /**
     * {@code send_event()}: over-long events are dropped (XSA-324), as are duplicates of an event still
     * queued for the connection (not for special paths) and events that would exceed the hard memory
     * quota; events to unprivileged domains get the unread-event timeout.
     */
    void sendEvent(XsConnection conn, String path, String token, XsConnection.RequestRef ref) {
        int len = path.length() + 1 + token.length() + 1;
        if (len > XsHeader.PAYLOAD_MAX) {
            LOG.debug("dropping over-long watch event ({} bytes) for domain {}", len, conn.domid);
            return;
        }
        byte[] payload = XsPayload.strings(path, token);
        if (!path.startsWith("@")) {
            for (XsConnection.Pending p : conn.pending) {
                if (p.watchEvent() && p.msg().length() == len && Arrays.equals(p.msg().sharedPayload(), payload)) {
                    core.store.traceNote("dropping duplicate watch " + path + " " + token + " for domain "
                            + Integer.toUnsignedString(conn.domid));
                    return;
                }
            }
        }
        if (core.memoryAdd(conn.domid, len + XsHeader.SIZE, false) != 0) {
            return;
        }
        long timeout = 0;
        int timeoutMs = core.quotas.get(XsQuota.WATCH_EVENT_TIMEOUT_MS);
        if (timeoutMs != 0 && Core.unprivileged(conn)) {
            timeout = core.store.nowMillis() + timeoutMs;
        }
        if (ref != null) {
            ref.events++;
        }
        conn.pending.add(new XsConnection.Pending(XsMessage.wrap(XsType.WATCH_EVENT.code(), 0, 0, payload), true, timeout,
                len + XsHeader.SIZE, ref));
        core.store.outputQueued(conn);
    }

    /**
     * {@code send_reply()}: the reply to the request being processed (echoing its req_id and tx_id);
     * more than 4096 bytes turn into E2BIG, a big reply over the memory quota into ENOMEM. Only the first
     * reply to a request is sent.
     */
    void sendReply(XsConnection conn, int type, byte[] data) {
        // data is never modified afterwards (node values and child lists are copy-on-write, the rest is
        // built for the reply), so the queued message shares it.
        if (data.length > XsHeader.PAYLOAD_MAX) {
            sendError(conn, Errno.E2BIG);
            return;
        }
        XsMessage req = conn.request;
        if (req == null) {
            return;
        }
        int accounted = data.length + XsHeader.SIZE;
        if (data.length <= Core.DEFAULT_BUFFER_SIZE) {
            core.memoryAdd(conn.domid, accounted, true);
        } else if (core.memoryAdd(conn.domid, accounted, false) != 0) {
            sendError(conn, ENOMEM);
            return;
        }
        conn.request = null;
        if (conn.domain != null) {
            conn.domain.nboutstanding++;
        }
        XsConnection.RequestRef ref = conn == core.requester ? core.requesterRef : null;
        conn.pending.add(new XsConnection.Pending(XsMessage.wrap(type, req.reqId(), req.txId(), data), false, 0, accounted,
                ref));
        core.store.outputQueued(conn);
    }

    void sendReply(XsConnection conn, XsType type, byte[] data) {
        sendReply(conn, type.code(), data);
    }

    void sendAck(XsConnection conn, XsType type) {
        sendReply(conn, type, XsPayload.strings("OK"));
    }

    /** {@code send_error()}. */
    void sendError(XsConnection conn, int err) {
        if (!Errno.translatable(err)) {
            LOG.warn("xenstored: error {} untranslatable, sending EINVAL", err);
        }
        sendReply(conn, XsType.ERROR, XsPayload.strings(Errno.toWire(err).name()));
    }

    /**
     * Removes a queued message from the accounting (delivered, timed out or discarded): its memory, and
     * the outstanding-request count once a request's reply and all events it caused are gone.
     */
    void releasePending(XsConnection conn, XsConnection.Pending p) {
        core.memoryAdd(conn.domid, -p.accounted(), true);
        XsConnection.RequestRef ref = p.ref();
        if (!p.watchEvent()) {
            if (ref != null && ref.events > 0) {
                ref.replyFreed = true;
            } else if (conn.domain != null) {
                conn.domain.nboutstanding--;
            }
        } else if (ref != null) {
            ref.events--;
            if (ref.events == 0 && ref.replyFreed) {
                Domain d = core.domains.findIntroduced(ref.domid);
                if (d != null) {
                    d.nboutstanding--;
                }
            }
        }
    }
}
