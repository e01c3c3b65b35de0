package org.xenpv.harness.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Leaks of these kinds do not fail the test: for tests whose subject is what a crashed or
 * misbehaving peer leaves behind. They are still published as the report entry
 * {@code xenpv.allowed-leaks}. Say why in {@link #reason()}.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface AllowLeaks {
    Leak.Kind[] value();

    String reason();
}
