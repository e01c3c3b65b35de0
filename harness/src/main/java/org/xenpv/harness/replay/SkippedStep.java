package org.xenpv.harness.replay;

/**
 * A trace step the replay could not carry out against this target (a domain connection over a Unix
 * socket; a connection the target had already closed). Its replies and events are not compared.
 *
 * @param line   the trace line
 * @param conn   the connection as the trace names it
 * @param step   the record ({@code READ data/x}, {@code WATCH_EVENT})
 * @param reason why it was skipped
 */
public record SkippedStep(long line, String conn, String step, String reason) {

    public String message() {
        return "line " + line + ": " + step + " on " + conn + ": " + reason;
    }
}
