package org.xenpv.xenstore.server;

import java.util.ArrayList;
import java.util.List;

/**
 * Flush batching: replies and watch events are written without flushing, and every connection that
 * received output is flushed once when the server finishes the piece of input that caused it (one read of
 * one socket, an accept, a disconnect). Pipelined requests and events fanned out to many watchers thus
 * cost one write system call per connection, and a reply leaves before the next socket's requests are
 * processed (no task queue round trip). Confined to the server's event loop.
 */
final class OutputFlusher implements Runnable {

    private final Runnable afterBatch;
    private List<XsSocketSession> dirty = new ArrayList<>();
    private List<XsSocketSession> spare = new ArrayList<>();

    /** @param afterBatch run after each batch has been flushed (trace flushing) */
    OutputFlusher(Runnable afterBatch) {
        this.afterBatch = afterBatch;
    }

    /** {@code session} has unflushed output. */
    void dirty(XsSocketSession session) {
        if (session.dirty) {
            return;
        }
        session.dirty = true;
        dirty.add(session);
    }

    /** Flushes every connection written to since the last call. */
    @Override
    public void run() {
        if (dirty.isEmpty()) {
            return;
        }
        List<XsSocketSession> now = dirty;
        dirty = spare;
        for (XsSocketSession s : now) {
            s.dirty = false;
            if (s.channel.isActive()) {
                s.channel.flush();
            }
        }
        now.clear();
        spare = now;
        afterBatch.run();
    }
}
