package org.xenpv.xenstore.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsType;

/**
 * A client connection to a xenstore daemon over any byte transport (Unix socket, shared ring):
 * raw sends of anything, including malformed messages, plus the request/reply operations of
 * {@code docs/misc/xenstore.txt} and {@code xen/io/xs_wire.h} (reference §1.2) as convenience calls.
 *
 * <p>Received messages are kept in arrival order in an {@link XsInbox}: {@link #next} takes the
 * next message of any kind, {@link #nextReply} the next non-event, {@link #takeEvents} all
 * {@code WATCH_EVENT}s so far. The convenience calls match replies by {@code req_id}, leave events
 * in the inbox, and turn {@code XS_ERROR} replies into {@link XsErrorException}. A connection is
 * meant for one caller thread.
 */
public interface XsConnection extends AutoCloseable {

    /** A short name for messages and transcripts. */
    String name();

    /** Sends these bytes as they are: no framing, no validation. */
    void sendRaw(byte[] bytes) throws XsClientException;

    /** The received, not yet taken messages. */
    XsInbox inbox();

    /** A fresh {@code req_id} for the next request (per connection, from 1). */
    int nextReqId();

    /** How long the convenience calls wait for a reply. */
    Duration timeout();

    /** Whether the transport is still up (nothing ended it yet). */
    default boolean isOpen() {
        return inbox().endCause() == null;
    }

    @Override
    void close();

    // ---- raw messages ----

    /** Sends {@code header} then {@code payload}; the header's {@code len} may lie about the payload. */
    default void send(XsHeader header, byte[] payload) throws XsClientException {
        byte[] h = header.toBytes();
        byte[] all = Arrays.copyOf(h, h.length + payload.length);
        System.arraycopy(payload, 0, all, h.length, payload.length);
        sendRaw(all);
    }

    /** Sends a well-framed message with exactly these header fields ({@code len} = payload length). */
    default void send(int type, int reqId, int txId, byte[] payload) throws XsClientException {
        send(new XsHeader(type, reqId, txId, payload.length), payload);
    }

    /** Sends a well-framed message of any type number with a fresh {@code req_id}, which it returns. */
    default int send(int type, int txId, byte[] payload) throws XsClientException {
        int reqId = nextReqId();
        send(new XsHeader(type, reqId, txId, payload.length), payload);
        return reqId;
    }

    /** The next message of any kind, in arrival order. */
    default XsSocketMessage next(Duration timeout) throws XsClientException {
        return inbox().next(timeout);
    }

    /** The next message that is not a {@code WATCH_EVENT}; events before it stay in the inbox. */
    default XsSocketMessage nextReply(Duration timeout) throws XsClientException {
        return inbox().take(m -> !m.isWatchEvent(), "reply", timeout);
    }

    /** The next reply carrying {@code reqId}; other messages stay in the inbox. */
    default XsSocketMessage awaitReply(int reqId, Duration timeout) throws XsClientException {
        return inbox().take(m -> !m.isWatchEvent() && m.reqId() == reqId,
                "reply with req_id " + Integer.toUnsignedString(reqId), timeout);
    }

    /** The next {@code WATCH_EVENT}. */
    default XsSocketMessage nextEvent(Duration timeout) throws XsClientException {
        return inbox().take(XsSocketMessage::isWatchEvent, "WATCH_EVENT", timeout);
    }

    /** Removes and returns the {@code WATCH_EVENT}s received so far, in arrival order. */
    default List<XsSocketMessage> takeEvents() {
        return inbox().drain(XsSocketMessage::isWatchEvent);
    }

    // ---- request/reply ----

    /**
     * Sends a request and waits for its reply.
     *
     * @return the reply, whose type is {@code type}
     * @throws XsErrorException for an {@code XS_ERROR} reply
     * @throws XsProtocolException for a reply of another type
     */
    default XsSocketMessage request(XsType type, int txId, byte[] payload) throws XsClientException {
        int reqId = send(type.code(), txId, payload);
        XsSocketMessage reply = awaitReply(reqId, timeout());
        if (reply.isError()) {
            throw new XsErrorException(name() + ": " + type + " " + XsBytes.quote(payload), reply.errorName());
        }
        if (reply.type() != type.code()) {
            throw new XsProtocolException(name() + ": reply to " + type + " (req_id " + reqId + ") has type "
                    + Integer.toUnsignedString(reply.type()));
        }
        return reply;
    }

    private void expectOk(XsType type, int txId, byte[] payload) throws XsClientException {
        XsSocketMessage r = request(type, txId, payload);
        if (!Arrays.equals(r.payload(), XsBytes.nulTerminated("OK"))) {
            throw new XsProtocolException(name() + ": " + type + " replied " + XsBytes.quote(r.payload())
                    + " instead of \"OK\\0\"");
        }
    }

    /** READ: the node's value, raw bytes (no NUL terminator on the wire). */
    default byte[] read(int txId, String path) throws XsClientException {
        return request(XsType.READ, txId, XsBytes.nulTerminated(path)).payload();
    }

    default byte[] read(String path) throws XsClientException {
        return read(0, path);
    }

    /** READ decoded as ISO-8859-1. */
    default String readString(String path) throws XsClientException {
        return new String(read(path), StandardCharsets.ISO_8859_1);
    }

    /** WRITE: {@code path\0value}, the value not NUL-terminated. */
    default void write(int txId, String path, byte[] value) throws XsClientException {
        byte[] p = XsBytes.nulTerminated(path);
        byte[] payload = Arrays.copyOf(p, p.length + value.length);
        System.arraycopy(value, 0, payload, p.length, value.length);
        expectOk(XsType.WRITE, txId, payload);
    }

