package org.xenpv.harness.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Every test of the conformance suite says which rule it checks (@Checks with an id and a
 * reference), states it (@DisplayName) and is tagged with its component and feature.
 */
class ConformanceSuiteConventionsTest {

    @Test
    @DisplayName("Every conformance test has @Checks(id, ref), a @DisplayName stating the rule and citing the reference, and at least two tags")
    void conventions() throws Exception {
        var tests = ConformanceLauncher.discover(ConformanceRequest.all()).tests();
        assertThat(tests).isNotEmpty();
        for (SelectedTest t : tests) {
            Class<?> c = Class.forName(t.className());
            Method m = Arrays.stream(c.getDeclaredMethods()).filter(x -> x.getName().equals(t.methodName()))
                    .findFirst().orElseThrow();
            String where = t.className() + "#" + t.methodName();
            assertThat(t.rules()).as("@Checks on %s", where).isNotEmpty()
                    .allSatisfy(r -> {
                        assertThat(r.id()).as("rule id on %s", where).matches("[A-Z][A-Z0-9]*(-[A-Z][A-Z0-9]*)*-[0-9]+");
                        assertThat(r.ref()).as("rule ref on %s", where).isNotBlank();
                    });
            assertThat(AnnotationSupport.findAnnotation(m, DisplayName.class)).as("@DisplayName on %s", where)
                    .isPresent().get().extracting(DisplayName::value).asString().hasSizeGreaterThan(15)
                    .as("@DisplayName on %s cites its reference section", where)
                    .endsWith("(" + t.rules().getFirst().ref() + ")");
            assertThat(t.tags()).as("component and feature tags on %s", where).hasSizeGreaterThanOrEqualTo(2);
        }
    }
}
