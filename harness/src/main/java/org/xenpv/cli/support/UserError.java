package org.xenpv.cli.support;

/**
 * A problem with what the user gave us (a file, an option value): printed as one line naming the
 * thing that failed, exit code 2, no stack trace.
 */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
