package org.xenpv.harness.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Ties a conformance test to the checklist rule it checks: {@code @Checks(id = "XENBUS-3", ref =
 * "windows-pv-drivers.md §8")}. The test's {@code @DisplayName} states the rule in words;
 * {@code docs/conformance.md} lists every rule with the tests that check it and their status
 * ({@code xenpv conformance --doc}).
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(Checks.List.class)
public @interface Checks {

    /** Checklist id: component in capitals, a dash, a number ({@code XENBUS-3}, {@code KERNEL-1}). */
    String id();

    /** Where the rule is written down: a reference file and section ({@code windows-pv-drivers.md §8}). */
    String ref();

    /** Container for repeated {@link Checks}. */
    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @interface List {
        Checks[] value();
    }
}
