package org.xenpv.harness.samples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import org.xenpv.harness.junit.XenpvConfig;
import org.xenpv.harness.launcher.ConformanceLauncher;
import org.xenpv.harness.launcher.ConformanceRequest;
import org.xenpv.harness.launcher.ConformanceResult;
import org.xenpv.harness.launcher.Selection;

/** Runs sample suites through the real launcher path, isolated from the surrounding build's settings. */
public final class Samples {

    private Samples() {
    }

    /**
     * A request for {@code classes} with samples enabled, the tests' own seeds (an empty
     * {@code xenpv.seeds} hides a {@code -Dxenpv.seeds} given to the surrounding build) and
     * failures written under {@code failuresDir}.
     */
    public static ConformanceRequest request(Path failuresDir, Class<?>... classes) {
        return new ConformanceRequest(Arrays.stream(classes).map(c -> (Selection) new Selection.ClassName(c.getName()))
                .toList(), null, null, null, failuresDir, java.util.Map.of())
                .withConfig(Sample.ENABLE, "true")
                .withConfig(XenpvConfig.SEEDS, "");
    }

    /** Runs {@code request}; what the samples print on stderr (replay lines of deliberate failures) is dropped. */
    public static ConformanceResult run(ConformanceRequest request) {
        return runCapturing(request).value();
    }

    /** Runs {@code request}, returning what it printed on stderr too. */
    public static Captured<ConformanceResult> runCapturing(ConformanceRequest request) {
        Observations.clear();
        return captureStderr(() -> ConformanceLauncher.run(request));
    }

    /** What {@code body} printed on {@link System#err}, with its result. */
    public record Captured<T>(T value, String stderr) { }

    public static <T> Captured<T> captureStderr(Supplier<T> body) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            T value = body.get();
            return new Captured<>(value, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }
}
