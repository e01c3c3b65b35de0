package org.xenpv.xenstore.trace;

/**
 * An operation oxenstored re-executed itself when replaying a conflicting transaction
 * ({@code r(<orig>):A5.<tid> write ...}, or its {@code error} answer). Not a client request: a replayer
 * must not send it.
 */
public record ReplayedOp(long line, String conn, long originalTx, long replayTx, Direction direction, int type,
                         Payload payload, TraceTime time) implements TraceRecord {
}
