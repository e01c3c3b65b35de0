package org.xenpv.core.ring;

import org.xenpv.core.mem.MemoryView;

/**
 * Reads and writes one C structure that lives in a ring slot, at the offsets its header gives.
 *
 * <p>{@link #encode} writes the structure's fields and nothing else: padding and bytes past the
 * structure keep what the slot held, exactly as a C producer that assigns fields through
 * {@code RING_GET_REQUEST()} leaves them. {@link #decode} reads every field once into an immutable value,
 * the Java form of {@code RING_COPY_REQUEST}/{@code RING_COPY_RESPONSE}: consumers act on that copy and
 * never read the shared slot again.
 *
 * @param <T> the Java value of the structure
 */
public interface EntryCodec<T> {

    /** {@code sizeof} the structure. */
    int size();

    /** Reads the structure at {@code offset}. */
    T decode(MemoryView view, int offset);

    /** Writes {@code value}'s fields at {@code offset}. */
    void encode(MemoryView view, int offset, T value);
}
