package org.xenpv.harness.replay;

import java.util.List;

/**
 * A step where the replay target did not answer as the trace recorded: a reply or watch event that
 * differs, is missing, or was not in the trace.
 *
 * @param file           the trace file's name
 * @param line           the trace line of the recorded reply or event (for a message the trace does not
 *                       have: the line where the replay noticed it)
 * @param conn           the connection as the trace names it
 * @param requestLine    the line of the request concerned, or 0 for watch events
 * @param request        the request as read ({@code READ /t}), or empty for watch events
 * @param kind           what differs
 * @param expected       what the trace recorded ({@code ERROR ENOENT}, {@code READ "v"})
 * @param actual         what the target answered
 * @param ambiguityLines trace lines of ambiguities that may explain the divergence (the step's own,
 *                       its connection's transaction guesses, an ambiguous earlier value of the path)
 * @param deviation      when the divergence was expected (expectations file), the reason given there
 */
public record Divergence(String file, long line, String conn, long requestLine, String request, Kind kind,
                         String expected, String actual, List<Long> ambiguityLines, String deviation) {

    public enum Kind {
        /** The reply's type or payload differs (ERROR names compared by name). */
        REPLY,
        /** The target sent no reply (timeout, or it closed the connection). */
        NO_REPLY,
        /** oxenstored logged no error (the operation succeeded), the target answered ERROR. */
        UNEXPECTED_ERROR,
        /** A watch event differs from the recorded one. */
        EVENT,
        /** A recorded watch event did not arrive. */
        MISSING_EVENT,
        /** The target sent a watch event the trace does not have. */
        UNEXPECTED_EVENT,
        /** The target refused a connection the trace has (after it had accepted others). */
        CONNECTION,
        /** The expectations file lists a deviation here, but the replay matched the trace. */
        EXPECTATION_NOT_MET
    }

    public Divergence {
        ambiguityLines = List.copyOf(ambiguityLines);
    }

    /** This divergence as an expected one. */
    Divergence expectedBecause(String reason) {
        return new Divergence(file, line, conn, requestLine, request, kind, expected, actual, ambiguityLines, reason);
    }

    /**
     * One line, {@code file:line: what on conn (request at line N): expected X, got Y}, plus the
     * ambiguities that may explain it.
     */
    public String message() {
        StringBuilder sb = new StringBuilder().append(file).append(':').append(line).append(": ");
        String what = switch (kind) {
            case EVENT, MISSING_EVENT -> "WATCH_EVENT on " + conn;
            case UNEXPECTED_EVENT -> "unexpected WATCH_EVENT on " + conn;
            case EXPECTATION_NOT_MET -> "expected deviation on " + conn + " did not happen";
            case CONNECTION -> "opening connection " + conn;
            default -> request + " on " + conn + (requestLine > 0 && requestLine != line ? " (request at line "
                    + requestLine + ")" : "");
        };
        sb.append(what).append(": expected ").append(expected).append(", got ").append(actual);
        if (!ambiguityLines.isEmpty()) {
            sb.append(" (possibly due to ambiguity at line").append(ambiguityLines.size() > 1 ? "s " : " ");
            for (int i = 0; i < ambiguityLines.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(ambiguityLines.get(i));
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
