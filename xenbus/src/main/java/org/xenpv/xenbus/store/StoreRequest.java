package org.xenpv.xenbus.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsMessage;

/**
 * One request of the STORE client on its way: PREPARED -> SUBMITTED (bytes still to copy into the ring)
 * -> PENDING (all bytes written, waiting for the reply with its {@code req_id}) -> COMPLETED.
 */
final class StoreRequest {

    enum State { SUBMITTED, PENDING, COMPLETED, FAILED }

    final int type;
    final int reqId;
    final int txId;
    final byte[] bytes;
    int written;
    volatile State state = State.SUBMITTED;
    volatile XsMessage response;
    volatile StoreException failure;

    StoreRequest(int type, int reqId, int txId, byte[] payload) {
        this.type = type;
        this.reqId = reqId;
        this.txId = txId;
        this.bytes = new byte[XsHeader.SIZE + payload.length];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        new XsHeader(type, reqId, txId, payload.length).encode(b);
        b.put(payload);
    }

    boolean done() {
        return state == State.COMPLETED || state == State.FAILED;
    }
}
