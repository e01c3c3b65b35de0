package org.xenpv.harness.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Selections against the real conformance suite under org.xenpv.conformance. */
class SelectionTest {

    private static final String KERNEL = "org.xenpv.conformance.kernel.KernelConformanceTest";

    private static List<String> selected(String... selections) {
        return ConformanceLauncher.discover(ConformanceRequest.all().withSelections(
                        java.util.Arrays.stream(selections).map(Selection::parse).toList()))
                .tests().stream().map(SelectedTest::selector).toList();
    }

    @Test
    @DisplayName("No selection means every test under org.xenpv.conformance")
    void everything() {
        assertThat(selected()).contains("method:" + KERNEL + "#virtualTimeout", "method:" + KERNEL + "#sameSeedSameLog")
                .allMatch(s -> s.startsWith("method:org.xenpv.conformance."));
    }

    @Test
    @DisplayName("tag:, class: (simple or qualified), method: and package: select what they name; several are a union")
    void kinds() {
        assertThat(selected("tag:preemption")).containsExactly("method:" + KERNEL + "#preemptionPointsInterleave");
        assertThat(selected("tag:kernel & !determinism")).hasSize(4);
        assertThat(selected("class:KernelConformanceTest")).hasSize(6).isEqualTo(selected("class:" + KERNEL));
        assertThat(selected("method:KernelConformanceTest#virtualTimeout"))
                .containsExactly("method:" + KERNEL + "#virtualTimeout");
        assertThat(selected("package:org.xenpv.conformance.kernel")).hasSize(6);
        assertThat(selected("tag:preemption", "method:" + KERNEL + "#virtualTimeout")).hasSize(2);
    }

    @Test
    @DisplayName("A selection that matches nothing, or names a missing class, is an error naming it")
    void unmatched() {
        assertThatThrownBy(() -> selected("tag:nosuchtag")).hasMessageContaining("tag:nosuchtag matched no test");
        assertThatThrownBy(() -> selected("method:KernelConformanceTest#nope"))
                .hasMessageContaining("method:KernelConformanceTest#nope matched no test");
        assertThatThrownBy(() -> selected("class:org.example.Missing"))
                .hasMessageContaining("no class org.example.Missing on the classpath");
    }

    @Test
    @DisplayName("Malformed selections are rejected with the expected forms")
    void parse() {
        assertThat(Selection.parse("method:a.B#c")).isEqualTo(new Selection.MethodName(new Selection.ClassName("a.B"),
                "c"));
        assertThatThrownBy(() -> Selection.parse("foo")).hasMessageContaining("expected tag:EXPR, class:C");
        assertThatThrownBy(() -> Selection.parse("method:Foo")).hasMessageContaining("method:Class#method");
        assertThatThrownBy(() -> Selection.parse("class:1abc")).hasMessageContaining("not a Java name");
        assertThatThrownBy(() -> Selection.parse("tag:")).hasMessageContaining("nothing after");
        assertThatThrownBy(() -> Selection.parse("tag:a&(")).hasMessageContaining("bad tag expression");
    }
}
