package org.xenpv.harness.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * World factories for the {@link XenpvTest}s of a class or one method, in addition to those
 * registered for every test through {@code META-INF/services/org.xenpv.harness.junit.WorldFactory}.
 * A factory named here wins over a registered one that builds the same type.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface UseWorld {
    Class<? extends WorldFactory<?>>[] value();
}
