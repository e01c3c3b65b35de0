package org.xenpv.xenstore.trace;

import java.util.OptionalLong;

/**
 * cxenstored {@code DESTROY transaction <p>}: logged while a TRANSACTION_END (or RESET_WATCHES, or the
 * connection's end) is processed, before the reply. {@code conn}/{@code txId} are attributed by the
 * reconstruction rules when possible.
 */
public record TransactionDestroy(long line, String conn, OptionalLong txId, String object) implements TraceRecord {
}
