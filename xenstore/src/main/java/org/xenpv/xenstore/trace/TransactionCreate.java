package org.xenpv.xenstore.trace;

import java.util.OptionalLong;

/**
 * cxenstored 4.18+ {@code obj: CREATE transaction <p>} (4.17 logs no creation; the TRANSACTION_START
 * reply tells the id). {@code conn} is the connection whose request was being processed, if known.
 */
public record TransactionCreate(long line, String conn, OptionalLong txId, String object) implements TraceRecord {
}
