package org.xenpv.harness.toolstack;

/** A toolstack operation failed; the message names the domain, the operation and the state seen. */
public final class ToolstackException extends RuntimeException {

    public ToolstackException(String message) {
        super(message);
    }

    public ToolstackException(String message, Throwable cause) {
        super(message, cause);
    }
}
