package org.xenpv.core.ring;

/**
 * Thrown when the peer left indices in shared memory that no well-behaved peer can produce: the ring
 * must be treated as broken (a frontend marks its device failed, a backend stops serving it).
 */
public final class RingIndexException extends RuntimeException {

    private final transient RingFault fault;

    public RingIndexException(RingFault fault) {
        super(fault.toString());
        this.fault = fault;
    }

    public RingFault fault() {
        return fault;
    }
}
