package org.xenpv.xenstore.trace;

/** Direction of a message as seen by the daemon: {@code IN} from the client, {@code OUT} to it. */
public enum Direction {
    IN, OUT
}
