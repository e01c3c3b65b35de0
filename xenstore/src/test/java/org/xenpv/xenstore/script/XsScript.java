package org.xenpv.xenstore.script;

import java.util.List;

/**
 * A parsed op script: daemon configuration and the steps to run. The format is described in
 * {@code src/test/resources/org/xenpv/xenstore/script/README.md}.
 *
 * @param name the script's name (file name without extension)
 * @param config what the daemon must be started with
 * @param steps the steps, in order
 */
public record XsScript(String name, XsDaemonConfig config, List<Step> steps) {

    public XsScript {
        steps = List.copyOf(steps);
    }

    /** One line of the script that does something. {@code text} is the line as written, for transcripts. */
    public sealed interface Step {
        int line();

        String text();
    }

    /** {@code conn <c> dom0} or {@code conn <c> domain <domid>} ({@code domid} -1 for dom0's socket). */
    public record Conn(int line, String text, String conn, int domid) implements Step {
        public boolean isGuest() {
            return domid >= 0;
        }
    }

    /** {@code close <c>}. */
    public record Close(int line, String text, String conn) implements Step {
    }

    /**
     * A message to send on {@code conn}.
     *
     * @param type the header's type number
     * @param reqId the header's req_id, or {@code null} for the connection's next one
     * @param tx transaction: {@code null} for 0, a decimal literal, or the name bound by {@code -> name}
     * @param len the header's len, or {@code null} for the payload's length
     * @param payload the exact payload bytes
     * @param bindTx if not null, the reply's decimal id is bound to this transaction name
     * @param noWait send and do not wait for a reply
     */
    public record Send(int line, String text, String conn, int type, Integer reqId, String tx, Integer len,
            byte[] payload, String bindTx, boolean noWait) implements Step {
    }

    /**
     * Bytes written to {@code conn} as they are, without framing.
     *
     * @param replies how many non-event messages to wait for (default 1; the runner cannot tell how
     *     many whole requests the bytes hold)
     * @param noWait send and do not wait (a partial message may be left in flight)
     */
    public record Raw(int line, String text, String conn, byte[] bytes, int replies, boolean noWait)
            implements Step {
    }
}
