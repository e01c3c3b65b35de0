package org.xenpv.xenbus.iface;

/**
 * Optional hooks of a published provider: the registry calls {@link #interfaceAcquired} when the first
 * reference is acquired and {@link #interfaceReleased} when the last is released, the points where a
 * driver interface's {@code Acquire}/{@code Release} set up and tear down its context
 * ({@code References++ == 0} / {@code --References == 0}).
 */
public interface InterfaceLifecycle {

    /** First acquire. An exception fails that acquire and leaves the count at 0. */
    void interfaceAcquired();

    /** Last release. */
    void interfaceReleased();
}
