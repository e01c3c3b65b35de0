package org.xenpv.xenstore.trace;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A message from a client to the daemon (cxenstored {@code IN} line, an oxenstored operation line, a
 * JSON {@code "dir":"in"} message). A client-sent {@code WATCH_EVENT} is a request too (answered ENOSYS).
 */
public record Request(long line, String conn, OptionalInt domid, int type, OptionalLong reqId,
                      TxContext tx, Payload payload, TraceTime time) implements Message {

    @Override
    public Direction direction() {
        return Direction.IN;
    }

    public Request withTx(TxContext t) {
        return new Request(line, conn, domid, type, reqId, t, payload, time);
    }
}
