package org.xenpv.xenstore.daemon;

import org.xenpv.xenstore.wire.XsMessage;

/**
 * Observer of everything cxenstored's {@code --trace-file} records (xen-pv-protocols.md §4.1): each
 * request as it is processed ({@code IN}), each reply or watch event as it is handed to the connection's
 * output ({@code OUT}), creation and destruction of connections, watches and transactions, and the
 * daemon's free-form trace lines. Called synchronously on the daemon's thread; implementations must not
 * call back into the daemon. {@code org.xenpv.xenstore.trace.TraceRecordSink} writes the 4.17 text
 * format and xenpv JSON lines.
 */
public interface XsTraceSink {

    /** {@code %p} rendering of a trace pseudo pointer ({@code 0x5650885ca670}), as cxenstored prints them. */
    static String pointer(long id) {
        return "0x" + Long.toHexString(id);
    }

    /** Object kinds of {@code CREATE|DESTROY <kind> <pointer>} lines. */
    enum Kind {
        CONNECTION("connection"),
        WATCH("watch"),
        TRANSACTION("transaction");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A request about to be processed. */
    void in(XsConnection conn, XsMessage msg);

    /** A reply or watch event delivered to {@code conn}'s output. */
    void out(XsConnection conn, XsMessage msg);

    /**
     * An object was created. {@code id} is the object's stable pseudo pointer; {@code owner} the connection
     * it belongs to (the connection itself for {@link Kind#CONNECTION}). cxenstored 4.17 does not log
     * transaction creation; writers of its format skip that kind.
     */
    void create(Kind kind, long id, XsConnection owner);

    void destroy(Kind kind, long id, XsConnection owner);

    /** A free-form cxenstored trace line (without the newline), e.g. {@code CONN 0x… ignored, reason 3}. */
    default void note(String line) {
    }

    /** {@code CONTROL log on} (cxenstored reopens its trace file and writes {@code \n***\n}). */
    default void reopen() {
    }

    /** {@code CONTROL logfile <file>}: the trace is to continue in another file. */
    default void logfile(String file) {
        reopen();
    }

    /** A sink that ignores everything. */
    XsTraceSink NONE = new XsTraceSink() {
        @Override
        public void in(XsConnection conn, XsMessage msg) {
        }

        @Override
        public void out(XsConnection conn, XsMessage msg) {
        }

        @Override
        public void create(Kind kind, long id, XsConnection owner) {
        }

        @Override
        public void destroy(Kind kind, long id, XsConnection owner) {
        }
    };
}
