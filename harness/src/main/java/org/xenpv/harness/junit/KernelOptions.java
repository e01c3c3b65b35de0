package org.xenpv.harness.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Options of the deterministic kernel each {@link XenpvTest} invocation gets (the fields of
 * {@link org.xenpv.core.sim.KernelConfig}). On a method it replaces one on the class entirely; the
 * defaults are those of {@link org.xenpv.core.sim.KernelConfig#deterministic(long)}.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface KernelOptions {

    /** Chance that {@link org.xenpv.core.sim.Kernel#preemptionPoint()} yields, in [0,1]. */
    double preemption() default 0.0;

    /** Kernel-time limit of {@code runUntil(done)} without an explicit limit, in seconds. */
    long runLimitSeconds() default 600;

    /** Whether every actor switch is logged (the log then shows the interleaving). */
    boolean logActorSwitches() default true;

    /** Event-log entries kept in memory (and so written on failure). */
    int logCapacity() default Integer.MAX_VALUE;
}
