package org.xenpv.core.ring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an {@code int} or {@code long} record component that holds a C unsigned integer of the same width
 * ({@code uint32_t}, {@code uint64_t}, {@code grant_ref_t}): read it with {@link Integer#toUnsignedLong} /
 * {@link Long#toUnsignedString}. Narrower unsigned fields are held zero-extended in an {@code int} and need
 * no mark. Tools that render entries (the {@code xenpv ring} command) print marked values unsigned.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
public @interface Unsigned {
}
