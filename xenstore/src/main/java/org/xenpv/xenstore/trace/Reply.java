package org.xenpv.xenstore.trace;

import java.util.OptionalInt;
import java.util.OptionalLong;
import org.xenpv.xenstore.wire.XsError;
import org.xenpv.xenstore.wire.XsType;

/**
 * The daemon's answer to a request: same type as the request, or {@code ERROR} (xs_wire.h).
 *
 * @param writeFailed cxenstored 4.19+ {@code OUT(ERR)}: the daemon failed to write it to the client
 * @param request     the request this answers, as paired by the reconstruction rules, or {@code null}
 *                    when no request could be paired (an {@link Ambiguity} says why)
 */
public record Reply(long line, String conn, OptionalInt domid, int type, OptionalLong reqId,
                    TxContext tx, Payload payload, TraceTime time, boolean writeFailed,
                    Request request) implements Message {

    @Override
    public Direction direction() {
        return Direction.OUT;
    }

    public boolean isError() {
        return type == XsType.ERROR.code();
    }

    /** The errno of an ERROR reply ({@code null} if not an error or not a known name). */
    public XsError error() {
        return isError() ? XsError.parse(payload.firstString()) : null;
    }

    public Reply paired(Request req, TxContext t) {
        return new Reply(line, conn, domid, type, reqId, t, payload, time, writeFailed, req);
    }
}
