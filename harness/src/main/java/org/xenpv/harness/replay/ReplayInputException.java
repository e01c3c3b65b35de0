package org.xenpv.harness.replay;

/**
 * A replay input (expectations file, initial-state dump) is malformed or unreadable. The message is
 * one line naming the place: {@code file:line: what is wrong: "text"}.
 */
public final class ReplayInputException extends RuntimeException {

    public ReplayInputException(String message) {
        super(message);
    }

    public ReplayInputException(String message, Throwable cause) {
        super(message, cause);
    }

    static ReplayInputException at(String file, long line, String what, String text) {
        String t = text == null ? "" : ": \"" + shown(text) + "\"";
        return new ReplayInputException(file + ":" + line + ": " + what + t);
    }

    /** The text cut at 100 characters with control characters escaped. */
    static String shown(String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length() && sb.length() < 100; i++) {
            char c = text.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return text.length() > 100 ? sb + "..." : sb.toString();
    }
}
