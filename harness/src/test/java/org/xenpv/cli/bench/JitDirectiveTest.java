package org.xenpv.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JitDirectiveTest {

    @Test
    void addsAnInlineDirectiveForConvEndianToThisJvm() throws Exception {
        JitDirective.Result result = JitDirective.add();
        assertThat(result).isEqualTo(new JitDirective.Added());
        // The JVM's own listing of its directive stack: a directive matching every method, inlining convEndian,
        // for both compilers.
        String stack = JitDirective.print();
        assertThat(stack).contains("matching: *.*");
        assertThat(stack.split("inline: \\+jdk/internal/misc/Unsafe\\.convEndian", -1)).hasSizeGreaterThanOrEqualTo(3);
        assertThat(result.describe()).isEqualTo("compiler directive: always inline jdk.internal.misc.Unsafe.convEndian");
    }

    @Test
    void saysWhyWhenItCouldNotAddTheDirective() {
        assertThat(new JitDirective.NotAdded("no jdk.management").describe())
                .isEqualTo("compiler directive not added (no jdk.management); a JVM may run the ring loops at "
                        + "about 60% speed");
    }
}
