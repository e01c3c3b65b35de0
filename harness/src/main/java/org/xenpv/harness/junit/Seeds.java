package org.xenpv.harness.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The seeds a {@link XenpvTest} runs with: either the listed {@link #value() seeds}, or
 * {@link #count()} seeds derived deterministically from {@link #base()} ({@link SeedSpec#derive}).
 * On a method it wins over one on the class; the {@code xenpv.seeds} setting wins over both.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface Seeds {

    /** Explicit seeds, in order. */
    long[] value() default {};

    /** Number of derived seeds; used when {@link #value()} is empty. */
    int count() default 0;

    /** Base of the derivation, so two tests with the same count may sweep different seeds. */
    long base() default 0;
}
