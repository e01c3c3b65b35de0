package org.xenpv.harness.launcher;

import java.lang.reflect.Method;
import java.util.List;
import org.junit.platform.commons.support.AnnotationSupport;
import org.xenpv.harness.junit.Checks;

/** A checklist rule a test checks, from its {@link Checks} annotations. */
public record Rule(String id, String ref) {

    /** The rules {@code method} checks, in declaration order. */
    public static List<Rule> of(Method method) {
        return AnnotationSupport.findRepeatableAnnotations(method, Checks.class).stream()
                .map(c -> new Rule(c.id(), c.ref())).toList();
    }
}
