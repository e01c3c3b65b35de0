package org.xenpv.core.ring;

/**
 * A protocol violation found in shared ring memory written by the peer (the checks Linux added for
 * XSA-376: "illegal ring indices", "illegal number of responses").
 *
 * @param ring    the ring's name
 * @param message what is wrong, naming the indices read
 */
public record RingFault(String ring, String message) {

    @Override
    public String toString() {
        return ring + ": " + message;
    }
}
