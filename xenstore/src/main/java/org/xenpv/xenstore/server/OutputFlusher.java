package org.xenpv.xenstore.server;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;

/**
 * Flush batching: replies and watch events are written without flushing, and every connection that
 * received output is flushed once by a task that runs after the event loop has processed the current
 * batch of reads. Pipelined requests and events fanned out to many watchers thus cost one write system
 * call per connection per batch. Confined to the server's event loop.
 */
final class OutputFlusher implements Runnable {

    private final EventLoop loop;
    private final Runnable afterBatch;
    private List<XsSocketSession> dirty = new ArrayList<>();
    private List<XsSocketSession> spare = new ArrayList<>();

    /** @param afterBatch run after each batch has been flushed (trace flushing) */
    OutputFlusher(EventLoop loop, Runnable afterBatch) {
        this.loop = loop;
        this.afterBatch = afterBatch;
    }

    /** {@code session} has unflushed output. */
    void dirty(XsSocketSession session) {
        if (session.dirty) {
            return;
        }
        session.dirty = true;
        if (dirty.isEmpty()) {
            loop.execute(this);
        }
        dirty.add(session);
    }

    @Override
    public void run() {
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
