package org.xenpv.xenstore.trace;

/**
 * Malformed trace input. The message is {@code file:line: what is wrong: "offending text"}, with the
 * text cut to a readable length; it is meant to be shown to a user as is, without a stack trace.
 */
public final class TraceSyntaxException extends RuntimeException {

    private static final int SHOW = 100;

    private final String file;
    private final long lineNumber;
    private final String problem;

    public TraceSyntaxException(String file, long lineNumber, String problem, String offending) {
        super(format(file, lineNumber, problem, offending));
        this.file = file;
        this.lineNumber = lineNumber;
        this.problem = problem;
    }

    public String file() {
        return file;
    }

    public long lineNumber() {
        return lineNumber;
    }

    /** What is wrong, without location and text. */
    public String problem() {
        return problem;
    }

    static String format(String file, long line, String problem, String offending) {
        StringBuilder b = new StringBuilder().append(file).append(':').append(line).append(": ").append(problem);
        if (offending != null) {
            b.append(": ").append(quote(offending));
        }
        return b.toString();
    }

    /** Quotes a line for an error message: control characters escaped, cut to 100 chars. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        int n = Math.min(s.length(), SHOW);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
        if (s.length() > SHOW) {
            b.append("... (").append(s.length()).append(" chars)");
        }
        return b.toString();
    }
}
