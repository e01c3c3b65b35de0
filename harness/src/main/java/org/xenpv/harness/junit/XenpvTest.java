package org.xenpv.harness.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A conformance test run once per seed, each invocation on a fresh deterministic
 * {@link org.xenpv.core.sim.Kernel} (see {@code docs/architecture.md}, "The simulation kernel").
 *
 * <p>Seeds come from {@link Seeds} on the method or class (default: seed 1), overridden for every
 * test by the configuration parameter or system property {@code xenpv.seeds} ({@link SeedSpec}).
 * The method may declare parameters of type {@link org.xenpv.core.sim.Kernel}, {@link XenpvRun},
 * or any type a {@link WorldFactory} builds. After each invocation every world object that is a
 * {@link LeakCheck} is asked for leaks, and a failing invocation leaves its event log, seed and a
 * replay command behind ({@link XenpvExtension}).
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(XenpvExtension.class)
public @interface XenpvTest {
}
