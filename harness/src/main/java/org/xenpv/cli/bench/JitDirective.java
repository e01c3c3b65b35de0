package org.xenpv.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Pins one HotSpot inlining decision for the benchmark's JVM through a compiler directive (JEP 165), added at
 * run time with the {@code Compiler.directives_add} diagnostic command, as {@code jcmd} would.
 *
 * <p>Why: every plain 16/32/64-bit access to simulated memory ({@code Page}, a little-endian view
 * {@code VarHandle} on a direct buffer) ends in the JDK's {@code Unsafe.get/putXUnaligned(o, offset, bigEndian)},
 * which calls the 16-byte {@code Unsafe.convEndian}. C2 decides whether to inline that call from the JDK method's
 * shared profile, and in about one JVM in ten the profile's counters disagree and C2 calls it "low call site
 * frequency". The call then stays in every compiled ring loop: it blocks hoisting and range check elimination, and
 * the whole JVM runs the ring at about 60% of its speed. Which JVM draws it is chance, so a benchmark without the
 * directive measures a lottery. The directive only says what C2 decides in the other nine JVMs; the code measured
 * is the same.
 */
final class JitDirective {

    /** The method the directive always inlines, in the directive syntax ({@code package/Class.method}). */
    static final String INLINED = "jdk/internal/misc/Unsafe.convEndian";
    /** The directive: for every compiled method, inline {@link #INLINED}. */
    static final String JSON = "[{ match: \"*.*\", inline: \"+" + INLINED + "\" }]";

    private static final String DIAGNOSTIC_COMMAND = "com.sun.management:type=DiagnosticCommand";
    private static final String[] SIGNATURE = {String[].class.getName()};

    private JitDirective() {
    }

    /** The outcome: added, or why not (an older or non-HotSpot JVM, no {@code jdk.management}). */
    sealed interface Result {
        /** A line for the benchmark's header. */
        String describe();
    }

    record Added() implements Result {
        @Override
        public String describe() {
            return "compiler directive: always inline " + INLINED.replace('/', '.');
        }
    }

    record NotAdded(String reason) implements Result {
        @Override
        public String describe() {
            return "compiler directive not added (" + reason + "); a JVM may run the ring loops at about 60% speed";
        }
    }

    /** Adds the directive to this JVM's directive stack. Harmless to repeat: the top copy matches first. */
    static Result add() {
        Path file = null;
        try {
            file = Files.createTempFile("xenpv-jit-", ".json");
            Files.writeString(file, JSON, StandardCharsets.UTF_8);
            Object out = invoke("compilerDirectivesAdd", file.toString());
            String text = String.valueOf(out).strip();
            // The command answers "1 compiler directives added", or a parse error it does not raise.
            return text.startsWith("1 ") ? new Added() : new NotAdded("Compiler.directives_add said: " + text);
        } catch (IOException e) {
            return new NotAdded("cannot write the directive file: " + e.getMessage());
        } catch (JMException | RuntimeException | LinkageError e) {
            return new NotAdded("no Compiler.directives_add diagnostic command: " + e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // A temp file left behind is not worth failing the benchmark for.
                }
            }
        }
    }

    /** {@code Compiler.directives_print}: the JVM's directive stack, for tests. */
    static String print() throws JMException {
        return String.valueOf(invoke("compilerDirectivesPrint"));
    }

    private static Object invoke(String operation, String... args) throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        return server.invoke(new ObjectName(DIAGNOSTIC_COMMAND), operation, new Object[] {args}, SIGNATURE);
    }
}
