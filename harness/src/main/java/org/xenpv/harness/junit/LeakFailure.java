package org.xenpv.harness.junit;

import java.util.List;

/** A test that passed but left resources held: the message lists every leak, then the replay line. */
public final class LeakFailure extends AssertionError {

    private final transient List<Leak> leaks;

    LeakFailure(String testName, List<Leak> leaks, List<String> checkErrors, String replayLine) {
        super(message(testName, leaks, checkErrors, replayLine));
        this.leaks = List.copyOf(leaks);
    }

    public List<Leak> leaks() {
        return leaks;
    }

    private static String message(String testName, List<Leak> leaks, List<String> checkErrors, String replayLine) {
        StringBuilder sb = new StringBuilder();
        if (!leaks.isEmpty()) {
            sb.append(leaks.size()).append(leaks.size() == 1 ? " leak" : " leaks").append(" at the end of ")
                    .append(testName).append(':');
            for (Leak l : leaks) {
                sb.append("\n  ").append(l);
            }
        }
        if (!checkErrors.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "\n").append(checkErrors.size()).append(" leak check(s) failed at the end of ")
                    .append(testName).append(':');
            for (String e : checkErrors) {
                sb.append("\n  ").append(e);
            }
        }
        return sb.append("\nreplay: ").append(replayLine).toString();
    }
}
