package org.xenpv.harness.junit;

/**
 * Added as a suppressed exception to a failed invocation's exception, so the replay line appears
 * under the failure in every report that prints the stack trace (IDE, Surefire, JUnit XML).
 */
final class ReplayHint extends RuntimeException {
    ReplayHint(String message) {
        super(message, null, false, false);
    }
}
