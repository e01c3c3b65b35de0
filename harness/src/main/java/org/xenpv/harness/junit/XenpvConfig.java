package org.xenpv.harness.junit;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The settings the extension reads. Each is a JUnit configuration parameter, which falls back to
 * the system property of the same name: {@code -Dxenpv.seeds=1,5,9} in Maven, {@code --seeds} and
 * {@code --failures-dir} in {@code xenpv conformance}.
 */
public final class XenpvConfig {

    /** Seeds for every {@link XenpvTest}; see {@link SeedSpec}. */
    public static final String SEEDS = SeedSpec.PROPERTY;

    /** Where failing invocations leave their event log, seed and replay command. */
    public static final String FAILURES_DIR = "xenpv.failures.dir";

    /** Default of {@link #FAILURES_DIR}, relative to the working directory (a module's basedir under Maven). */
    public static final Path DEFAULT_FAILURES_DIR = Path.of("target", "xenpv-failures");

    private XenpvConfig() {
    }

    /** A non-blank parameter (Surefire passes unset properties as empty strings). */
    static Optional<String> get(ExtensionContext context, String key) {
        return context.getConfigurationParameter(key).map(String::strip).filter(s -> !s.isEmpty());
    }

    static Path failuresDir(ExtensionContext context) {
        return get(context, FAILURES_DIR).map(Path::of).orElse(DEFAULT_FAILURES_DIR);
    }
}
