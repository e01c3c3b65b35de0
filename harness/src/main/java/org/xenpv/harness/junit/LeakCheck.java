package org.xenpv.harness.junit;

import java.util.List;

/**
 * Implemented by world objects (the platform, the store daemon, a toolstack) that can tell what is
 * still held at the end of a test. {@link XenpvExtension} asks every world object that implements
 * it, and every check added with {@link XenpvRun#addLeakCheck}, after each invocation, and fails a
 * test that otherwise passed listing every leak.
 */
@FunctionalInterface
public interface LeakCheck {

    /** What is still held now; empty when everything was released. */
    List<Leak> leaks();
}
