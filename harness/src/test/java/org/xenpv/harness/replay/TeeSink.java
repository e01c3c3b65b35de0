package org.xenpv.harness.replay;

import java.util.List;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.daemon.XsTraceSink;
import org.xenpv.xenstore.wire.XsMessage;

/** Hands everything the daemon traces to several sinks (to capture one run in several formats). */
final class TeeSink implements XsTraceSink {

    private final List<XsTraceSink> sinks;

    TeeSink(XsTraceSink... sinks) {
        this.sinks = List.of(sinks);
    }

    @Override
    public void in(XsConnection conn, XsMessage msg) {
        sinks.forEach(s -> s.in(conn, msg));
    }

    @Override
    public void out(XsConnection conn, XsMessage msg) {
        sinks.forEach(s -> s.out(conn, msg));
    }

    @Override
    public void create(Kind kind, long id, XsConnection owner) {
        sinks.forEach(s -> s.create(kind, id, owner));
    }

    @Override
    public void destroy(Kind kind, long id, XsConnection owner) {
        sinks.forEach(s -> s.destroy(kind, id, owner));
    }

    @Override
    public void note(String line) {
        sinks.forEach(s -> s.note(line));
    }

    @Override
    public void reopen() {
        sinks.forEach(XsTraceSink::reopen);
    }
}