    default void write(String path, byte[] value) throws XsClientException {
        write(0, path, value);
    }

    default void write(String path, String value) throws XsClientException {
        write(0, path, XsBytes.latin1(value));
    }

    /** DIRECTORY: the children's names. */
    default List<String> directory(int txId, String path) throws XsClientException {
        return request(XsType.DIRECTORY, txId, XsBytes.nulTerminated(path)).stringList();
    }

    default List<String> directory(String path) throws XsClientException {
        return directory(0, path);
    }

    /** DIRECTORY_PART: the reply strings, {@code gencnt} first, an empty string after the last child. */
    default List<String> directoryPart(String path, int offset) throws XsClientException {
        return request(XsType.DIRECTORY_PART, 0, XsBytes.strings(path, Integer.toString(offset))).stringList();
    }

    default void mkdir(int txId, String path) throws XsClientException {
        expectOk(XsType.MKDIR, txId, XsBytes.nulTerminated(path));
    }

    default void mkdir(String path) throws XsClientException {
        mkdir(0, path);
    }

    default void rm(int txId, String path) throws XsClientException {
        expectOk(XsType.RM, txId, XsBytes.nulTerminated(path));
    }

    default void rm(String path) throws XsClientException {
        rm(0, path);
    }

    /** GET_PERMS: perm strings such as {@code n0}, {@code r5} (reference §1.5). */
    default List<String> getPerms(int txId, String path) throws XsClientException {
        return request(XsType.GET_PERMS, txId, XsBytes.nulTerminated(path)).stringList();
    }

    default List<String> getPerms(String path) throws XsClientException {
        return getPerms(0, path);
    }

    /** SET_PERMS with perm strings such as {@code n0}, {@code r5}; they are sent unchecked. */
    default void setPerms(int txId, String path, String... perms) throws XsClientException {
        String[] args = new String[perms.length + 1];
        args[0] = path;
        System.arraycopy(perms, 0, args, 1, perms.length);
        expectOk(XsType.SET_PERMS, txId, XsBytes.strings(args));
    }

    default void setPerms(String path, String... perms) throws XsClientException {
        setPerms(0, path, perms);
    }

    /** WATCH; the daemon then sends an initial {@code WATCH_EVENT}, which stays in the inbox. */
    default void watch(String path, String token) throws XsClientException {
        expectOk(XsType.WATCH, 0, XsBytes.strings(path, token));
    }

    default void unwatch(String path, String token) throws XsClientException {
        expectOk(XsType.UNWATCH, 0, XsBytes.strings(path, token));
    }

    default void resetWatches() throws XsClientException {
        expectOk(XsType.RESET_WATCHES, 0, XsBytes.strings(""));
    }

    /** TRANSACTION_START: the new transaction's id. */
    default int transactionStart() throws XsClientException {
        XsSocketMessage r = request(XsType.TRANSACTION_START, 0, XsBytes.strings(""));
        List<String> s = r.stringList();
        try {
            return Integer.parseUnsignedInt(s.isEmpty() ? "" : s.get(0));
        } catch (NumberFormatException e) {
            throw new XsProtocolException(name() + ": TRANSACTION_START replied " + XsBytes.quote(r.payload())
                    + ", not a decimal id");
        }
    }

    /** TRANSACTION_END {@code T} (commit) or {@code F} (abort); a conflict fails with EAGAIN. */
    default void transactionEnd(int txId, boolean commit) throws XsClientException {
        expectOk(XsType.TRANSACTION_END, txId, XsBytes.strings(commit ? "T" : "F"));
    }

    /** INTRODUCE {@code domid gfn evtchn} (privileged). */
    default void introduce(int domid, long gfn, int evtchn) throws XsClientException {
        expectOk(XsType.INTRODUCE, 0, XsBytes.strings(Integer.toString(domid), Long.toString(gfn),
                Integer.toString(evtchn)));
    }

    default void release(int domid) throws XsClientException {
        expectOk(XsType.RELEASE, 0, XsBytes.strings(Integer.toString(domid)));
    }

    default void resume(int domid) throws XsClientException {
        expectOk(XsType.RESUME, 0, XsBytes.strings(Integer.toString(domid)));
    }

    default void setTarget(int domid, int targetDomid) throws XsClientException {
        expectOk(XsType.SET_TARGET, 0, XsBytes.strings(Integer.toString(domid), Integer.toString(targetDomid)));
    }

    default String getDomainPath(int domid) throws XsClientException {
        List<String> s = request(XsType.GET_DOMAIN_PATH, 0, XsBytes.strings(Integer.toString(domid))).stringList();
        return s.isEmpty() ? "" : s.get(0);
    }

    default boolean isDomainIntroduced(int domid) throws XsClientException {
        List<String> s = request(XsType.IS_DOMAIN_INTRODUCED, 0, XsBytes.strings(Integer.toString(domid)))
                .stringList();
        return !s.isEmpty() && s.get(0).equals("T");
    }

    /** CONTROL (alias DEBUG): the reply text without its trailing NUL. */
    default String control(String... args) throws XsClientException {
        byte[] p = request(XsType.CONTROL, 0, XsBytes.strings(args)).payload();
        int end = p.length > 0 && p[p.length - 1] == 0 ? p.length - 1 : p.length;
        return new String(p, 0, end, StandardCharsets.ISO_8859_1);
    }
}
